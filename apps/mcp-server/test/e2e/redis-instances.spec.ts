import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SessionManager } from '@atoms/session';
import { createRedisStore } from '@atoms/session/redis';
import {
  freePort,
  runToCompletion,
  startApp,
  waitForReady,
  WORKSPACE_ROOT,
  type RunningApp,
} from '../support/app-process.js';

/**
 * Two production-mode instances sharing one Redis (our own redis-server on a free port, so it can be stopped) and
 * one PostgreSQL database (created here, migrated with the app's migrate command, dropped after): rate limits and
 * stateful MCP sessions are shared; a stopped Redis gives clear 503s without crashing either process, and service
 * resumes when Redis comes back on the same port.
 */
const ADMIN_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MIGRATE_CLI = join(WORKSPACE_ROOT, 'apps/mcp-server/src/cli/migrate.ts');
const SUPABASE_URL = 'https://example-project.supabase.co';
const SECRET = randomBytes(32).toString('hex');
const LIMIT = 6;
const dbName = `atoms_mcp_e2e_${randomBytes(4).toString('hex')}`;
const dbUrl = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  return url.toString();
})();

let redisPort: number;
let redis: ChildProcess | undefined;
const apps: { app: RunningApp; port: number }[] = [];

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function startRedis(): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let failure: Error | undefined;
  // A missing binary is an 'error' event, not an exit: fail the suite with it (apt-get install -y redis-server).
  child.once('error', (error) => (failure = error));
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const started = Date.now();
  while (!out.includes('Ready to accept connections')) {
    if (failure) throw new Error(`redis-server could not be started: ${failure.message}`);
    if (child.exitCode !== null || Date.now() - started > 10_000)
      throw new Error(`redis-server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

async function stopRedis(): Promise<void> {
  if (!redis || redis.exitCode !== null) return;
  const exited = new Promise((r) => redis?.once('exit', r));
  redis.kill('SIGKILL');
  await exited;
}

async function token(sub: string): Promise<string> {
  return new SignJWT({ role: 'authenticated', email: `${sub.slice(0, 8)}@example.com` })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`${SUPABASE_URL}/auth/v1`)
    .setAudience('authenticated')
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));
}

function env(port: number): Record<string, string> {
  return {
    PRODUCTION: 'true',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    DATABASE_URL: dbUrl,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    ATOMS_FASTMCP_AUTH_MODE: 'supabase_jwt',
    NEXT_PUBLIC_SUPABASE_URL: SUPABASE_URL,
    SUPABASE_JWT_SECRET: SECRET,
    ATOMS_MCP_STATEFUL: 'true',
    RATE_LIMIT_REQUESTS_PER_MINUTE: String(LIMIT),
    RATE_LIMIT_BURST_SIZE: String(LIMIT),
    RATE_LIMIT_FAIL_POLICY: 'closed',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  };
}

async function mcp(
  port: number,
  bearer: string,
  body: object,
  sessionId?: string,
): Promise<{ status: number; sessionId: string | null; text: string; headers: Headers }> {
  const response = await fetch(`http://127.0.0.1:${port}/api/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${bearer}`,
      'mcp-protocol-version': '2025-06-18',
      ...(sessionId ? { 'mcp-session-id': sessionId } : {}),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    sessionId: response.headers.get('mcp-session-id'),
    text: await response.text(),
    headers: response.headers,
  };
}

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1.0.0' } },
};
const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

async function openSession(port: number, bearer: string): Promise<string> {
  const init = await mcp(port, bearer, initialize);
  expect(init.status).toBe(200);
  if (!init.sessionId) throw new Error('no Mcp-Session-Id');
  const initialized = await mcp(port, bearer, { jsonrpc: '2.0', method: 'notifications/initialized' }, init.sessionId);
  expect(initialized.status).toBe(202);
  return init.sessionId;
}

beforeAll(async () => {
  redisPort = await freePort();
  redis = await startRedis();
  await admin((c) => c.query(`create database ${dbName}`));
  const first = await freePort();
  const migrated = await runToCompletion(MIGRATE_CLI, [], env(first));
  expect(migrated.code).toBe(0);
  for (const port of [first, await freePort()]) apps.push({ app: startApp(env(port)), port });
  await Promise.all(apps.map(({ app }) => waitForReady(app)));
});

afterAll(async () => {
  await Promise.all(
    apps.map(async ({ app }) => {
      if (app.child.exitCode !== null) return;
      app.child.kill('SIGTERM');
      const timer = setTimeout(() => app.child.kill('SIGKILL'), 5000);
      await app.exited;
      clearTimeout(timer);
    }),
  );
  await stopRedis();
  await admin((c) => c.query(`drop database if exists ${dbName} with (force)`));
});

