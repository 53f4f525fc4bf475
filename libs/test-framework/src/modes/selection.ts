import { MODE_PROFILES, TEST_MODES, type TestMode } from './mode.js';

export class ModeMarkConflictError extends Error {
  override readonly name = 'ModeMarkConflictError';
}

export class DurationLimitError extends Error {
  override readonly name = 'DurationLimitError';
  constructor(
    readonly mode: TestMode,
    readonly limitMs: number,
    readonly tookMs: number,
  ) {
    super(`test took ${Math.round(tookMs)} ms, over the ${mode} limit of ${limitMs} ms`);
  }
}

export type Selection =
  | { run: true; modes: TestMode[] }
  | { run: false; modes: TestMode[]; reason: 'other-mode' | 'conflict'; explanation: string };

function describeMarks(marks: readonly (readonly TestMode[])[]): string {
  return marks.map((mark) => `[${mark.join(', ')}]`).join(' inside ');
}

/**
 * Decides whether a test with these marks (outermost first; nested marks narrow) runs in `mode`. Unmarked tests run
 * in every mode. Marks whose intersection is empty conflict: in strict mode that is an error, otherwise the test is
 * not run and the reason says why.
 */
export function selectForMode(marks: readonly (readonly TestMode[])[], mode: TestMode, strict: boolean): Selection {
  for (const mark of marks) {
    if (mark.length === 0) throw new ModeMarkConflictError('a mode mark must name at least one mode');
    for (const m of mark) {
      if (!(TEST_MODES as readonly string[]).includes(m)) {
        throw new ModeMarkConflictError(
          `unknown mode ${JSON.stringify(m)} in a mark; modes are ${TEST_MODES.join(', ')}`,
        );
      }
    }
  }
  const effective = marks.reduce<TestMode[]>((acc, mark) => acc.filter((m) => mark.includes(m)), [...TEST_MODES]);
  if (effective.length === 0) {
    const explanation = `mode marks ${describeMarks(marks)} have no mode in common`;
    if (strict) throw new ModeMarkConflictError(`${explanation} (ATOMS_TEST_MODE_STRICT is on)`);
    return { run: false, modes: effective, reason: 'conflict', explanation };
  }
  if (!effective.includes(mode)) {
    return {
      run: false,
      modes: effective,
      reason: 'other-mode',
      explanation: `runs in ${effective.join('/')} only; this run is ${mode}`,
    };
  }
  return { run: true, modes: effective };
}

/** Wraps a test body so that it fails when it runs longer than the mode's limit. */
export function withDurationLimit<T>(
  fn: () => T | Promise<T>,
  mode: TestMode,
  limitMs: number = MODE_PROFILES[mode].maxDurationMs,
): () => Promise<T> {
  return async () => {
    const started = performance.now();
    const value = await fn();
    const took = performance.now() - started;
    if (took > limitMs) throw new DurationLimitError(mode, limitMs, took);
    return value;
  };
}
