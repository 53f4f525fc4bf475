import { failureCount, type Measured } from './load.js';

/** Issue #8's targets. */
export const TARGETS = {
  /** Full-stack tools/list throughput relative to the bare SDK server's (registerTool + zod). */
  listRatio: 1.0,
  listP99Ms: 20,
  entityReadRps: 800,
  rssMiB: 250,
} as const;

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A Markdown table of every scenario, in the order run. */
export function resultsTable(results: readonly Measured[]): string {
  const lines = [
    '| workload | server | req/s | p50 ms | p90 ms | p99 ms | max ms | requests | failures | CPU ms/req | max RSS MiB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    const failures = failureCount(r);
    const detail = failures
      ? ` (${Object.entries(r.statusCodes)
          .filter(([code]) => !code.startsWith('2'))
          .map(([code, n]) => `${n}×${code}`)
          .concat(r.failures.errors ? [`${r.failures.errors} errors`] : [])
          .concat(r.failures.mismatches ? [`${r.failures.mismatches} bad bodies`] : [])
          .join(', ')})`
      : '';
    lines.push(
      `| ${r.scenario.workload} | ${r.scenario.server} | ${fmt(r.rps)} | ${fmt(r.p50, 1)} | ${fmt(r.p90, 1)} | ` +
        `${fmt(r.p99, 1)} | ${fmt(r.max, 1)} | ${fmt(r.requests)} | ${failures}${detail} | ` +
        `${fmt(r.cpuMsPerRequest, 2)} | ${fmt(r.maxRssMiB, 0)} |`,
    );
  }
  return lines.join('\n');
}

function find(results: readonly Measured[], workload: string, server: string): Measured | undefined {
  return results.find((r) => r.scenario.workload === workload && r.scenario.server === server);
}

export interface Ratio {
  readonly label: string;
  readonly value: number;
}

/** full / bare throughput, measured in the same invocation (the pairs a filtered run measured). */
export function ratios(
  results: readonly Measured[],
  servers: { readonly full: readonly string[]; readonly bare: string; readonly bareStatic: string },
): Ratio[] {
  const out: Ratio[] = [];
  const pair = (workload: string, full: string, bare: string): void => {
    const a = find(results, workload, full);
    const b = find(results, workload, bare);
    if (a && b) out.push({ label: `${workload}: ${full} / ${bare}`, value: a.rps / b.rps });
  };
  for (const full of servers.full) {
    pair('tools/list', full, servers.bare);
    pair('tools/list', full, servers.bareStatic);
    pair('entity read', full, servers.bare);
  }
  return out;
}

/** Issue #8's targets, for each full-stack configuration (only those a filtered run measured). */
export function checkTargets(
  results: readonly Measured[],
  servers: { readonly full: readonly string[]; readonly bare: string },
  /** Every round's measurement: memory is judged on the highest RSS seen, not the median round's. */
  rounds: readonly Measured[] = results,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const bareList = find(results, 'tools/list', servers.bare);
  for (const full of servers.full) {
    const list = find(results, 'tools/list', full);
    if (list && bareList) {
      const ratio = list.rps / bareList.rps;
      checks.push({
        target: `tools/list throughput, ${full} ≥ ${TARGETS.listRatio.toFixed(1)}× bare`,
        measured: `${ratio.toFixed(2)}× (${fmt(list.rps)} vs ${fmt(bareList.rps)} req/s)`,
        met: ratio >= TARGETS.listRatio,
      });
    }
    if (list) {
      checks.push({
        target: `tools/list p99, ${full} < ${TARGETS.listP99Ms} ms`,
        measured: `${fmt(list.p99, 1)} ms`,
        met: list.p99 < TARGETS.listP99Ms,
      });
    }
    const read = find(results, 'entity read', full);
    if (read) {
      checks.push({
        target: `entity read, ${full} ≥ ${TARGETS.entityReadRps} req/s`,
        measured: `${fmt(read.rps)} req/s (p99 ${fmt(read.p99, 1)} ms)`,
        met: read.rps >= TARGETS.entityReadRps,
      });
    }
  }
  const sampled = rounds.filter((r) => servers.full.includes(r.scenario.server));
  if (sampled.length > 0) {
    const rss = Math.max(...sampled.map((r) => r.maxRssMiB));
    checks.push({
      target: `app RSS under load < ${TARGETS.rssMiB} MiB`,
      measured: `${fmt(rss)} MiB max`,
      met: rss < TARGETS.rssMiB,
    });
  }
  return checks;
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  return [
    '| target | measured | |',
    '| --- | --- | --- |',
    ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.met ? 'met' : '**MISSED**'} |`),
  ].join('\n');
}
