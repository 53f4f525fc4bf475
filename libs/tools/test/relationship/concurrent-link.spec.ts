/**
 * Two `link` calls for the same link at the same time: exactly one creates it, the other gets `conflict`.
 *
 * On PostgreSQL the test makes the race certain instead of likely: an owner transaction holds an EXCLUSIVE lock on
 * audit_logs, which every link insert writes to (audit trigger) after inserting its row, so both calls pass the
 * tool's "already linked?" look-up and insert before either commits; only the database's unique index on live
 * links can then refuse the second. PGlite runs one statement at a time (one connection), so there the calls
 * are serialised and the look-up refuses the second.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { McpToolError, type AtomsTestClient } from '@atoms/test-framework';
import type { FixtureWorkspace } from '@atoms/test-framework/database';
import { openToolsHarness, type ToolsHarness } from '../core/harness.js';

let h: ToolsHarness;
let ws: FixtureWorkspace;
let owner: AtomsTestClient;
let editor: AtomsTestClient;

beforeAll(async () => {
  h = await openToolsHarness();
  ws = await h.fixtures.workspace({ projectRoles: ['editor'] });
  owner = await h.clientFor(ws.owner);
  editor = await h.clientFor(ws.projectMembers.editor!);
}, 120_000);

afterAll(() => h?.close());

const postgres = () => h.testDb.backend === 'postgres';

/** Owner SQL: waits until `n` other backends of this database wait for a lock. */
async function lockWaiters(n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    // Activity is a per-transaction snapshot: clear it to see the other backends move.
    const { rows } = await h.testDb.sql.query<{ waiting: number }>(
      `select pg_stat_clear_snapshot(), (select count(*)::int from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock') as waiting`,
    );
    if (rows[0]!.waiting >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`expected ${n} backends waiting for a lock`);
}

/** Runs both calls at once; on PostgreSQL both are held after their insert until the audit lock is released. */
async function race<T>(calls: [() => Promise<T>, () => Promise<T>]): Promise<PromiseSettledResult<T>[]> {
  if (!postgres()) return Promise.allSettled(calls.map((call) => call()));
  await h.testDb.sql.query('begin');
  try {
    await h.testDb.sql.query('lock table public.audit_logs in exclusive mode');
    const settled = Promise.allSettled(calls.map((call) => call()));
    // The first insert waits for the audit lock, the second for the first one's transaction (its index entry).
    await lockWaiters(2);
    await h.testDb.sql.query('commit');
    return await settled;
  } catch (error) {
    await h.testDb.sql.query('rollback');
    throw error;
  }
}

function outcome(results: PromiseSettledResult<unknown>[]): { created: number; conflict: McpToolError } {
  const created = results.filter((r) => r.status === 'fulfilled').length;
  const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  expect(rejected).toHaveLength(1);
  expect(rejected[0]).toBeInstanceOf(McpToolError);
  expect((rejected[0] as McpToolError).code).toBe('conflict');
  return { created, conflict: rejected[0] as McpToolError };
}

describe('concurrent duplicate links', () => {
  test('two trace_link calls: one link, one conflict', async () => {
    const [a, b] = ws.requirements;
    const link = (client: AtomsTestClient) => () =>
      client.relationship.link(
        'trace_link',
        { type: 'requirement', id: a.id },
        { type: 'requirement', id: b.id },
        { link_type: 'implements' },
      );
    const { created, conflict } = outcome(await race([link(owner), link(editor)]));
    expect(created).toBe(1);
    if (postgres())
      expect(conflict.details).toMatchObject({ constraint: 'trace_links_active_key', sql_state: '23505' });
    expect(conflict.message).toMatch(/This trace_link link already exists\.$/);
    expect(
      await h.count('trace_links', 'source_id = $1 and target_id = $2 and is_deleted is not true', [a.id, b.id]),
    ).toBe(1);
  });

  test('two assignment calls: one assignment, one conflict', async () => {
    const [a] = ws.requirements;
    const assign = (client: AtomsTestClient) => () =>
      client.relationship.link('assignment', { type: 'requirement', id: a.id }, { type: 'user', id: ws.owner.id });
    const { created, conflict } = outcome(await race([assign(owner), assign(editor)]));
    expect(created).toBe(1);
    if (postgres()) expect(conflict.details).toMatchObject({ constraint: 'assignments_active_key' });
    expect(
      await h.count('assignments', 'entity_id = $1 and assignee_id = $2 and is_deleted is not true', [
        a.id,
        ws.owner.id,
      ]),
    ).toBe(1);
  });
});
