/**
 * Session hot path and rotation latency, per store: `get + touch` (what every authenticated request with a session
 * does) and `rotate` (a refresh), sequentially, one client. Prints p50/p90/p99/max in milliseconds.
 * Run: node --import @swc-node/register/esm-register --conditions=@atoms/source libs/session/bench/sessions.ts
 * Needs Redis at REDIS_URL (default redis://127.0.0.1:6379) and PostgreSQL at DATABASE_URL.
 */
import { performance } from 'node:perf_hooks';
import { MemoryStore, PostgresStore, RefreshTokenService, SessionManager, type StateStore } from '../src/index.js';
import { createRedisStore } from '../src/node/redis/index.js';
import { connectRedis, createScratchDatabase } from '../test/state/support/services.js';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 5000);
const WARMUP = 500;

function percentiles(samples: number[]): Record<string, string> {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return {
    p50: at(50).toFixed(3),
    p90: at(90).toFixed(3),
    p99: at(99).toFixed(3),
    max: (sorted.at(-1) ?? NaN).toFixed(3),
    'ops/s': Math.round(1000 / (samples.reduce((a, b) => a + b, 0) / samples.length)).toString(),
    'client cpu µs/op': (cpuMicros.get(samples) ?? NaN).toFixed(0),
  };
}

// Client CPU per operation (this process only) is reported next to wall latency: it does not depend on how busy
// the machine is, the tail latencies do.
const cpuMicros = new WeakMap<number[], number>();

async function measure(iterations: number, op: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await op(i);
  const samples: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await op(i);
    samples.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuStart);
  cpuMicros.set(samples, (cpu.user + cpu.system) / iterations);
  return samples;
}

async function benchStore(name: string, store: StateStore, userId: string, iterations: number) {
  const sessions = new SessionManager({ store });
  const { sessionId } = await sessions.create(userId);
  // `touch` is the request hot path: read the session, check its deadlines, write the new last-seen (CAS).
  const getTouch = await measure(iterations, async () => {
    if (!(await sessions.touch(userId, sessionId))) throw new Error('session vanished');
  });
  // With touchThrottleMs, a session seen less than that long ago is not rewritten: one read per request.
  const throttled = new SessionManager({ store, touchThrottleMs: 60_000 });
  const throttledGetTouch = await measure(iterations, async () => {
    if (!(await throttled.touch(userId, sessionId))) throw new Error('session vanished');
  });
  const refresh = new RefreshTokenService({ store });
  let token = (await refresh.issue({ userId })).token;
  const rotate = await measure(Math.min(iterations, 2000), async () => {
    token = (await refresh.rotate(token)).token;
  });
  return [
    { store: name, op: 'session get+touch', n: getTouch.length, ...percentiles(getTouch) },
    { store: name, op: 'get+touch, throttle 60 s', n: throttledGetTouch.length, ...percentiles(throttledGetTouch) },
    { store: name, op: 'refresh rotate', n: rotate.length, ...percentiles(rotate) },
  ];
}

const rows = [];
rows.push(...(await benchStore('memory', new MemoryStore(), 'bench-user', ITERATIONS)));

const redis = await connectRedis();
try {
  rows.push(
    ...(await benchStore(
      'redis (ioredis, loopback)',
      createRedisStore(redis.redis, { prefix: redis.prefix }),
      'bench-user',
      ITERATIONS,
    )),
  );
} finally {
  await redis.cleanup();
}

const db = await createScratchDatabase();
try {
  const store = new PostgresStore({ query: (sql, params) => db.pool.query(sql, [...params]) });
  rows.push(...(await benchStore('postgres (pg, loopback)', store, await db.addUser(), Math.min(ITERATIONS, 2000))));
} finally {
  await db.cleanup();
}

const load = (await import('node:os')).loadavg()[0]?.toFixed(1);
console.log(`session bench (ms per operation, sequential, one client; node ${process.version}; load avg ${load})`);
console.table(rows);
