import { describe, test } from '@jest/globals';
import { MODE_PROFILES, currentMode, durationLimitsEnforced, strictModeEnabled, type TestMode } from './mode.js';
import { selectForMode, withDurationLimit } from './selection.js';

export interface ModeMarkOptions {
  /** Overrides `ATOMS_TEST_MODE` (tests of the framework itself use this). */
  mode?: TestMode;
  /** Overrides `ATOMS_TEST_MODE_STRICT`. */
  strict?: boolean;
  /** Overrides `ATOMS_TEST_ENFORCE_DURATION`. */
  enforceDuration?: boolean;
  /** A per-test limit instead of the mode's (still only enforced when enforcement is on). */
  maxDurationMs?: number;
}

type TestBody = () => unknown;

// Marks of the `describeForModes` blocks being defined: Jest runs describe bodies synchronously at collection time,
// so a stack is exact.
const markStack: TestMode[][] = [];

function asList(modes: TestMode | readonly TestMode[]): TestMode[] {
  return typeof modes === 'string' ? [modes] : [...modes];
}

/** A test that runs only in the given modes (nested inside `describeForModes`, marks narrow). */
export function testForModes(
  modes: TestMode | readonly TestMode[],
  name: string,
  fn: TestBody,
  options: ModeMarkOptions = {},
): void {
  const mode = options.mode ?? currentMode();
  const selection = selectForMode([...markStack, asList(modes)], mode, options.strict ?? strictModeEnabled());
  if (!selection.run) {
    test.skip(`${name} (${selection.explanation})`, () => undefined);
    return;
  }
  const enforce = options.enforceDuration ?? durationLimitsEnforced();
  if (!enforce) {
    test(name, async () => {
      await fn();
    });
    return;
  }
  const limit = options.maxDurationMs ?? MODE_PROFILES[mode].maxDurationMs;
  // Jest's own timeout a little above the limit: a hung test still ends, with the limit as the reported cause.
  test(name, withDurationLimit(fn, mode, limit), limit + 1_000);
}

/** A describe block whose tests run only in the given modes. */
export function describeForModes(
  modes: TestMode | readonly TestMode[],
  name: string,
  fn: () => void,
  options: ModeMarkOptions = {},
): void {
  const mode = options.mode ?? currentMode();
  const list = asList(modes);
  const selection = selectForMode([...markStack, list], mode, options.strict ?? strictModeEnabled());
  const body = () => {
    markStack.push(list);
    try {
      fn();
    } finally {
      markStack.pop();
    }
  };
  if (selection.run) describe(name, body);
  else describe.skip(`${name} (${selection.explanation})`, body);
}

/** `forModes('COLD', 'HOT').test(...)`: the marks read like pytest markers. */
export function forModes(...modes: TestMode[]) {
  return {
    test: (name: string, fn: TestBody, options?: ModeMarkOptions) => testForModes(modes, name, fn, options),
    describe: (name: string, fn: () => void, options?: ModeMarkOptions) => describeForModes(modes, name, fn, options),
  };
}

/** A test under the current mode's duration limit (when enforcement is on), without restricting its modes. */
export function timedTest(name: string, fn: TestBody, options: ModeMarkOptions = {}): void {
  testForModes(['HOT', 'COLD', 'DRY'], name, fn, options);
}
