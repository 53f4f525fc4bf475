import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { AtomsTestClient, type ToolCallEvent } from '../src/client/atoms-client.js';
import { McpToolError } from '../src/client/tool-error.js';
import { LeftoverEntitiesError, type CleanupReport, type LeftoverProbe } from '../src/harmful/cleanup.js';
import { harmful, useHarmful } from '../src/harmful/jest-harmful.js';
import { CLEANUP_ORDER, HarmfulStateTracker, createdEntities } from '../src/harmful/tracker.js';
import { createFixtureDatabase, fixtureServerFactory, type FixtureDatabase } from './support/fixture-server.js';

let db: FixtureDatabase;
let client: AtomsTestClient;

beforeAll(async () => {
  db = await createFixtureDatabase();
  client = await AtomsTestClient.connect({ kind: 'in-process', server: fixtureServerFactory(db) });
});

afterAll(async () => {
  await client.close();
  await db.pg.close();
});

interface DbRow {
  id: string;
  is_deleted: boolean;
}

async function rowsFor(ids: string[]): Promise<DbRow[]> {
  const { rows } = await db.pg.query<DbRow>('SELECT id, is_deleted FROM fw_entities WHERE id = ANY($1::uuid[])', [ids]);
  return rows;
}

/** org -> project -> document -> requirement -> test, each the parent of the next (FK ON DELETE RESTRICT). */
async function createHierarchy(c: AtomsTestClient): Promise<string[]> {
  const ids: string[] = [];
  let parent: string | undefined;
  for (const type of ['organization', 'project', 'document', 'requirement', 'test']) {
    const created = await c.entity.create(type, { name: `${type} one`, ...(parent ? { parent_id: parent } : {}) });
    ids.push(created.id);
    parent = created.id;
  }
  return ids;
}

describe('tracker', () => {
  test('plans removal dependents first, unknown types before all, latest first within a type', () => {
    const tracker = new HarmfulStateTracker();
    tracker.track('organization', 'o1');
    tracker.track('project', 'p1');
    tracker.track('test', 't1');
    tracker.track('project', 'p2');
    tracker.track('trace_link', 'l1');
    tracker.track('project', 'p1'); // idempotent
    expect(tracker.plan().map((e) => e.id)).toEqual(['l1', 't1', 'p2', 'p1', 'o1']);
    expect(CLEANUP_ORDER).toEqual(['test', 'requirement', 'document', 'project', 'organization']);
    expect(tracker.untrack('project', 'p2')).toBe(true);
    expect(tracker.size).toBe(4);
  });

  test('reads created entities from create, batch_create and creating workflows only', () => {
    const event = (tool: string, operation: string, value: unknown, args: Record<string, unknown> = {}) =>
      ({ tool, operation, arguments: args, value, result: { content: [] }, durationMs: 0 }) as ToolCallEvent;
    expect(createdEntities(event('entity_tool', 'create', { id: 'a' }, { entity_type: 'project' }))).toEqual([
      { entityType: 'project', id: 'a' },
    ]);
    expect(
      createdEntities(
        event(
          'entity_tool',
          'batch_create',
          {
            results: [
              { index: 0, ok: true, id: 'b' },
              { index: 1, ok: false, error: {} },
            ],
          },
          { entity_type: 'test' },
        ),
      ),
    ).toEqual([{ entityType: 'test', id: 'b' }]);
    expect(createdEntities(event('entity_tool', 'read', { id: 'c' }, { entity_type: 'project' }))).toEqual([]);
    // setup_project names its (existing) organization: only the project it created is taken.
    expect(
      createdEntities(event('workflow_tool', 'setup_project', { project_id: 'p', organization_id: 'existing' })),
    ).toEqual([{ entityType: 'project', id: 'p' }]);
    expect(
      createdEntities(
        event('workflow_tool', 'import_requirements', { created: [{ entity_type: 'requirement', id: 'r' }] }),
      ),
    ).toEqual([{ entityType: 'requirement', id: 'r' }]);
  });
});