const portOf = (i: number): number => {
  const entry = apps[i];
  if (!entry) throw new Error(`instance ${i} not started`);
  return entry.port;
};

describe('two instances on one Redis', () => {
  it('a stateful MCP session created on one continues on the other; another user cannot use it', async () => {
    const alice = await token(randomUUID());
    const sessionId = await openSession(portOf(0), alice);
    const onB = await mcp(portOf(1), alice, list, sessionId);
    expect(onB.status).toBe(200);
    expect(onB.text).toContain('entity_tool');
    const mallory = await token(randomUUID());
    const stolen = await mcp(portOf(1), mallory, list, sessionId);
    // Indistinguishable from an unknown session: no hint that the id exists for someone else.
    expect(stolen.status).toBe(404);
    expect(stolen.text).toContain('Session not found');
    expect((await mcp(portOf(0), alice, list, sessionId)).status).toBe(200); // still alice's
  });

  it('shares the rate limit: the budget spent on one instance is gone on the other', async () => {
    const bob = await token(randomUUID());
    const sessionId = await openSession(portOf(0), bob); // the initialize spends one
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await mcp(portOf(i % 2), bob, list, sessionId)).status);
    expect(statuses).toEqual([...Array<number>(LIMIT - 1).fill(200), 429]);
    const refused = await mcp(portOf(1), bob, list, sessionId);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit')).toMatch(/r=0\b/);
  });
});

describe('tracked sessions on one Redis', () => {
  it('lists a session on either instance; revoked on one, its id is refused on the other', async () => {
    // A sign-in as the platform records it: a session in the shared store (the app's prefix), named by the client
    // with its raw id in X-Atoms-Session-Id (Supabase tokens carry no handle of ours).
    const client = new Redis(`redis://127.0.0.1:${redisPort}`);
    const dave = randomUUID();
    let created: Awaited<ReturnType<SessionManager['create']>>;
    try {
      created = await new SessionManager({ store: createRedisStore(client, { prefix: 'atoms:state:' }) }).create(dave);
    } finally {
      client.disconnect();
    }
    const bearer = await token(dave);
    const call = (port: number, method: string, path: string, who = bearer) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { authorization: `Bearer ${who}`, 'x-atoms-session-id': created.sessionId },
      });

    const listed = await call(portOf(1), 'GET', '/api/sessions');
    expect(listed.status).toBe(200);
    const { sessions } = (await listed.json()) as { sessions: { id: string; current: boolean }[] };
    expect(sessions.map((x) => [x.id, x.current])).toEqual([[created.session.handle, true]]);

    // Another user can neither use its id nor revoke it by handle.
    const eve = await token(randomUUID());
    expect((await call(portOf(0), 'GET', '/api/sessions', eve)).status).toBe(401);
    const foreign = await fetch(`http://127.0.0.1:${portOf(0)}/api/sessions/${created.session.handle}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${eve}` },
    });
    expect(foreign.status).toBe(404);

    expect((await call(portOf(0), 'DELETE', `/api/sessions/${created.session.handle}`)).status).toBe(204);
    const after = await call(portOf(1), 'GET', '/api/sessions');
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
    // The same token without the revoked session id still works (the token names no session).
    const plain = await fetch(`http://127.0.0.1:${portOf(1)}/api/sessions`, {
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(plain.status).toBe(200);
  });
});

describe('Redis stops mid-test', () => {
  it('answers 503 (fail policy closed) without crashing, and resumes when Redis returns on the same port', async () => {
    const carol = await token(randomUUID());
    await openSession(portOf(0), carol);
    await stopRedis();

    for (const i of [0, 1]) {
      const down = await mcp(portOf(i), carol, initialize);
      expect(down.status).toBe(503);
      expect(down.text).toMatch(/temporarily_unavailable|unavailable/);
      expect((await fetch(`http://127.0.0.1:${portOf(i)}/health/live`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${portOf(i)}/health`)).status).toBe(503);
    }
    expect(apps.every(({ app }) => app.child.exitCode === null)).toBe(true);

    redis = await startRedis();
    for (const i of [0, 1]) {
      const started = Date.now();
      let status = 0;
      while (Date.now() - started < 15_000) {
        status = (await mcp(portOf(i), carol, initialize)).status;
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
    }
    // The restarted Redis is empty: a new session works across both instances again.
    const sessionId = await openSession(portOf(1), carol);
    expect((await mcp(portOf(0), carol, list, sessionId)).status).toBe(200);
  });
});
