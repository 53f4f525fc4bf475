/**
 * The tools honour the test framework's cleanup contract: entities created through entity_tool are tracked by
 * `harmful` from the results, removed through `delete` (hard or soft) in dependency order, and the leftover probe
 * (`read` with include_deleted) finds nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { harmful, useHarmful, type AtomsTestClient, type CleanupReport } from '@atoms/test-framework';
import type { FixtureUser } from '@atoms/test-framework/database';
import { openToolsHarness, type ToolsHarness } from '../core/harness.js';

type Row = Record<string, unknown> & { id: string };

let h: ToolsHarness;
let user: FixtureUser;
let client: AtomsTestClient;

beforeAll(async () => {
  h = await openToolsHarness();
  user = await h.fixtures.user();
  client = await h.clientFor(user);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function buildTree(c: AtomsTestClient) {
  const org = await c.entity.create<Row>('organization', { name: 'Harmful Org', type: 'team' });
  const project = await c.entity.create<Row>('project', { name: 'Harmful Project', organization_id: org.id });
  const doc = await c.entity.create<Row>('document', { name: 'Harmful Doc', project_id: project.id });
  const batch = await c.entity.batchCreate<{ results: { id: string }[] }>('requirement', [
    { name: 'H1', document_id: doc.id },
    { name: 'H2', document_id: doc.id },
  ]);
  const test = await c.entity.create<Row>('test', { title: 'Harmful test', project_id: project.id });
  return { org, project, doc, requirements: batch.results.map((r) => r.id), test };
}

describe('cascade_delete through the tools', () => {
  const tracked = useHarmful({ client: () => client, strategy: 'cascade_delete' });

  test('creates a tree that the cleanup removes completely', async () => {
    const tree = await buildTree(client);
    expect(
      tracked.tracker
        .entities()
        .map((e) => e.entityType)
        .sort(),
    ).toEqual(['document', 'organization', 'project', 'requirement', 'requirement', 'test'].sort());
    expect(await h.count('requirements', 'id = any($1)', [tree.requirements])).toBe(2);
  });

  test('the previous tree is gone from the database', async () => {
    expect(await h.count('organizations', "name = 'Harmful Org'", [])).toBe(0);
    expect(await h.count('requirements', "name in ('H1', 'H2')", [])).toBe(0);
  });
});

test('soft_delete strategy: soft-deleted through the tools, invisible to read afterwards', async () => {
  let report: CleanupReport | undefined;
  const run = harmful(
    async ({ client: c }) => {
      await buildTree(c);
    },
    { client: () => client, strategy: 'soft_delete', onReport: (r) => (report = r) },
  );
  await run();
  expect(report?.leftovers).toEqual([]);
  expect(report?.failures).toEqual([]);
  expect(await h.count('projects', "name = 'Harmful Project' and is_deleted = false", [])).toBe(0);
  expect(await h.count('projects', "name = 'Harmful Project' and is_deleted = true", [])).toBe(1);
}, 60_000);
