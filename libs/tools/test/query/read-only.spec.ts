import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { AtomsTestClient } from '@atoms/test-framework';
import type { FixtureWorkspace } from '@atoms/test-framework/database';
import { openQueryHarness, type QueryHarness } from './query-harness.js';

// A read-only server without an embeddings provider: what still works, and how the rest is refused.
let h: QueryHarness;
let ws: FixtureWorkspace;
let owner: AtomsTestClient;

beforeAll(async () => {
  h = await openQueryHarness({ readOnly: true, embeddings: null });
  ws = await h.fixtures.workspace();
  owner = await h.clientFor(ws.owner);
});
afterAll(() => h?.close());

test('workflow_tool is not advertised and refused; query_tool stays', async () => {
  const names = (await owner.listTools()).map((t) => t.name);
  expect(names).toEqual(['query_tool']);
  const refused = await owner.expectToolError('workflow_tool', {
    workflow: 'setup_project',
    parameters: { organization_id: ws.organization.id, name: 'No' },
  });
  expect(refused.code).toBe('permission_denied');
  expect(
    await h.serviceCount(
      async (s) => (await s.select('projects', { columns: ['id'], count: 'exact', limit: 1 })).count ?? 0,
    ),
  ).toBe(1);
});

test('rag_search back-fill writes embeddings, so it is refused on a read-only server', async () => {
  const error = await owner.expectToolError('query_tool', {
    query_type: 'rag_search',
    entities: ['requirement'],
    search_term: 'x',
    rag_mode: 'keyword',
    backfill: true,
  });
  expect(error.code).toBe('permission_denied');
});

test('without an embeddings provider: semantic is unavailable with a hint, keyword works, auto short queries work', async () => {
  const semantic = await owner.expectToolError('query_tool', {
    query_type: 'rag_search',
    entities: ['requirement'],
    search_term: 'three word query',
    rag_mode: 'semantic',
  });
  expect(semantic.code).toBe('unavailable');
  expect(semantic.hint).toMatch(/keyword/);
  const keyword = await owner.query.ragSearch<Record<string, unknown>>(['requirement'], 'requirement', {
    rag_mode: 'keyword',
  });
  expect(keyword['mode']).toBe('keyword');
  expect(keyword['total_results']).toBe(2);
  expect(keyword['embedding_model']).toBeUndefined();
  const auto = await owner.query.ragSearch<Record<string, unknown>>(['requirement'], 'three word requirement');
  expect(auto).toMatchObject({ mode: 'keyword', mode_reason: 'auto: no embeddings provider configured' });
  const similar = await owner.expectToolError('query_tool', {
    query_type: 'similarity',
    entities: ['requirement'],
    content: 'x',
  });
  expect(similar.code).toBe('unavailable');
});
