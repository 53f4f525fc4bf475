/** The three ways a test can run (platform.md, "Test framework"). */
export const TEST_MODES = ['HOT', 'COLD', 'DRY'] as const;
export type TestMode = (typeof TEST_MODES)[number];

export interface ModeProfile {
  mode: TestMode;
  description: string;
  /** A server reached over HTTP (HOT) or built in-process (COLD); DRY has none. */
  server: 'http' | 'in-process' | 'simulated';
  /** Real PostgreSQL semantics behind the calls (never mocks). */
  realDatabase: boolean;
  /** Results generated from the tools' output schemas. */
  simulated: boolean;
  /** The per-test duration limit, enforced when asked to (`ATOMS_TEST_ENFORCE_DURATION`). */
  maxDurationMs: number;
  /** Whether test files may run in parallel against this target (HOT shares one server and database). */
  parallel: boolean;
}

export const MODE_PROFILES: Readonly<Record<TestMode, ModeProfile>> = Object.freeze({
  HOT: {
    mode: 'HOT',
    description: 'a running server over HTTP with real auth and its real database',
    server: 'http',
    realDatabase: true,
    simulated: false,
    maxDurationMs: 30_000,
    parallel: false,
  },
  COLD: {
    mode: 'COLD',
    description: 'the server factory in-process on a database cloned from a migrated template',
    server: 'in-process',
    realDatabase: true,
    simulated: false,
    maxDurationMs: 2_000,
    parallel: true,
  },
  DRY: {
    mode: 'DRY',
    description: 'no database: calls validated against the tool schemas, schema-valid simulated results',
    server: 'simulated',
    realDatabase: false,
    simulated: true,
    maxDurationMs: 1_000,
    parallel: true,
  },
});

export class ModeConfigurationError extends Error {
  override readonly name = 'ModeConfigurationError';
}

/** Parses a mode name, case-insensitively; anything else is a configuration error (never a silent default). */
export function parseMode(value: string): TestMode {
  const upper = value.trim().toUpperCase();
  if ((TEST_MODES as readonly string[]).includes(upper)) return upper as TestMode;
  throw new ModeConfigurationError(
    `ATOMS_TEST_MODE must be one of ${TEST_MODES.join(', ')}; got ${JSON.stringify(value)}`,
  );
}

type Env = Record<string, string | undefined>;

function flag(env: Env, name: string): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '' || value === '0' || value === 'false' || value === 'no') return false;
  if (value === '1' || value === 'true' || value === 'yes') return true;
  throw new ModeConfigurationError(`${name} must be true or false; got ${JSON.stringify(env[name])}`);
}

/** The mode for this run: `ATOMS_TEST_MODE` (default COLD). */
export function currentMode(env: Env = process.env): TestMode {
  const value = env['ATOMS_TEST_MODE'];
  return value === undefined || value.trim() === '' ? 'COLD' : parseMode(value);
}

/** `ATOMS_TEST_MODE_STRICT=true`: conflicting mode marks are definition errors instead of skipped tests. */
export function strictModeEnabled(env: Env = process.env): boolean {
  return flag(env, 'ATOMS_TEST_MODE_STRICT');
}

/** `ATOMS_TEST_ENFORCE_DURATION=true`: a test slower than its mode's limit fails. */
export function durationLimitsEnforced(env: Env = process.env): boolean {
  return flag(env, 'ATOMS_TEST_ENFORCE_DURATION');
}
