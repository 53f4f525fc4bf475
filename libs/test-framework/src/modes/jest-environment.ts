import { afterAll, beforeAll } from '@jest/globals';
import type { AtomsTestClient } from '../client/atoms-client.js';
import { createModeEnvironment, type ModeEnvironment, type ModeEnvironmentOptions } from './environment.js';

export interface ModeEnvironmentHandle<Db> {
  /** The environment, available from the first test on (built in `beforeAll`). */
  readonly env: ModeEnvironment<Db>;
  /** Shorthand for `env.client`. */
  readonly client: AtomsTestClient;
}

/**
 * Builds the mode environment once per test file (`beforeAll`) and closes it afterwards (`afterAll`). Reading the
 * handle before `beforeAll` ran is a mistake, reported as such.
 */
export function useModeEnvironment<Db = unknown>(
  options: ModeEnvironmentOptions<Db> | (() => ModeEnvironmentOptions<Db>),
  timeoutMs = 60_000,
): ModeEnvironmentHandle<Db> {
  let environment: ModeEnvironment<Db> | undefined;
  beforeAll(async () => {
    environment = await createModeEnvironment(typeof options === 'function' ? options() : options);
  }, timeoutMs);
  afterAll(async () => {
    await environment?.close();
    environment = undefined;
  }, timeoutMs);
  const require = (): ModeEnvironment<Db> => {
    if (!environment) throw new Error('the mode environment is built in beforeAll: use it inside a test or hook');
    return environment;
  };
  return {
    get env() {
      return require();
    },
    get client() {
      return require().client;
    },
  };
}
