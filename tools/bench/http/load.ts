import autocannon from 'autocannon';
import { watchProcess } from './child-server.js';

/** One load scenario against one server. */
export interface Scenario {
  /** What is measured: `tools/list`, `entity read`, `GET /health/live`. */
  readonly workload: string;
  /** Which server configuration: `full, rate limit off`, `bare SDK (registerTool + zod)`, … */
  readonly server: string;
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  /** A fixed body, or one built per request (the entity read rotates its ids). */
  readonly body?: string | (() => string);
  /** Session ids handed out one per connection (`X-Atoms-Session-Id`): each connection is one tracked client. */
  readonly sessions?: readonly string[];
  /** A 2xx response whose body fails this counts as a mismatch (an MCP error inside a 200). */
  readonly verify?: (body: string) => boolean;
  /** The server process: its CPU time per request and its maximum RSS during the load. */
  readonly pid: number;
}

export interface Measured {
  readonly scenario: Scenario;
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** Everything that is not a verified 2xx answer: non-2xx statuses, socket errors, timeouts, body mismatches. */
  readonly failures: {
    readonly non2xx: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly mismatches: number;
  };
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Max RSS of the server during the load, MiB. */
  readonly maxRssMiB: number;
  /**
   * The server's CPU time per request, ms: less sensitive than throughput to what else runs on the machine (the
   * load generator, PostgreSQL and Redis share its two cores), so it compares servers more steadily.
   */
  readonly cpuMsPerRequest: number;
}

export function failureCount(measured: Measured): number {
  const f = measured.failures;
  return f.non2xx + f.errors + f.mismatches; // autocannon counts timeouts among errors
}

function options(scenario: Scenario, connections: number, seconds: number): autocannon.Options {
  const sessions = scenario.sessions;
  let nextSession = 0;
  const body = scenario.body;
  return {
    url: scenario.url,
    method: scenario.method,
    connections,
    duration: seconds,
    headers: { ...scenario.headers },
    ...(typeof body === 'string' ? { body } : {}),
    ...(typeof body === 'function'
      ? { requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }] }
      : {}),
    ...(sessions && sessions.length > 0
      ? {
          setupClient: (client: autocannon.Client) =>
            client.setHeaders({
              ...scenario.headers,
              'x-atoms-session-id': sessions[nextSession++ % sessions.length] as string,
            }),
        }
      : {}),
    ...(scenario.verify
      ? { verifyBody: (text: unknown) => (scenario.verify as (b: string) => boolean)(String(text)) }
      : {}),
  };
}

/**
 * Runs autocannon in this process (the servers are child processes, so the load generator never shares their event
 * loop): `warmupSeconds` unrecorded, then `seconds` measured while the server's RSS is sampled.
 */
export async function measure(
  scenario: Scenario,
  input: { readonly connections: number; readonly seconds: number; readonly warmupSeconds: number },
): Promise<Measured> {
  if (input.warmupSeconds > 0) await autocannon(options(scenario, input.connections, input.warmupSeconds));
  const watch = watchProcess(scenario.pid);
  let usage: { maxRssMiB: number; cpuMs: number };
  let result: autocannon.Result;
  try {
    result = await autocannon(options(scenario, input.connections, input.seconds));
  } finally {
    usage = watch.stop();
  }
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count ?? 0;
  const seconds = result.duration;
  return {
    scenario,
    requests: result.requests.total,
    seconds,
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    failures: {
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      mismatches: result.mismatches,
    },
    statusCodes,
    maxRssMiB: usage.maxRssMiB,
    cpuMsPerRequest: result.requests.total > 0 ? usage.cpuMs / result.requests.total : Number.NaN,
  };
}

/** The measurement with the median throughput of several rounds of one scenario. */
export function medianRound(rounds: readonly Measured[]): Measured {
  const sorted = [...rounds].sort((a, b) => a.rps - b.rps);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error('no rounds measured');
  return median;
}
