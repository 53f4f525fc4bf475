/**
 * HTTP benchmark of the whole Atoms MCP server against a bare `@modelcontextprotocol/sdk` server (issue #8):
 *
 *   npx nx run workspace-tools:bench
 *   (= npx nx build mcp-server, then
 *      node --import @swc-node/register/esm-register --conditions=@atoms/source tools/bench/http/run.ts)
 *
 * One invocation: clones a migrated PostgreSQL database (`atoms_bench_t_…`) and seeds 10,000 requirements; starts
 * the production build of apps/mcp-server twice (PRODUCTION=true on that database and Redis, Supabase HS256 tokens,
 * tracked sessions, pino logs to a file, prom-client metrics; rate limiting off, and on with a limit no run reaches)
 * and the bare SDK server (bare-server.ts); checks every server answers correctly; then autocannon, 10 connections,
 * interleaving the servers per workload: tools/list, tools/call entity_tool read, GET /health/live. Prints the
 * results, the full/bare ratios and the targets; cleans up. Exit 0: no failure and every target met; 1: a request
 * failed or a check did not hold; 2: no failure but a target MISSED.
 *
 * Environment: BENCH_SECONDS (5) and BENCH_WARMUP_SECONDS (1) per scenario, BENCH_CONNECTIONS (10), BENCH_ROUNDS (1;
 * more repeats every scenario and reports each one's median round),
 * BENCH_REQUIREMENTS (10000), DATABASE_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * REDIS_URL (default redis://127.0.0.1:6379), BENCH_KEEP_DATABASE=1, BENCH_PROFILE=1 (the apps write V8 CPU
 * profiles, `--cpu-prof`, into the run directory, which is then kept), BENCH_ONLY=<workload,…> (e.g. `entity read`),
 * BENCH_NODE_ARGS (Node.js options for every server instead of production's), BENCH_APP_MAIN (another build of the
 * app's main.js) and BENCH_APP_NODE_ARGS (extra Node.js options for the app), for experiments.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareBenchDatabase, type BenchDatabase } from './bench-database.js';
import { assertProductionBuild } from './build-check.js';
import { freePort, rssMiB, spawnServer, waitUntilServing, type ChildServer } from './child-server.js';
import {
  createTrackedSessions,
  deleteRedisPrefix,
  randomSecret,
  SUPABASE_URL,
  supabaseAccessToken,
} from './credentials.js';
import { failureCount, measure, medianRound, type Measured, type Scenario } from './load.js';
import { checkTargets, ratios, resultsTable, targetsTable } from './report.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw.trim() === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}, got ${raw}`);
  return value;
}

const SECONDS = intEnv('BENCH_SECONDS', 5, 1);
const WARMUP_SECONDS = intEnv('BENCH_WARMUP_SECONDS', 1, 0);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 10, 1);
const ROUNDS = intEnv('BENCH_ROUNDS', 1, 1);
const REQUIREMENTS = intEnv('BENCH_REQUIREMENTS', 10_000, 1000);
const ADMIN_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const KEEP_DATABASE = process.env['BENCH_KEEP_DATABASE'] === '1';
const PROFILE = process.env['BENCH_PROFILE'] === '1';
/** Another build of the app's entry point (an experiment); default the production build's. */
const APP_MAIN = resolve(process.env['BENCH_APP_MAIN'] ?? join(ROOT, 'apps/mcp-server/dist/main.js'));
/**
 * The Node.js options production runs the app with (docs/operations.md, "Memory"), read from the app's `start` target
 * so the two cannot drift apart. Every server here gets them, the bare one too, so the comparison is of code, not of
 * heap settings. BENCH_NODE_ARGS replaces them for experiments.
 */
function productionNodeArgs(): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'apps/mcp-server/package.json'), 'utf8')) as {
    nx: { targets: { start: { command: string } } };
  };
  const [node, ...words] = manifest.nx.targets.start.command.split(/\s+/);
  const options = words.slice(
    0,
    words.findIndex((word) => !word.startsWith('--')),
  );
  if (node !== 'node' || options.length === 0) {
    throw new Error(
      `apps/mcp-server start target: expected "node --<options> <main>", got "${node} ${words.join(' ')}"`,
    );
  }
  return options;
}
const NODE_ARGS =
  process.env['BENCH_NODE_ARGS'] === undefined
    ? productionNodeArgs()
    : process.env['BENCH_NODE_ARGS'].split(' ').filter(Boolean);
