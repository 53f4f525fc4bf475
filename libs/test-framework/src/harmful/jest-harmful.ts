import { afterEach, beforeEach } from '@jest/globals';
import type { AtomsTestClient } from '../client/atoms-client.js';
import {
  assertNoLeftovers,
  cleanupTracked,
  type CleanupReport,
  type CleanupStrategy,
  type LeftoverProbe,
} from './cleanup.js';
import type { RollbackScope } from './rollback.js';
import { HarmfulStateTracker } from './tracker.js';

type Lazy<T> = T | (() => T);
const resolve = <T>(value: Lazy<T>): T => (typeof value === 'function' ? (value as () => T)() : value);

export interface HarmfulOptions {
  /** The client the test uses (auto-tracking listens to it); lazy so it can come from a `beforeAll`. */
  client: Lazy<AtomsTestClient>;
  /** Default `cascade_delete`. */
  strategy?: CleanupStrategy;
  /** Track creates seen by the client automatically (default true). */
  autoTrack?: boolean;
  /** Cleanup deletes through this client instead (e.g. an admin), default `client`. */
  cleanupClient?: Lazy<AtomsTestClient>;
  /** transaction_rollback: the scope around each test. */
  rollback?: Lazy<RollbackScope | undefined>;
  /** How leftovers are found; default through the tool contract. */
  probe?: LeftoverProbe;
  /** Type order for removal, dependents first; default test -> requirement -> document -> project -> organization. */
  order?: readonly string[];
  /** Sees the report of every cleanup (the last one is also on the handle). */
  onReport?: (report: CleanupReport) => void;
}

export interface HarmfulContext {
  tracker: HarmfulStateTracker;
  client: AtomsTestClient;
}

/** One test's tracking and cleanup, independent of Jest (the hooks and the wrapper both use it). */
export class HarmfulSession {
  readonly tracker = new HarmfulStateTracker();
  private stopObserving: (() => void) | undefined;
  private rollbackScope: RollbackScope | undefined;
  readonly strategy: CleanupStrategy;
  /** The cleanup report, once `finish` ran. */
  report: CleanupReport | undefined;

  constructor(private readonly options: HarmfulOptions) {
    this.strategy = options.strategy ?? 'cascade_delete';
  }

  get client(): AtomsTestClient {
    return resolve(this.options.client);
  }

  async start(): Promise<void> {
    if (this.options.autoTrack ?? true) {
      this.stopObserving = this.client.onToolCall((event) => this.tracker.observe(event));
    }
    if (this.strategy === 'transaction_rollback') {
      const scope = this.options.rollback === undefined ? undefined : resolve(this.options.rollback);
      if (!scope) {
        throw new Error(
          "transaction_rollback needs a database that allows it: pass `rollback` (e.g. the COLD environment's rollback scope)",
        );
      }
      this.rollbackScope = scope;
      await scope.begin();
    }
  }

  /** Cleans up and returns the report; leftovers throw `LeftoverEntitiesError` listing them. */
  async finish(): Promise<CleanupReport> {
    this.stopObserving?.();
    this.stopObserving = undefined;
    const report = await cleanupTracked(this.tracker, {
      strategy: this.strategy,
      client: this.options.cleanupClient ? resolve(this.options.cleanupClient) : this.client,
      ...(this.rollbackScope ? { rollback: this.rollbackScope } : {}),
      ...(this.options.probe ? { probe: this.options.probe } : {}),
      ...(this.options.order ? { order: this.options.order } : {}),
    });
    this.report = report;
    this.options.onReport?.(report);
    assertNoLeftovers(report);
    return report;
  }
}

export interface HarmfulHandle {
  /** The current test's tracker (a fresh one per test). */
  readonly tracker: HarmfulStateTracker;
  /** The report of the last cleanup. */
  readonly lastReport: CleanupReport | undefined;
}

/**
 * `beforeEach`/`afterEach` hooks: every test gets a fresh tracker (auto-tracking the client's creates) and is
 * cleaned up after it; a leftover fails the test with the list of what was left.
 */
export function useHarmful(options: HarmfulOptions): HarmfulHandle {
  let session: HarmfulSession | undefined;
  let lastReport: CleanupReport | undefined;
  beforeEach(async () => {
    session = new HarmfulSession(options);
    await session.start();
  });
  afterEach(async () => {
    const current = session;
    session = undefined;
    if (!current) return;
    lastReport = undefined;
    try {
      await current.finish();
    } finally {
      lastReport = current.report;
    }
  });
  return {
    get tracker() {
      if (!session) throw new Error('the harmful tracker exists only while a test runs');
      return session.tracker;
    },
    get lastReport() {
      return lastReport;
    },
  };
}

/**
 * Wraps one test body: `test('...', harmful(async ({ client, tracker }) => { ... }, options))`. Cleanup runs even
 * when the body fails; if both fail, the thrown `AggregateError` carries the test's error first.
 */
export function harmful(
  fn: (context: HarmfulContext) => unknown,
  options: HarmfulOptions,
): () => Promise<CleanupReport> {
  return async () => {
    const session = new HarmfulSession(options);
    await session.start();
    let failure: unknown;
    let failed = false;
    try {
      await fn({ tracker: session.tracker, client: session.client });
    } catch (error) {
      failed = true;
      failure = error;
    }
    let report: CleanupReport;
    try {
      report = await session.finish();
    } catch (cleanupError) {
      if (failed) throw new AggregateError([failure, cleanupError], 'the test failed, and so did its cleanup');
      throw cleanupError;
    }
    if (failed) throw failure;
    return report;
  };
}
