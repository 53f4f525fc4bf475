import { FLOW_PATTERNS, type FlowPatternName } from './patterns.js';
import { FlowResults, type StageOutcome } from './results.js';

export interface StageContext {
  /** The flow's name. */
  flow: string;
  /** This stage's name. */
  stage: string;
  /** The shared results registry. */
  results: FlowResults;
  /** The data a passed stage returned (usually a dependency). */
  data<T = unknown>(stage: string): T;
}

export type StageRun = (context: StageContext) => unknown;

export interface StageDefinition {
  name: string;
  run: StageRun;
  /** Stages that must have passed first; default: the previous stage. `[]` makes a stage independent. */
  dependsOn?: string[];
}

export interface FlowOptions {
  /** Share a registry between flows; default: a fresh one per flow. */
  results?: FlowResults;
  /** Extra dependencies per stage of a pattern (merged over the default previous-stage dependency). */
  dependsOn?: Record<string, string[]>;
}

/** Raised for a stage that did not run because a dependency did not pass. */
export class StageBlockedError extends Error {
  override readonly name = 'StageBlockedError';
  constructor(
    readonly stage: string,
    readonly blockedBy: string,
    readonly via: string | undefined,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause ?? 'it did not run');
    super(
      `stage "${stage}" blocked by failed stage "${blockedBy}"${via && via !== blockedBy ? ` (via "${via}")` : ''}: ${reason}`,
    );
    // The blocked stage did nothing: a stack trace would only point at the framework.
    this.stack = `${this.name}: ${this.message}`;
  }
}

export interface CompiledFlow {
  name: string;
  pattern?: FlowPatternName;
  stages: Required<StageDefinition>[];
}

/** Checks a flow definition: pattern stages all present and nothing else, dependencies known and earlier. */
export function compileFlow(
  name: string,
  definition: { pattern: FlowPatternName; stages: Record<string, StageRun> } | { stages: StageDefinition[] },
  options: FlowOptions = {},
): CompiledFlow {
  let stages: StageDefinition[];
  let pattern: FlowPatternName | undefined;
  if ('pattern' in definition) {
    pattern = definition.pattern;
    const expected: readonly string[] = FLOW_PATTERNS[pattern];
    const given = Object.keys(definition.stages);
    const missing = expected.filter((stage) => !given.includes(stage));
    const unknown = given.filter((stage) => !expected.includes(stage));
    if (missing.length || unknown.length) {
      throw new Error(
        `flow "${name}" (${pattern}: ${expected.join(' -> ')})` +
          (missing.length ? `; missing stages: ${missing.join(', ')}` : '') +
          (unknown.length ? `; stages not in the pattern: ${unknown.join(', ')}` : ''),
      );
    }
    const runs = definition.stages;
    stages = expected.map((stage) => ({ name: stage, run: runs[stage] as StageRun }));
  } else {
    stages = definition.stages;
  }
  const seen = new Set<string>();
  const compiled = stages.map((stage, index) => {
    if (seen.has(stage.name)) throw new Error(`flow "${name}": stage "${stage.name}" is defined twice`);
    const before = stages[index - 1];
    const previous = before ? [before.name] : [];
    const dependsOn = [...new Set([...(stage.dependsOn ?? previous), ...(options.dependsOn?.[stage.name] ?? [])])];
    for (const dependency of dependsOn) {
      if (!seen.has(dependency)) {
        throw new Error(
          `flow "${name}": stage "${stage.name}" depends on "${dependency}", which is not an earlier stage`,
        );
      }
    }
    seen.add(stage.name);
    return { name: stage.name, run: stage.run, dependsOn };
  });
  return { name, ...(pattern ? { pattern } : {}), stages: compiled };
}

/** The failed stage behind a dependency that did not pass (following blocked stages to their root). */
function rootFailure(results: FlowResults, dependency: string): { root: string; cause: unknown } {
  const outcome = results.outcome(dependency);
  if (!outcome) return { root: dependency, cause: undefined };
  if (outcome.status === 'blocked' && outcome.blockedBy) {
    const root = results.outcome(outcome.blockedBy);
    return { root: outcome.blockedBy, cause: root?.error };
  }
  return { root: dependency, cause: outcome.error };
}

/**
 * Runs one stage: blocked (with the failed stage's name) when a dependency did not pass, else its body. The outcome
 * is recorded in the registry; failures and blocks are thrown so a test runner reports them.
 */
export async function runStage(
  flow: CompiledFlow,
  stage: Required<StageDefinition>,
  results: FlowResults,
): Promise<unknown> {
  const started = performance.now();
  const unmet = stage.dependsOn.find((dependency) => results.outcome(dependency)?.status !== 'passed');
  if (unmet !== undefined) {
    const { root, cause } = rootFailure(results, unmet);
    const error = new StageBlockedError(stage.name, root, unmet, cause);
    results.record({
      stage: stage.name,
      status: 'blocked',
      blockedBy: root,
      ...(unmet !== root ? { via: unmet } : {}),
      error,
      durationMs: 0,
    });
    throw error;
  }
  try {
    const data = await stage.run({
      flow: flow.name,
      stage: stage.name,
      results,
      data: <T>(name: string) => results.data<T>(name),
    });
    results.record({ stage: stage.name, status: 'passed', data, durationMs: performance.now() - started });
    return data;
  } catch (error) {
    results.record({ stage: stage.name, status: 'failed', error, durationMs: performance.now() - started });
    throw error;
  }
}

export interface FlowReport {
  flow: string;
  pattern?: FlowPatternName;
  passed: boolean;
  stages: StageOutcome[];
}

/** Runs a whole flow outside a test runner (or inside one test) and reports every stage. */
export async function runFlow(flow: CompiledFlow, options: FlowOptions = {}): Promise<FlowReport> {
  const results = options.results ?? new FlowResults();
  for (const stage of flow.stages) {
    await runStage(flow, stage, results).catch(() => undefined); // recorded in the registry; reported below
  }
  const stages = flow.stages.flatMap((stage) => results.outcome(stage.name) ?? []);
  return {
    flow: flow.name,
    ...(flow.pattern ? { pattern: flow.pattern } : {}),
    passed: stages.every((s) => s.status === 'passed'),
    stages,
  };
}

/** A one-line-per-stage rendering of a report. */
export function formatFlowReport(report: FlowReport): string {
  const lines = report.stages.map((s) => {
    if (s.status === 'passed') return `  ✓ ${s.stage} (${Math.round(s.durationMs)} ms)`;
    if (s.status === 'blocked') return `  ⊘ ${s.stage}: blocked by "${s.blockedBy}"${s.via ? ` (via "${s.via}")` : ''}`;
    const reason = s.error instanceof Error ? s.error.message : String(s.error);
    return `  ✗ ${s.stage}: ${reason}`;
  });
  return [`flow "${report.flow}"${report.pattern ? ` (${report.pattern})` : ''}`, ...lines].join('\n');
}