/** Extra Node.js options for the app only (space-separated), e.g. `--expose-gc`: an experiment. */
const APP_NODE_ARGS = (process.env['BENCH_APP_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
/** Only these workloads (comma list, e.g. `tools/list`): for profiles of one workload. */
const ONLY = process.env['BENCH_ONLY']
  ?.split(',')
  .map((w) => w.trim())
  .filter(Boolean);
/** Far above what a run sends per (user, bucket) in a minute: the limiter's cost is measured, never a 429. */
const HIGH_RATE_LIMIT = 1_000_000;

const FULL_OFF = 'full, rate limit off';
const FULL_ON = 'full, rate limit on';
const BARE = 'bare SDK (registerTool + zod)';
const BARE_STATIC = 'bare SDK (precomputed listing)';
const TOOL_NAMES = ['workspace_tool', 'entity_tool', 'relationship_tool', 'workflow_tool', 'query_tool'];

const MCP_HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  // Both clients (fetch for the checks, autocannon for the load) send exactly these device headers: the session's
  // device risk is scored on them (fetch would otherwise add its own accept-language).
  'user-agent': 'atoms-bench/1 (autocannon)',
  'accept-language': 'en',
};
const LIST_BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
const readBody = (id: string, rpcId = 1): string =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: rpcId,
    method: 'tools/call',
    params: { name: 'entity_tool', arguments: { operation: 'read', entity_type: 'requirement', entity_id: id } },
  });

/** A JSON-RPC result in a 200 whose tool result is not an error. */
const okList = (body: string): boolean => body.startsWith('{"result":{"tools":[');
const okCall = (body: string): boolean => body.startsWith('{"result":') && !body.includes('"isError":true');

interface Rpc {
  readonly status: number;
  readonly headers: Headers;
  readonly json: { result?: Record<string, unknown>; error?: unknown };
}

async function rpc(url: string, headers: Record<string, string>, body: string): Promise<Rpc> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let json: Rpc['json'];
  try {
    json = JSON.parse(text) as Rpc['json'];
  } catch {
    throw new Error(`${url} answered ${response.status} with a non-JSON body: ${text.slice(0, 300)}`);
  }
  return { status: response.status, headers: response.headers, json };
}

const loadLine = (): string =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 10) lines++;
  }
  return lines;
}

