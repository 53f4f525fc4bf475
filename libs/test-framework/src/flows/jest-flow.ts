import { describe, test } from '@jest/globals';
import { compileFlow, runStage, type FlowOptions, type StageDefinition, type StageRun } from './flow.js';
import type { FlowPatternName, StageOf } from './patterns.js';
import { FlowResults } from './results.js';

export interface JestFlowOptions extends FlowOptions {
  /** Per-stage Jest timeout. */
  timeoutMs?: number;
}

/**
 * Declares a cascade flow as a `describe` block with one test per stage, in the pattern's order. A stage whose
 * dependency failed fails with `StageBlockedError` naming that stage ("blocked by failed stage ..."), so the report
 * shows one real failure and the stages it blocked. Returns the shared results registry.
 */
export function cascadeFlow<P extends FlowPatternName>(
  pattern: P,
  name: string,
  stages: Record<StageOf<P>, StageRun>,
  options: JestFlowOptions = {},
): FlowResults {
  const flow = compileFlow(name, { pattern, stages: stages as Record<string, StageRun> }, options);
  return declare(flow, options);
}

/** A flow with custom stages (order as given; each depends on the previous unless `dependsOn` says otherwise). */
export function customFlow(name: string, stages: StageDefinition[], options: JestFlowOptions = {}): FlowResults {
  return declare(compileFlow(name, { stages }, options), options);
}

function declare(flow: ReturnType<typeof compileFlow>, options: JestFlowOptions): FlowResults {
  const results = options.results ?? new FlowResults();
  describe(`${flow.name}${flow.pattern ? ` [${flow.pattern}]` : ''}`, () => {
    flow.stages.forEach((stage, index) => {
      test(
        `${index + 1}. ${stage.name}`,
        async () => {
          await runStage(flow, stage, results);
        },
        options.timeoutMs,
      );
    });
  });
  return results;
}