describe('harmful wrapper', () => {
  test('cascade_delete removes every created row (checked in the database), in dependency order', async () => {
    let ids: string[] = [];
    const report = await harmful(
      async () => {
        ids = await createHierarchy(client);
        expect(await rowsFor(ids)).toHaveLength(5);
      },
      { client },
    )();
    expect(await rowsFor(ids)).toEqual([]);
    expect(report.removed.map((e) => e.entityType)).toEqual([
      'test',
      'requirement',
      'document',
      'project',
      'organization',
    ]);
    expect(report.leftovers).toEqual([]);
  });

  test('explicit tracking without auto-tracking: only what was tracked is removed', async () => {
    let tracked = '';
    let untracked = '';
    await harmful(
      async ({ tracker, client: c }) => {
        tracked = tracker.track('organization', (await c.entity.create('organization', { name: 'tracked' })).id);
        untracked = (await c.entity.create('organization', { name: 'not tracked' })).id;
      },
      { client, autoTrack: false },
    )();
    expect(await rowsFor([tracked])).toEqual([]);
    expect(await rowsFor([untracked])).toEqual([{ id: untracked, is_deleted: false }]);
    await db.pg.query('DELETE FROM fw_entities WHERE id = $1', [untracked]);
  });

  test('batch_create results are tracked automatically', async () => {
    let ids: string[] = [];
    const report = await harmful(
      async ({ client: c }) => {
        const batch = await c.entity.batchCreate<{ results: Array<{ id: string }> }>('organization', [
          { name: 'b1' },
          { name: 'b2' },
        ]);
        ids = batch.results.map((r) => r.id);
      },
      { client },
    )();
    expect(report.removed).toHaveLength(2);
    expect(await rowsFor(ids)).toEqual([]);
  });

  test('soft_delete marks rows deleted (still in the database, hidden from reads)', async () => {
    let ids: string[] = [];
    const report = await harmful(
      async () => {
        ids = await createHierarchy(client);
      },
      { client, strategy: 'soft_delete' },
    )();
    expect(report.removed).toHaveLength(5);
    const rows = await rowsFor(ids);
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.is_deleted)).toBe(true);
    await expect(client.entity.read('organization', ids[0]!)).rejects.toMatchObject({ code: 'not_found' });
    await db.pg.query('DELETE FROM fw_entities WHERE id = ANY($1::uuid[])', [ids.reverse()]);
  });

  test('transaction_rollback undoes everything the test wrote, batch transactions included, and nothing else', async () => {
    const before = (await client.entity.create('organization', { name: 'exists before' })).id;
    let ids: string[] = [];
    const report = await harmful(
      async ({ client: c }) => {
        ids = await createHierarchy(c);
        const batch = await c.entity.batchCreate<{ results: Array<{ id: string }> }>('organization', [
          { name: 'in tx' },
        ]);
        ids.push(...batch.results.map((r) => r.id));
        await c.entity.update('organization', before, { name: 'renamed inside the test' });
        expect(await rowsFor(ids)).toHaveLength(6);
      },
      { client, strategy: 'transaction_rollback', rollback: db.scope },
    )();
    expect(report.removed).toHaveLength(6);
    expect(db.scope.active).toBe(false);
    expect(await rowsFor(ids)).toEqual([]);
    const { rows } = await db.pg.query('SELECT name FROM fw_entities WHERE id = $1', [before]);
    expect(rows).toEqual([{ name: 'exists before' }]);
    await db.pg.query('DELETE FROM fw_entities WHERE id = $1', [before]);
  });

  test('transaction_rollback refuses to run without a database that allows it', async () => {
    await expect(harmful(async () => undefined, { client, strategy: 'transaction_rollback' })()).rejects.toThrow(
      /needs a database that allows it/,
    );
  });

  test('none leaves everything in place and says so', async () => {
    let ids: string[] = [];
    const report = await harmful(
      async () => {
        ids = await createHierarchy(client);
      },
      { client, strategy: 'none' },
    )();
    expect(report.kept.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(report.removed).toEqual([]);
    expect(await rowsFor(ids)).toHaveLength(5);
    await db.pg.query('DELETE FROM fw_entities WHERE id = ANY($1::uuid[])', [ids.reverse()]);
  });

  test('a leftover fails the test with its list', async () => {
    let org = '';
    let child = '';
    const reports: CleanupReport[] = [];
    const run = harmful(
      async ({ tracker, client: c }) => {
        org = (await c.entity.create('organization', { name: 'parent' })).id;
        // A child the test does not track (created behind the tools' back) keeps the parent alive (RESTRICT).
        const { rows } = await db.pg.query<{ id: string }>(
          "INSERT INTO fw_entities (entity_type, name, parent_id) VALUES ('project', 'stray', $1) RETURNING id",
          [org],
        );
        child = rows[0]!.id;
        tracker.untrack('nothing', 'here');
      },
      { client, onReport: (r) => reports.push(r) },
    );
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeftoverEntitiesError);
    expect((error as Error).message).toBe(
      `cascade_delete cleanup left 1 entity behind:\n  - organization ${org}: entity_tool.delete failed with validation_error: Referenced item not found or still referenced`,
    );
    expect(reports[0]!.failures[0]!.error).toBeInstanceOf(McpToolError);
    expect((error as LeftoverEntitiesError).report.leftovers.map((e) => e.id)).toEqual([org]);
    await db.pg.query('DELETE FROM fw_entities WHERE id = $1', [child]);
    await db.pg.query('DELETE FROM fw_entities WHERE id = $1', [org]);
  });

  test('a failing test is still cleaned up and its own error is what fails', async () => {
    let ids: string[] = [];
    const error = await harmful(
      async () => {
        ids = await createHierarchy(client);
        throw new Error('assertion failed in the test');
      },
      { client },
    )().catch((e: unknown) => e);
    expect((error as Error).message).toBe('assertion failed in the test');
    expect(await rowsFor(ids)).toEqual([]);
  });

  test('entities the test already deleted are reported as already gone, not as failures', async () => {
    const report = await harmful(
      async ({ client: c }) => {
        const created = await c.entity.create('organization', { name: 'self-deleted' });
        await c.entity.delete('organization', created.id, { soft_delete: false });
      },
      { client },
    )();
    expect(report.alreadyGone).toHaveLength(1);
    expect(report.failures).toEqual([]);
  });

  test('a custom probe (straight to the database) decides what counts as left over', async () => {
    const probed: string[] = [];
    const probe: LeftoverProbe = async (entity) => {
      probed.push(entity.id);
      return (await rowsFor([entity.id])).length > 0;
    };
    const report = await harmful(async () => void (await createHierarchy(client)), { client, probe })();
    expect(probed).toHaveLength(5);
    expect(report.leftovers).toEqual([]);
  });
});

describe('useHarmful hooks', () => {
  const created: string[] = [];
  const handle = useHarmful({ client: () => client });

  test('creates through the client are tracked for this test', async () => {
    created.push(...(await createHierarchy(client)));
    expect(handle.tracker.entities().map((e) => e.source)).toEqual(['auto', 'auto', 'auto', 'auto', 'auto']);
  });

  test('afterEach removed what the previous test created', async () => {
    expect(handle.lastReport?.removed).toHaveLength(5);
    expect(await rowsFor(created)).toEqual([]);
    expect(handle.tracker.size).toBe(0);
  });
});

describe('useHarmful with transaction_rollback', () => {
  let id = '';
  const handle = useHarmful({ client: () => client, strategy: 'transaction_rollback', rollback: () => db.scope });

  test('runs inside a transaction', async () => {
    expect(db.scope.active).toBe(true);
    id = (await client.entity.create('organization', { name: 'rolled back' })).id;
    expect(await rowsFor([id])).toHaveLength(1);
  });

  test('the previous test was rolled back', async () => {
    expect(handle.lastReport?.strategy).toBe('transaction_rollback');
    expect(await rowsFor([id])).toEqual([]);
  });
});