/** The sum of `http_server_request_duration_seconds_count` over every label set, from the app's /metrics. */
async function httpRequestCount(app: ChildServer, metricsToken: string): Promise<number> {
  const response = await fetch(`${app.baseUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  const text = await response.text();
  check(response.status === 200, `${app.label} /metrics answered ${response.status}`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('http_server_request_duration_seconds_count')) total += Number(line.split(' ').pop());
  }
  return total;
}

async function main(): Promise<number> {
  assertProductionBuild(ROOT);
  const runDir = await mkdtemp(join(tmpdir(), 'atoms-bench-'));
  const redisPrefix = `atoms_bench:${randomBytes(4).toString('hex')}:`;
  const jwtSecret = randomSecret();
  const metricsToken = randomSecret(16);
  const servers: ChildServer[] = [];
  let database: BenchDatabase | undefined;
  let keepRunDir = PROFILE;
  try {
    console.log(`machine: Node.js ${process.version}, ${cpus().length} CPUs, load average ${loadLine()}`);
    console.log(`Node.js options for every server: ${NODE_ARGS.join(' ') || '(none)'}`);
    console.log(`seeding ${REQUIREMENTS.toLocaleString('en-US')} requirements …`);
    database = await prepareBenchDatabase({ adminUrl: ADMIN_URL, requirements: REQUIREMENTS });
    console.log(`database ${database.name} seeded in ${(database.seedMs / 1000).toFixed(1)} s`);
    const db = database;

    const startApp = async (label: string, rateLimit: boolean, file: string): Promise<ChildServer> => {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const app = spawnServer({
        label,
        cwd: ROOT,
        nodeArgs: [
          ...NODE_ARGS,
          ...APP_NODE_ARGS,
          ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(runDir, `profile-${file}`)}`] : []),
          APP_MAIN,
        ],
        stdoutFile: join(runDir, `${file}.log`),
        baseUrl,
        env: {
          PRODUCTION: 'true',
          HOST: '127.0.0.1',
          PORT: String(port),
          PUBLIC_URL: baseUrl,
          DATABASE_URL: db.url,
          REDIS_URL,
          REDIS_KEY_PREFIX: redisPrefix,
          ATOMS_FASTMCP_AUTH_MODE: 'supabase_jwt',
          NEXT_PUBLIC_SUPABASE_URL: SUPABASE_URL,
          SUPABASE_JWT_SECRET: jwtSecret,
          LOG_LEVEL: 'info',
          METRICS_TOKEN: metricsToken,
          RATE_LIMIT_ENABLED: String(rateLimit),
          RATE_LIMIT_REQUESTS_PER_MINUTE: String(HIGH_RATE_LIMIT),
          MAX_SESSIONS_PER_USER: String(Math.max(10, CONNECTIONS)),
          SHUTDOWN_DRAIN_DELAY_MS: '0',
          ATOMS_DATA_DIR: join(runDir, `${file}-data`),
        },
      });
      servers.push(app);
      await waitUntilServing(app, `${baseUrl}/health/ready`);
      return app;
    };
    const startBare = async (): Promise<ChildServer> => {
      const port = await freePort();
      const bare = spawnServer({
        label: 'bare SDK server',
        cwd: ROOT,
        // Without the @atoms/source condition: the libraries load from the same dist/ build as the app's.
        nodeArgs: [
          ...NODE_ARGS,
          '--import',
          '@swc-node/register/esm-register',
          join(ROOT, 'tools/bench/http/bare-server.ts'),
        ],
        stdoutFile: join(runDir, 'bare.log'),
        baseUrl: `http://127.0.0.1:${port}`,
        env: {
          BENCH_BARE_PORT: String(port),
          DATABASE_URL: db.url,
          BENCH_USER_ID: db.profileId,
          BENCH_USER_EMAIL: db.email,
        },
      });
      servers.push(bare);
      await waitUntilServing(bare, `${bare.baseUrl}/ready`);
      return bare;
    };

    // allSettled: a failed start must not leave another one spawning after the cleanup ran.
    const started = await Promise.allSettled([
      startApp(FULL_OFF, false, 'app-rate-limit-off'),
      startApp(FULL_ON, true, 'app-rate-limit-on'),
      startBare(),
    ]);
    const notStarted = started.find((s) => s.status === 'rejected');
    if (notStarted) throw notStarted.reason;
    const [appOff, appOn, bare] = started.map((s) => (s as PromiseFulfilledResult<ChildServer>).value) as [
      ChildServer,
      ChildServer,
      ChildServer,
    ];
    const token = await supabaseAccessToken({
      secret: jwtSecret,
      profileId: db.profileId,
      email: db.email,
      ttlSeconds: 3600,
    });
    const authHeaders = { ...MCP_HEADERS, authorization: `Bearer ${token}` };
    const sessions = await createTrackedSessions({
      redisUrl: REDIS_URL,
      keyPrefix: redisPrefix,
      userId: db.profileId,
      count: CONNECTIONS,
      headers: MCP_HEADERS,
      clientIp: '127.0.0.1',
    });
    if (APP_MAIN !== join(ROOT, 'apps/mcp-server/dist/main.js') || APP_NODE_ARGS.length > 0) {
      console.log(`experiment: app ${APP_MAIN} ${APP_NODE_ARGS.join(' ')}`);
    }
    console.log(
      `servers ready: app pids ${appOff.pid} (rate limit off), ${appOn.pid} (on), bare ${bare.pid}; ` +
        `idle RSS ${rssMiB(appOff.pid).toFixed(0)} / ${rssMiB(appOn.pid).toFixed(0)} MiB`,
    );

    // Every server must answer what it is measured for, and the full stack must really run each of its parts.
    const firstId = db.sampleRequirementIds[0] as string;
    const sessionHeaders = { ...authHeaders, 'x-atoms-session-id': sessions[0] as string };
    const bareListing = await rpc(`${bare.baseUrl}/mcp-static`, MCP_HEADERS, LIST_BODY);
    const bareSdkListing = await rpc(`${bare.baseUrl}/mcp`, MCP_HEADERS, LIST_BODY);
    const bareRead = await rpc(`${bare.baseUrl}/mcp`, MCP_HEADERS, readBody(firstId));
    for (const app of [appOff, appOn]) {
      const url = `${app.baseUrl}/api/mcp`;
      const unauthenticated = await fetch(url, { method: 'POST', headers: MCP_HEADERS, body: LIST_BODY });
      check(
        unauthenticated.status === 401,
        `${app.label}: tools/list without a token answered ${unauthenticated.status}`,
      );
      const listed = await rpc(url, sessionHeaders, LIST_BODY);
      const tools = (listed.json.result?.['tools'] ?? []) as { name: string }[];
      check(
        listed.status === 200,
        `${app.label}: tools/list answered ${listed.status} ${JSON.stringify(listed.json).slice(0, 300)}`,
      );
      check(
        JSON.stringify(tools.map((t) => t.name)) === JSON.stringify(TOOL_NAMES),
        `${app.label}: tools/list names ${tools.map((t) => t.name).join(', ')}`,
      );
      check(
        JSON.stringify(tools) === JSON.stringify(bareListing.json.result?.['tools']),
        `${app.label}: the listing differs from the bare server's precomputed one`,
      );
      const limited = listed.headers.get('ratelimit-policy') !== null;
      check(limited === (app === appOn), `${app.label}: RateLimit-Policy header ${limited ? 'present' : 'absent'}`);
      const read = await rpc(url, sessionHeaders, readBody(firstId));
      check(
        read.status === 200 && read.json.result?.['isError'] !== true,
        `${app.label}: entity read failed: ${JSON.stringify(read.json).slice(0, 300)}`,
      );
      check(
        JSON.stringify(read.json.result?.['structuredContent']) ===
          JSON.stringify(bareRead.json.result?.['structuredContent']),
        `${app.label}: entity read differs from the bare server's`,
      );
      const listedSessions = await fetch(`${app.baseUrl}/api/sessions`, { headers: sessionHeaders });
      const body = (await listedSessions.json()) as { sessions?: { current: boolean }[] };
      check(
        listedSessions.status === 200 && (body.sessions ?? []).some((s) => s.current),
        `${app.label}: the session gate did not recognise the tracked session`,
      );
    }
    const sdkTools = (bareSdkListing.json.result?.['tools'] ?? []) as { name: string; description?: string }[];
    const atomsTools = (bareListing.json.result?.['tools'] ?? []) as { name: string; description?: string }[];
    check(
      JSON.stringify(sdkTools.map((t) => [t.name, t.description])) ===
        JSON.stringify(atomsTools.map((t) => [t.name, t.description])),
      'the bare registerTool server advertises other names or descriptions',
    );
    check(bareRead.json.result?.['isError'] !== true, `bare entity read failed: ${JSON.stringify(bareRead.json)}`);
    const listBytes = (listing: Rpc) => JSON.stringify(listing.json).length;
    console.log(
      `checks passed; tools/list response bytes: full ${listBytes(await rpc(`${appOff.baseUrl}/api/mcp`, sessionHeaders, LIST_BODY))}, ` +
        `bare registerTool ${listBytes(bareSdkListing)}, bare precomputed ${listBytes(bareListing)}`,
    );
    const metricsBefore = await Promise.all([appOff, appOn].map((app) => httpRequestCount(app, metricsToken)));

    let nextRead = 0;
    const ids = db.sampleRequirementIds;
    const rotatingRead = (): string => readBody(ids[nextRead++ % ids.length] as string, nextRead);
    interface Target {
      readonly server: string;
      readonly url: string;
      readonly pid: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly sessions?: readonly string[];
    }
    const bareSdk: Target = { server: BARE, url: `${bare.baseUrl}/mcp`, pid: bare.pid, headers: MCP_HEADERS };
    const bareStatic: Target = {
      server: BARE_STATIC,
      url: `${bare.baseUrl}/mcp-static`,
      pid: bare.pid,
      headers: MCP_HEADERS,
    };
    const fullStack = (app: ChildServer): Target => ({
      server: app.label,
      url: `${app.baseUrl}/api/mcp`,
      pid: app.pid,
      headers: authHeaders,
      sessions,
    });
    const post = (workload: string, target: Target, body: Scenario['body'], verify: Scenario['verify']): Scenario => ({
      ...target,
      workload,
      method: 'POST',
      body,
      verify,
    });
    const live = (app: ChildServer): Scenario => ({
      workload: 'GET /health/live',
      server: app.label,
      url: `${app.baseUrl}/health/live`,
      method: 'GET',
      headers: {},
      pid: app.pid,
    });
    // Interleaved per workload, so a change in the machine's load hits every server of a comparison alike.
    const scenarios: Scenario[] = [
      post('tools/list', bareSdk, LIST_BODY, okList),
      post('tools/list', bareStatic, LIST_BODY, okList),
      post('tools/list', fullStack(appOff), LIST_BODY, okList),
      post('tools/list', fullStack(appOn), LIST_BODY, okList),
      post('entity read', bareSdk, rotatingRead, okCall),
      post('entity read', fullStack(appOff), rotatingRead, okCall),
      post('entity read', fullStack(appOn), rotatingRead, okCall),
      live(appOff),
      live(appOn),
    ].filter((s) => !ONLY || ONLY.includes(s.workload));
    const unknown = ONLY?.filter((w) => !scenarios.some((s) => s.workload === w)) ?? [];
    if (unknown.length > 0) throw new Error(`BENCH_ONLY: no workload ${unknown.join(', ')}`);
    const all: Measured[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      if (ROUNDS > 1) console.log(`round ${round} of ${ROUNDS}`);
      for (const scenario of scenarios) {
        const measured = await measure(scenario, {
          connections: CONNECTIONS,
          seconds: SECONDS,
          warmupSeconds: WARMUP_SECONDS,
        });
        all.push(measured);
        const failures = failureCount(measured);
        console.log(
          `${scenario.workload.padEnd(16)} ${scenario.server.padEnd(32)} ${measured.rps.toFixed(0).padStart(6)} req/s  ` +
            `p50 ${measured.p50} ms  p99 ${measured.p99} ms  CPU ${measured.cpuMsPerRequest.toFixed(2)} ms/req  RSS ${measured.maxRssMiB.toFixed(0)} MiB` +
            `${failures ? `  ${failures} FAILED` : ''}`,
        );
      }
    }
    // With several rounds, each scenario's median round (by throughput) is reported.
    const results = scenarios.map((scenario) => medianRound(all.filter((m) => m.scenario === scenario)));

    // Logging and metrics were on: every request counted, every MCP request logged (health probes are quiet).
    const metricsAfter = await Promise.all([appOff, appOn].map((app) => httpRequestCount(app, metricsToken)));
    const logLines = await Promise.all(
      ['app-rate-limit-off', 'app-rate-limit-on'].map((f) => countLines(join(runDir, `${f}.log`))),
    );
    const served = (app: ChildServer, mcpOnly: boolean): number =>
      all
        .filter((r) => r.scenario.server === app.label && (!mcpOnly || r.scenario.url.endsWith('/api/mcp')))
        .reduce((n, r) => n + r.requests, 0);
    for (const [i, app] of [appOff, appOn].entries()) {
      const counted = (metricsAfter[i] as number) - (metricsBefore[i] as number);
      check(
        counted >= served(app, false),
        `${app.label}: metrics counted ${counted} of ${served(app, false)} requests`,
      );
      check(
        (logLines[i] as number) >= served(app, true),
        `${app.label}: ${logLines[i]} log lines for ${served(app, true)} MCP requests`,
      );
    }

    const fullServers = [FULL_OFF, FULL_ON];
    const checks = checkTargets(results, { full: fullServers, bare: BARE }, all);
    const failed = all.filter((r) => failureCount(r) > 0);
    console.log(
      `\n## Results (${CONNECTIONS} connections, ${SECONDS} s per scenario after ${WARMUP_SECONDS} s warm-up` +
        `${ROUNDS > 1 ? `, median of ${ROUNDS} rounds` : ''})\n`,
    );
    console.log(resultsTable(results));
    console.log('\n## Ratios (same invocation)\n');
    for (const ratio of ratios(results, { full: fullServers, bare: BARE, bareStatic: BARE_STATIC })) {
      console.log(`- ${ratio.label}: ${ratio.value.toFixed(2)}×`);
    }
    console.log('\n## Targets\n');
    console.log(targetsTable(checks));
    console.log(
      `\nlog lines written: ${logLines.join(' / ')}; metrics counted: ` +
        `${metricsAfter.map((after, i) => after - (metricsBefore[i] as number)).join(' / ')} (off / on)`,
    );
    console.log(`load average after the run: ${loadLine()} (other processes on these cores skew every number)`);
    if (PROFILE) console.log(`CPU profiles: ${runDir}/profile-*`);
    if (failed.length > 0) {
      console.log(`\nFAILED: ${failed.map((r) => `${r.scenario.workload} on ${r.scenario.server}`).join('; ')}`);
      keepRunDir = true;
      return 1;
    }
    const missed = checks.filter((c) => !c.met);
    if (missed.length > 0) {
      console.log(`\nMISSED ${missed.length} target(s): ${missed.map((c) => c.target).join('; ')}`);
      return 2;
    }
    console.log('\nevery target met');
    return 0;
  } catch (error) {
    keepRunDir = true;
    throw error;
  } finally {
    const codes = await Promise.all(servers.map((server) => server.stop()));
    for (const [i, code] of codes.entries()) {
      if (code !== 0) console.error(`${servers[i]?.label} exited with ${code}:\n${servers[i]?.stderr()}`);
    }
    await deleteRedisPrefix(REDIS_URL, redisPrefix).catch((error: Error) =>
      console.error(`could not delete the Redis keys ${redisPrefix}*: ${error.message}`),
    );
    if (database && KEEP_DATABASE) console.log(`kept database ${database.url}`);
    else await database?.drop();
    if (keepRunDir) console.log(`run directory kept: ${runDir}`);
    else await rm(runDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  },
);
