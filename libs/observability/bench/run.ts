/**
 * Benchmarks for @atoms/observability (run: `npx nx run observability:bench`).
 *  1. Logger throughput: our pino configuration (redaction + line scrub + context mixin) against bare pino without
 *     redaction, in the same process and run, both writing synchronously to /dev/null; plus the edge logger.
 *  2. HTTP middleware overhead per request: the same handler called with and without the middleware, in the same
 *     run, for the Node wiring (pino, prom-client, AsyncLocalStorage, performance monitor) and the edge wiring.
 * Rounds alternate between the variants so machine noise hits both; medians are reported. Costs are measured in
 * process CPU time (`process.cpuUsage`, user + system) as well as wall time: on a shared, loaded machine the CPU
 * time is what the code costs, while wall time also counts the time the process waited for a core.
 */
import { loadavg } from 'node:os';
import pino from 'pino';
import {
  AtomsMetrics,
  createEdgeLogger,
  createHttpInstrumentation,
  createInIsolateMetricsBackend,
  type HttpMiddleware,
  type Logger,
  PerformanceMonitor,
} from '../src/index.js';
import { createAsyncContextCarrier, createNodeLogger, createPromClientBackend } from '../src/node/index.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const LINES = Number(process.env['BENCH_LINES'] ?? 100_000);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 20_000);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const percentileOf = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

// ---------------------------------------------------------------- logger throughput
const devNull = () => pino.destination({ dest: '/dev/null', sync: true });
const loggers = {
  'pino, no redaction (baseline)': pino({ level: 'info' }, devNull()) as Logger,
  '@atoms node logger (redaction + scrub + context mixin)': createNodeLogger({
    service: 'bench',
    destination: devNull(),
    carrier: createAsyncContextCarrier(),
  }),
  '@atoms edge logger (redaction + scrub)': createEdgeLogger({ service: 'bench', write: () => undefined }),
};
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLXZhbHVlLXNlY3JldA';
const shapes = {
  'plain line': (logger: Logger, i: number) =>
    logger.info({ route: '/api/mcp', status: 200, durationMs: i % 100, tool: 'entity_tool' }, 'request completed'),
  'line with auth header': (logger: Logger, i: number) =>
    logger.info(
      {
        headers: {
          authorization: `Bearer ${JWT}`,
          'user-agent': 'claude-desktop/1.0',
          'content-type': 'application/json',
        },
        n: i,
      },
      'incoming request',
    ),
};

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

function logThroughput(): { shape: string; logger: string; linesPerSecond: number; linesPerCpuSecond: number }[] {
  const results: { shape: string; logger: string; linesPerSecond: number; linesPerCpuSecond: number }[] = [];
  for (const [shapeName, shape] of Object.entries(shapes)) {
    const wall = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    for (const logger of Object.values(loggers)) for (let i = 0; i < 5_000; i++) shape(logger, i); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, logger] of Object.entries(loggers)) {
        const started = performance.now();
        const cpuStarted = cpuMs();
        for (let i = 0; i < LINES; i++) shape(logger, i);
        const cpuSeconds = (cpuMs() - cpuStarted) / 1000;
        const seconds = (performance.now() - started) / 1000;
        wall.set(name, [...(wall.get(name) ?? []), LINES / seconds]);
        cpu.set(name, [...(cpu.get(name) ?? []), LINES / cpuSeconds]);
      }
    }
    for (const [name, values] of wall) {
      results.push({
        shape: shapeName,
        logger: name,
        linesPerSecond: median(values),
        linesPerCpuSecond: median(cpu.get(name) ?? []),
      });
    }
  }
  return results;
}

