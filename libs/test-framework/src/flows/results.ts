export type StageStatus = 'passed' | 'failed' | 'blocked';

export interface StageOutcome {
  stage: string;
  status: StageStatus;
  /** What the stage returned (passed stages). */
  data?: unknown;
  /** Why it failed (failed stages). */
  error?: unknown;
  /** The failed stage at the root of the block (blocked stages). */
  blockedBy?: string;
  /** The direct dependency that was not passed, when it differs from `blockedBy`. */
  via?: string;
  durationMs: number;
}

/**
 * The results registry stages share: each stage's outcome and returned data, plus free-form shared values. One
 * registry may be shared by several flows (pass it in the flow options) so later flows can build on earlier ones.
 */
export class FlowResults {
  private readonly outcomes = new Map<string, StageOutcome>();
  private readonly shared = new Map<string, unknown>();

  record(outcome: StageOutcome): void {
    this.outcomes.set(outcome.stage, outcome);
  }

  outcome(stage: string): StageOutcome | undefined {
    return this.outcomes.get(stage);
  }

  /** The data a passed stage returned; asking for a stage that did not pass is an error. */
  data<T = unknown>(stage: string): T {
    const outcome = this.outcomes.get(stage);
    if (outcome?.status !== 'passed') {
      throw new Error(`stage "${stage}" has no result: it ${outcome ? outcome.status : 'has not run'}`);
    }
    return outcome.data as T;
  }

  set(key: string, value: unknown): void {
    this.shared.set(key, value);
  }

  get<T = unknown>(key: string): T {
    if (!this.shared.has(key))
      throw new Error(`no shared value "${key}" (shared: ${[...this.shared.keys()].join(', ') || 'none'})`);
    return this.shared.get(key) as T;
  }

  has(key: string): boolean {
    return this.shared.has(key);
  }

  all(): StageOutcome[] {
    return [...this.outcomes.values()];
  }
}
