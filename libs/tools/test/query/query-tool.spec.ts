import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { McpToolError, useHarmful, type AtomsTestClient } from '@atoms/test-framework';
import type { FixtureUser, FixtureWorkspace } from '@atoms/test-framework/database';
import type { Row } from '@atoms/schema';
import { Validator } from '@cfworker/json-schema';
import { localEmbeddingProvider } from '../../src/embeddings/local-provider.js';
import { processEmbeddingQueue } from '../../src/embeddings/queue-worker.js';
import { openQueryHarness, type QueryHarness } from './query-harness.js';

type Json = Record<string, any>;

let h: QueryHarness;
let ws: FixtureWorkspace;
let owner: AtomsTestClient;
let viewer: AtomsTestClient;
let outsider: AtomsTestClient;
let outsiderUser: FixtureUser;
let reqs: Record<string, Row<'requirements'>>;

beforeAll(async () => {
  h = await openQueryHarness();
  ws = await h.fixtures.workspace({ projectRoles: ['viewer'] });
  outsiderUser = await h.fixtures.user();
  owner = await h.clientFor(ws.owner);
  viewer = await h.clientFor(ws.projectMembers.viewer!);
  outsider = await h.clientFor(outsiderUser);
  const make = (name: string, description: string, fields: Json = {}) =>
    h.fixtures.requirement(ws.document, ws.owner, { name, description, ...fields });
  reqs = {
    reset: await make(
      'Password reset by email',
      'The system shall send a reset link to the registered email address.',
      {
        priority: 'high',
      },
    ),
    login: await make('User login', 'Users authenticate with a password and a second factor.'),
    telemetry: await make('Telemetry downlink', 'Frames are downlinked every orbit; mentions password once.'),
    audit: await make('Audit trail', 'Every change is recorded with actor and time.', { status: 'approved' }),
  };
  // The outsider's own organization has a requirement that must never show up for org A's users (and vice versa).
  const otherOrg = await h.fixtures.organization(outsiderUser);
  const otherProject = await h.fixtures.project(otherOrg, outsiderUser);
  const otherDoc = await h.fixtures.document(otherProject, outsiderUser);
  await h.fixtures.requirement(otherDoc, outsiderUser, { name: 'Password reset secret of org B' });
  while (
    (await processEmbeddingQueue({ db: h.database, provider: localEmbeddingProvider(), batchSize: 100 })).claimed > 0
  );
}, 60_000);
afterAll(() => h?.close());

useHarmful({
  client: () => owner,
  strategy: 'transaction_rollback',
  rollback: () => h.env.rollback,
  probe: (entity, strategy) => h.probe(entity, strategy),
});

async function refused(client: AtomsTestClient, args: Json): Promise<McpToolError> {
  return client.expectToolError('query_tool', args);
}

describe('contract', () => {
  test('every query_type result validates against the advertised output schema', async () => {
    const tool = (await owner.listTools()).find((t) => t.name === 'query_tool')!;
    const validator = new Validator(tool.outputSchema as never, '7', false);
    const calls: Json[] = [
      { query_type: 'search', entities: ['requirement', 'project'], search_term: 'password' },
      { query_type: 'aggregate', entities: ['requirement', 'test', 'organization'] },
      { query_type: 'analyze', entities: ['organization', 'project', 'document', 'requirement', 'test'] },
      { query_type: 'relationships', entities: [] },
      {
        query_type: 'rag_search',
        entities: ['requirement', 'document'],
        search_term: 'reset link by email',
        rag_mode: 'hybrid',
        similarity_threshold: 0,
      },
      { query_type: 'similarity', entities: ['requirement'], content: 'password' },
      { query_type: 'trace', entities: ['requirement'], entity_id: ws.requirements[1].id },
      { query_type: 'coverage', entities: ['requirement'], project_id: ws.project.id },
    ];
    for (const args of calls) {
      const result = await owner.callToolRaw('query_tool', args);
      expect(result.isError).toBeFalsy();
      const check = validator.validate(result.structuredContent);
      expect({ query_type: args['query_type'], errors: check.errors.slice(0, 3) }).toEqual({
        query_type: args['query_type'],
        errors: [],
      });
    }
    const error = await owner.callToolRaw('query_tool', {
      query_type: 'trace',
      entity_id: ws.requirements[1].id,
      depth: 0,
    });
    expect(error.isError).toBe(true);
    expect(validator.validate(error.structuredContent).valid).toBe(true);
  });
});