// ---------------------------------------------------------------- middleware overhead
const handler = () =>
  new Response('{"jsonrpc":"2.0","id":1,"result":{}}', {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
const makeRequest = (i: number) =>
  new Request(`https://mcp.example.com/api/mcp`, {
    method: 'POST',
    headers: {
      'x-correlation-id': `bench-${i % 1000}`,
      authorization: 'Bearer token-value',
      'content-type': 'application/json',
    },
  });

function nodeMiddleware(): HttpMiddleware {
  const carrier = createAsyncContextCarrier();
  return createHttpInstrumentation({
    logger: createNodeLogger({ service: 'bench', destination: devNull(), carrier }),
    metrics: new AtomsMetrics(createPromClientBackend({ defaultMetrics: false })),
    performance: new PerformanceMonitor(),
    carrier,
  });
}

function edgeMiddleware(): HttpMiddleware {
  return createHttpInstrumentation({
    logger: createEdgeLogger({ service: 'bench', write: () => undefined }),
    metrics: new AtomsMetrics(createInIsolateMetricsBackend()),
    performance: new PerformanceMonitor(),
  });
}

async function timeRequests(
  run: (request: Request) => Promise<Response>,
): Promise<{ times: Float64Array; cpuUs: number }> {
  const times = new Float64Array(REQUESTS);
  // Requests are built up front so their construction counts in neither variant.
  const requests = Array.from({ length: REQUESTS }, (_, i) => makeRequest(i));
  const cpuStarted = cpuMs();
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const response = await run(requests[i] as Request);
    times[i] = performance.now() - started;
    if (response.status !== 200) throw new Error('unexpected status');
  }
  return { times, cpuUs: ((cpuMs() - cpuStarted) * 1000) / REQUESTS };
}

async function middlewareOverhead() {
  const variants: Record<string, (request: Request) => Promise<Response>> = {
    'no middleware': async () => handler(),
  };
  const node = nodeMiddleware();
  const edge = edgeMiddleware();
  variants['node wiring (pino + prom-client + ALS + monitor)'] = (request) => node(request, handler);
  variants['edge wiring (edge logger + in-isolate metrics)'] = (request) => edge(request, handler);
  for (const run of Object.values(variants)) await timeRequests(run); // warm-up
  const cpu = new Map<string, number[]>();
  const means = new Map<string, number[]>();
  const p50 = new Map<string, number[]>();
  const p99 = new Map<string, number[]>();
  const add = (map: Map<string, number[]>, name: string, value: number) =>
    map.set(name, [...(map.get(name) ?? []), value]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const { times, cpuUs } = await timeRequests(run);
      times.sort();
      add(cpu, name, cpuUs);
      add(means, name, (times.reduce((s, t) => s + t, 0) / times.length) * 1000);
      add(p50, name, percentileOf(times, 50) * 1000);
      add(p99, name, percentileOf(times, 99) * 1000);
    }
  }
  const m = (map: Map<string, number[]>, name: string) => median(map.get(name) ?? []);
  return Object.keys(variants).map((name) => ({
    variant: name,
    cpuUs: m(cpu, name),
    meanUs: m(means, name),
    p50Us: m(p50, name),
    p99Us: m(p99, name),
    cpuOverheadUs: m(cpu, name) - m(cpu, 'no middleware'),
    p50OverheadUs: m(p50, name) - m(p50, 'no middleware'),
  }));
}

// ---------------------------------------------------------------- report
const f = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ');
console.log(
  `# @atoms/observability benchmark — ${new Date().toISOString()}, node ${process.version}, ${ROUNDS} rounds (median), load average ${load}\n`,
);
console.log(`## Logger throughput (${LINES.toLocaleString('en-US')} lines per round, sync writes to /dev/null)\n`);
console.log(
  '| line | logger | lines/s (wall) | lines per CPU-second | vs baseline (CPU) |\n| --- | --- | ---: | ---: | ---: |',
);
const logs = logThroughput();
for (const row of logs) {
  const baseline = logs.find((r) => r.shape === row.shape && r.logger.includes('baseline'))?.linesPerCpuSecond ?? NaN;
  console.log(
    `| ${row.shape} | ${row.logger} | ${f(row.linesPerSecond, 0)} | ${f(row.linesPerCpuSecond, 0)} | ${f(row.linesPerCpuSecond / baseline, 2)}× |`,
  );
}
console.log(`\n## HTTP middleware overhead (${REQUESTS.toLocaleString('en-US')} sequential requests per round)\n`);
console.log(
  '| variant | CPU µs/request | wall mean µs | wall p50 µs | wall p99 µs | overhead CPU µs | overhead p50 µs |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
);
const overhead = await middlewareOverhead();
for (const row of overhead) {
  const base = row.variant === 'no middleware';
  console.log(
    `| ${row.variant} | ${f(row.cpuUs)} | ${f(row.meanUs)} | ${f(row.p50Us)} | ${f(row.p99Us)} | ${base ? '—' : f(row.cpuOverheadUs)} | ${base ? '—' : f(row.p50OverheadUs)} |`,
  );
}
const worst = Math.max(...overhead.filter((r) => r.variant !== 'no middleware').map((r) => r.cpuOverheadUs));
console.log(
  `\nTarget: middleware overhead < 50 µs per request (CPU time) — ${worst < 50 ? 'met' : 'NOT met'} (worst ${f(worst)} µs).`,
);
