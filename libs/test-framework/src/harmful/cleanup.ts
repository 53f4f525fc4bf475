import type { AtomsTestClient } from '../client/atoms-client.js';
import { McpToolError } from '../client/tool-error.js';
import type { RollbackScope } from './rollback.js';
import { CLEANUP_ORDER, type HarmfulStateTracker, type TrackedEntity } from './tracker.js';

export const CLEANUP_STRATEGIES = ['cascade_delete', 'soft_delete', 'transaction_rollback', 'none'] as const;
export type CleanupStrategy = (typeof CLEANUP_STRATEGIES)[number];

/**
 * Whether an entity is still there after cleanup, in the strategy's sense: for cascade_delete and
 * transaction_rollback "the row exists at all", for soft_delete "it is visible without include_deleted".
 */
export type LeftoverProbe = (entity: TrackedEntity, strategy: CleanupStrategy) => Promise<boolean>;

export interface CleanupOptions {
  strategy: CleanupStrategy;
  /** The client cleanup deletes through (the tool contract). */
  client: AtomsTestClient;
  /** Required by transaction_rollback. */
  rollback?: RollbackScope;
  /** How leftovers are detected; default: the tool contract (`entity_tool read`, see `toolContractProbe`). */
  probe?: LeftoverProbe;
  order?: readonly string[];
}

export interface CleanupFailure {
  entity: TrackedEntity;
  error: unknown;
}

export interface CleanupReport {
  strategy: CleanupStrategy;
  /** Entities removed by this cleanup (deleted, soft-deleted or rolled back). */
  removed: TrackedEntity[];
  /** Entities already gone when cleanup reached them (the test deleted them, or a parent's cascade did). */
  alreadyGone: TrackedEntity[];
  /** Entities left on purpose (strategy `none`). */
  kept: TrackedEntity[];
  /** Delete calls that failed. */
  failures: CleanupFailure[];
  /** Entities still present after cleanup: each one fails the test. */
  leftovers: TrackedEntity[];
}

function describeEntity(entity: TrackedEntity): string {
  return `${entity.entityType} ${entity.id}`;
}

/** Raised when cleanup left entities behind; the message lists every one. */
export class LeftoverEntitiesError extends Error {
  override readonly name = 'LeftoverEntitiesError';
  constructor(readonly report: CleanupReport) {
    const failed = new Map(report.failures.map((f) => [f.entity, f.error]));
    const lines = report.leftovers.map((entity) => {
      const error = failed.get(entity);
      const reason = error instanceof Error ? `: ${error.message}` : error === undefined ? '' : `: ${String(error)}`;
      return `  - ${describeEntity(entity)}${reason}`;
    });
    super(
      `${report.strategy} cleanup left ${report.leftovers.length} entit${report.leftovers.length === 1 ? 'y' : 'ies'} behind:\n${lines.join('\n')}`,
    );
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof McpToolError && error.code === 'not_found';
}

/**
 * The default probe: `entity_tool read` through the contract. `include_deleted: true` for cascade_delete and
 * transaction_rollback (a soft-deleted row is still a leftover), without it for soft_delete.
 */
export function toolContractProbe(client: AtomsTestClient): LeftoverProbe {
  return async (entity, strategy) => {
    try {
      await client.entity.read(
        entity.entityType,
        entity.id,
        strategy === 'soft_delete' ? {} : { include_deleted: true },
      );
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  };
}

/**
 * Removes what the tracker holds with the given strategy, then checks for leftovers. Never throws for a failed
 * delete: failures and leftovers are in the report (`assertNoLeftovers` turns them into a test failure).
 */
export async function cleanupTracked(tracker: HarmfulStateTracker, options: CleanupOptions): Promise<CleanupReport> {
  const plan = tracker.plan(options.order ?? CLEANUP_ORDER);
  const report: CleanupReport = {
    strategy: options.strategy,
    removed: [],
    alreadyGone: [],
    kept: [],
    failures: [],
    leftovers: [],
  };
  if (options.strategy === 'none') {
    report.kept = plan;
    return report;
  }
  if (options.strategy === 'transaction_rollback') {
    if (!options.rollback?.active) {
      throw new Error('transaction_rollback cleanup needs an open rollback scope (begin() before the test)');
    }
    await options.rollback.rollback();
    report.removed = plan;
  } else {
    const softDelete = options.strategy === 'soft_delete';
    for (const entity of plan) {
      try {
        await options.client.entity.delete(entity.entityType, entity.id, { soft_delete: softDelete });
        report.removed.push(entity);
      } catch (error) {
        if (isNotFound(error)) report.alreadyGone.push(entity);
        else report.failures.push({ entity, error });
      }
    }
  }
  const probe = options.probe ?? toolContractProbe(options.client);
  for (const entity of plan) {
    if (await probe(entity, options.strategy)) report.leftovers.push(entity);
  }
  return report;
}

/** Throws `LeftoverEntitiesError` when the report has leftovers. */
export function assertNoLeftovers(report: CleanupReport): void {
  if (report.leftovers.length > 0) throw new LeftoverEntitiesError(report);
}