describe('search', () => {
  test('full-text, ranked: a name match (weight A) beats a description match (weight B); mode reported', async () => {
    const r = await owner.query.search<Json>(['requirement'], 'password');
    expect(r['mode']).toBe('full_text');
    const ids = r['results'].map((x: Json) => x.id);
    expect(ids).toEqual(expect.arrayContaining([reqs['reset']!.id, reqs['login']!.id, reqs['telemetry']!.id]));
    expect(ids.indexOf(reqs['reset']!.id)).toBeLessThan(ids.indexOf(reqs['telemetry']!.id));
    const ranks = r['results'].map((x: Json) => x.rank);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    expect(r['results_by_entity']['requirement'].total).toBe(3);
  });

  test('paging per entity type: total, has_more, offset', async () => {
    const first = await owner.query.search<Json>(['requirement'], 'password', { limit: 2 });
    expect(first['results_by_entity']['requirement']).toMatchObject({ total: 3, count: 2, has_more: true });
    const second = await owner.query.search<Json>(['requirement'], 'password', { limit: 2, offset: 2 });
    expect(second['results_by_entity']['requirement']).toMatchObject({ count: 1, has_more: false });
    const all = [...first['results'], ...second['results']].map((x: Json) => x.id);
    expect(new Set(all).size).toBe(3);
  });

  test('several entity types and a project filter', async () => {
    const r = await owner.query.search<Json>(['project', 'requirement', 'organization'], 'password', {
      project_id: ws.project.id,
    });
    expect(r['entities_searched']).toEqual(['project', 'requirement', 'organization']);
    expect(r['results_by_entity']['organization'].total).toBe(0);
    expect(r['results_by_entity']['requirement'].total).toBe(3);
  });

  test('RLS: a user of another organization finds nothing of org A, and org A never sees org B', async () => {
    const r = await outsider.query.search<Json>(['requirement'], 'password');
    expect(r['results'].map((x: Json) => x.name)).toEqual(['Password reset secret of org B']);
    const a = await owner.query.search<Json>(['requirement'], 'secret');
    expect(a['total_results']).toBe(0);
  });

  test('validation: empty term, unknown entity type, limit over 100', async () => {
    expect((await refused(owner, { query_type: 'search', entities: ['requirement'], search_term: ' ' })).code).toBe(
      'validation_error',
    );
    expect((await refused(owner, { query_type: 'search', entities: ['spaceship'], search_term: 'x' })).code).toBe(
      'validation_error',
    );
    expect(
      (await refused(owner, { query_type: 'search', entities: ['requirement'], search_term: 'x', limit: 101 })).code,
    ).toBe('validation_error');
    expect((await refused(owner, { query_type: 'explode', entities: ['requirement'] })).code).toBe('validation_error');
  });
});

describe('aggregate and analyze', () => {
  test('aggregate: totals, recent, status and priority breakdowns, with conditions', async () => {
    const r = await owner.query.aggregate<Json>(['requirement', 'test']);
    const req = r['results']['requirement'];
    expect(req.total_count).toBe(6);
    expect(req.recent_count).toBe(6);
    expect(req.status_breakdown).toMatchObject({ active: 5, approved: 1, rejected: 0 });
    expect(req.priority_breakdown['high']).toBe(1);
    expect(r['results']['test'].total_count).toBe(1);
    const filtered = await owner.query.aggregate<Json>(['requirement'], { conditions: { status: 'approved' } });
    expect(filtered['results']['requirement'].total_count).toBe(1);
    expect((await outsider.query.aggregate<Json>(['requirement']))['results']['requirement'].total_count).toBe(1);
  });

  test('aggregate: a condition on an unknown column is a validation error', async () => {
    const e = await refused(owner, { query_type: 'aggregate', entities: ['requirement'], conditions: { nope: 1 } });
    expect(e.code).toBe('validation_error');
  });

  test('analyze: per-type structure statistics', async () => {
    const r = await owner.query.analyze<Json>(['organization', 'project', 'document', 'requirement', 'test']);
    expect(r['results']['project']).toMatchObject({ total_count: 1, complexity: { small: 1, medium: 0, large: 0 } });
    expect(r['results']['project'].requirements_per_project).toEqual({ avg: 6, min: 6, max: 6 });
    expect(r['results']['document'].requirements_per_document.max).toBe(6);
    expect(r['results']['requirement']).toMatchObject({ total_count: 6, with_tests: 1 });
    expect(r['results']['requirement'].test_coverage_ratio).toBeCloseTo(1 / 6, 4);
    expect(r['results']['organization'].total_count).toBeGreaterThanOrEqual(2); // own personal org + org A
    const other = await outsider.query.analyze<Json>(['project', 'requirement']);
    expect(other['results']['project'].total_count).toBe(1); // only its own
    expect(other['results']['requirement'].total_count).toBe(1);
  });
});

describe('relationships', () => {
  test('counts and samples per link kind, optionally around one entity', async () => {
    const r = await owner.query.relationships<Json>(['requirement']);
    expect(r['relationships']['trace_links'].total).toBe(1);
    expect(r['relationships']['requirement_tests'].total).toBe(1);
    expect(r['relationships']['organization_members'].total).toBeGreaterThanOrEqual(2);
    const around = await owner.query.relationships<Json>([], {
      entity_id: ws.requirements[1].id,
      types: ['trace_links'],
    });
    expect(around['relationships']['trace_links'].samples[0]).toMatchObject({ source_id: ws.requirements[1].id });
    const other = await outsider.query.relationships<Json>([], { entity_id: ws.requirements[1].id });
    expect(Object.values(other['relationships']).every((v: any) => v.total === 0)).toBe(true);
  });
});

describe('rag_search', () => {
  test('keyword mode ranks by full-text and says so', async () => {
    const r = await owner.query.ragSearch<Json>(['requirement'], 'password', { rag_mode: 'keyword' });
    expect(r['mode']).toBe('keyword');
    expect(r['results'][0].id).toBe(reqs['reset']!.id);
    expect(r['results'].every((x: Json) => x.matched_by.includes('keyword'))).toBe(true);
  });

  test('auto: short queries run keyword, queries of 3+ words run semantic', async () => {
    expect((await owner.query.ragSearch<Json>(['requirement'], 'password reset'))['mode']).toBe('keyword');
    const r = await owner.query.ragSearch<Json>(['requirement'], 'send reset link by email');
    expect(r['mode_requested']).toBe('auto');
    expect(r['mode']).toBe('semantic');
    expect(r['mode_reason']).toBe('auto: 3 or more words');
    expect(r['embedding_model']).toBe('local-hash-v1');
    expect(r['results'][0].id).toBe(reqs['reset']!.id);
    const sims = r['results'].map((x: Json) => x.similarity);
    expect([...sims].sort((a, b) => b - a)).toEqual(sims);
    expect(r['not_embedded']).toEqual({ requirement: 0 });
  });

  test('hybrid: 0.7 semantic + 0.3 normalised keyword; rows found both ways rank first', async () => {
    const r = await owner.query.ragSearch<Json>(['requirement'], 'password reset email', {
      rag_mode: 'hybrid',
      similarity_threshold: 0,
    });
    expect(r['mode']).toBe('hybrid');
    const top = r['results'][0];
    expect(top.id).toBe(reqs['reset']!.id);
    expect(top.matched_by).toEqual(['semantic', 'keyword']);
    expect(top.score).toBeCloseTo(0.7 * top.similarity + 0.3, 6); // best keyword rank normalises to 1
    const scores = r['results'].map((x: Json) => x.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  test('RLS: semantic search of another organization finds only its own rows', async () => {
    const r = await outsider.query.ragSearch<Json>(['requirement'], 'password reset by email', {
      rag_mode: 'semantic',
      similarity_threshold: 0,
    });
    expect(r['results'].map((x: Json) => x.name)).toEqual(['Password reset secret of org B']);
  });

  test('backfill embeds rows without an embedding first, with progress notifications', async () => {
    const fresh = await h.fixtures.requirement(ws.document, ws.owner, { name: 'Quantum entanglement budget' });
    const before = await owner.query.ragSearch<Json>(['requirement'], 'quantum entanglement budget', {
      rag_mode: 'semantic',
    });
    expect(before['results'].map((x: Json) => x.id)).not.toContain(fresh.id);
    expect(before['not_embedded']['requirement']).toBe(1);
    const progress: number[] = [];
    const raw = await owner.sdk.callTool(
      {
        name: 'query_tool',
        arguments: {
          query_type: 'rag_search',
          entities: ['requirement'],
          search_term: 'quantum entanglement budget',
          rag_mode: 'semantic',
          backfill: true,
        },
      },
      undefined,
      { onprogress: (p) => void progress.push(p.progress) },
    );
    const r = raw.structuredContent as Json;
    expect(r['backfill']).toEqual({ embedded: 1, remaining: 0 });
    expect(r['results'][0].id).toBe(fresh.id);
    expect(progress).toEqual([1]);
  });

  test('validation: unknown mode, entity type without embeddings', async () => {
    const base = { query_type: 'rag_search', entities: ['requirement'], search_term: 'x' };
    expect((await refused(owner, { ...base, rag_mode: 'psychic' })).code).toBe('validation_error');
    expect((await refused(owner, { ...base, entities: ['test'] })).code).toBe('validation_error');
  });
});

describe('similarity', () => {
  test('neighbours of a text, and of an entity (itself excluded)', async () => {
    const byText = await owner.query.similarity<Json>(['requirement'], 'password reset link email');
    expect(byText['mode']).toBe('semantic');
    expect(byText['results'][0].id).toBe(reqs['reset']!.id);
    const byEntity = await owner.query.run<Json>('similarity', {
      entity_type: 'requirement',
      entity_id: reqs['login']!.id,
      similarity_threshold: 0,
    });
    expect(byEntity['source']).toEqual({ kind: 'entity', entity_type: 'requirement', id: reqs['login']!.id });
    expect(byEntity['results'].map((x: Json) => x.id)).not.toContain(reqs['login']!.id);
    expect(byEntity['results'].length).toBeGreaterThan(0);
  });

  test('errors: both or neither source, unknown / invisible entity', async () => {
    expect((await refused(owner, { query_type: 'similarity', entities: ['requirement'] })).code).toBe(
      'validation_error',
    );
    expect(
      (
        await refused(owner, {
          query_type: 'similarity',
          entities: ['requirement'],
          content: 'x',
          entity_id: reqs['login']!.id,
        })
      ).code,
    ).toBe('validation_error');
    const hidden = await refused(outsider, {
      query_type: 'similarity',
      entity_type: 'requirement',
      entity_id: reqs['login']!.id,
    });
    expect(hidden.code).toBe('not_found');
  });
});

describe('trace', () => {
  test('walks upstream and downstream to a depth; cycles are reported, not followed', async () => {
    // fixture: requirements[1] derives_from requirements[0]. Add reset -> requirements[1] and requirements[0] -> reset (cycle).
    const [base, derived] = ws.requirements;
    await h.fixtures.traceLink(reqs['reset']!, derived, ws.owner, 'implements');
    await h.fixtures.traceLink(base, reqs['reset']!, ws.owner, 'relates_to');
    const up = await owner.query.trace<Json>(['requirement'], {
      entity_id: reqs['reset']!.id,
      direction: 'upstream',
      depth: 5,
    });
    expect(up['root']).toMatchObject({ id: reqs['reset']!.id, name: 'Password reset by email' });
    const nodes = Object.fromEntries(up['nodes'].map((n: Json) => [n.id, n]));
    expect(nodes[derived.id]).toMatchObject({ depth: 1, direction: 'upstream', name: derived.name });
    expect(nodes[base.id]).toMatchObject({ depth: 2, direction: 'upstream' });
    expect(up['cycles']).toEqual([expect.objectContaining({ from: base.id, to: reqs['reset']!.id })]);
    expect(up['edges']).toHaveLength(3);

    const shallow = await owner.query.trace<Json>(['requirement'], {
      entity_id: reqs['reset']!.id,
      direction: 'upstream',
      depth: 1,
    });
    expect(shallow['nodes']).toHaveLength(2);
    expect(shallow['more_beyond_depth']).toBe(true);

    const down = await owner.query.trace<Json>(['requirement'], {
      entity_id: base.id,
      direction: 'downstream',
      depth: 1,
    });
    expect(down['nodes'].map((n: Json) => n.id)).toEqual([base.id, derived.id]);
  });

  test('the root may be named instead of given by id', async () => {
    const r = await owner.query.trace<Json>(['requirement'], { entity_id: 'password reset by email', depth: 1 });
    expect(r['root'].id).toBe(reqs['reset']!.id);
  });

  test('an entity the caller cannot see is not_found; bad depth is a validation error', async () => {
    expect(
      (await refused(outsider, { query_type: 'trace', entities: ['requirement'], entity_id: reqs['reset']!.id })).code,
    ).toBe('not_found');
    expect(
      (
        await refused(owner, {
          query_type: 'trace',
          entities: ['requirement'],
          entity_id: reqs['reset']!.id,
          depth: 11,
        })
      ).code,
    ).toBe('validation_error');
  });
});

describe('coverage', () => {
  test('per requirement its tests and latest execution; totals covered / passing / failing / uncovered', async () => {
    const t2 = await h.fixtures.test(ws.project, ws.owner, { title: 'Reset works' });
    await h.fixtures.requirementTest(reqs['reset']!, t2, ws.owner, {
      execution_status: 'failed',
      executed_at: '2026-01-01T00:00:00Z',
    });
    const t3 = await h.fixtures.test(ws.project, ws.owner, { title: 'Reset works now' });
    await h.fixtures.requirementTest(reqs['login']!, t3, ws.owner, {
      execution_status: 'passed',
      executed_at: '2026-01-02T00:00:00Z',
    });
    await h.fixtures.requirementTest(reqs['login']!, t2, ws.owner, {
      execution_status: 'failed',
      executed_at: '2026-01-01T00:00:00Z',
    });
    const r = await owner.query.coverage<Json>(['requirement'], { project_id: ws.project.id });
    expect(r['totals']).toEqual({
      requirements: 6,
      covered: 3,
      uncovered: 3,
      passing: 1,
      failing: 1,
      not_run: 1, // the fixture's link is not_executed
      coverage_percent: 50,
    });
    const byId = Object.fromEntries(r['requirements'].map((x: Json) => [x.id, x]));
    expect(byId[reqs['login']!.id]).toMatchObject({ status: 'passing', latest_execution_status: 'passed' });
    expect(byId[reqs['login']!.id].tests).toHaveLength(2);
    expect(byId[reqs['reset']!.id]).toMatchObject({ status: 'failing' });
    expect(byId[reqs['audit']!.id]).toMatchObject({ status: 'uncovered', tests: [] });

    const failing = await owner.query.coverage<Json>(['requirement'], {
      document_id: ws.document.id,
      status: 'failing',
    });
    expect(failing['requirements'].map((x: Json) => x.id)).toEqual([reqs['reset']!.id]);
    const page = await owner.query.coverage<Json>(['requirement'], { project_id: ws.project.id, limit: 4 });
    expect(page).toMatchObject({ total: 6, has_more: true, next_offset: 4 });
    expect(page['requirements']).toHaveLength(4);
  });

  test('scope by project name, or "auto" from the workspace defaults; unknown name is not_found', async () => {
    const byName = await owner.query.coverage<Json>(['requirement'], { project_id: ws.project.name });
    expect(byName['scope']).toEqual({ project_id: ws.project.id });
    // "auto" reads the persisted workspace context (rolled back with the test).
    await h.fixtures.as(ws.owner, (s) =>
      s.insert('workspace_contexts', {
        user_id: ws.owner.id,
        organization_id: ws.organization.id,
        project_id: ws.project.id,
      }),
    );
    const auto = await owner.query.coverage<Json>(['requirement'], { project_id: 'auto' });
    expect(auto['scope']['project_id']).toBe(ws.project.id);
    const missing = await refused(owner, { query_type: 'coverage', project_id: 'no such project zzzz' });
    expect(missing.code).toBe('not_found');
  });

  test('a viewer sees coverage; an outsider gets not_found; no scope is a validation error', async () => {
    expect(
      (await viewer.query.coverage<Json>(['requirement'], { project_id: ws.project.id }))['totals'].requirements,
    ).toBe(6);
    expect(
      (await refused(outsider, { query_type: 'coverage', entities: ['requirement'], project_id: ws.project.id })).code,
    ).toBe('not_found');
    expect((await refused(owner, { query_type: 'coverage', entities: ['requirement'] })).code).toBe('validation_error');
  });
});
