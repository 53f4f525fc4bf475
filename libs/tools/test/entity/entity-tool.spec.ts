import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { AtomsTestClient } from '@atoms/test-framework';
import type { FixtureWorkspace } from '@atoms/test-framework/database';
import { openToolsHarness, type ToolsHarness } from '../core/harness.js';
import { expectCode } from '../core/expect-tool-error.js';

type Row = Record<string, unknown> & { id: string };
interface Page {
  items: Row[];
  total: number;
  has_more: boolean;
  next_cursor: string | null;
  offset: number;
  limit: number;
}

let h: ToolsHarness;
let ws: FixtureWorkspace;
let owner: AtomsTestClient;
let viewer: AtomsTestClient;
let editor: AtomsTestClient;
let orgMember: AtomsTestClient;

beforeAll(async () => {
  h = await openToolsHarness();
  ws = await h.fixtures.workspace({ orgRoles: ['member'], projectRoles: ['editor', 'viewer'] });
  owner = await h.clientFor(ws.owner);
  viewer = await h.clientFor(ws.projectMembers.viewer!);
  editor = await h.clientFor(ws.projectMembers.editor!);
  orgMember = await h.clientFor(ws.orgMembers.member!);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('create', () => {
  test('"auto" resolves from the workspace context; large columns are never returned', async () => {
    await owner.workspace.setContext('organization', ws.organization.id);
    const project = await owner.entity.create<Row>('project', { name: 'Apollo Auto', organization_id: 'auto' });
    expect(project).toMatchObject({ name: 'Apollo Auto', organization_id: ws.organization.id, slug: 'apollo-auto' });
    expect(project).not.toHaveProperty('embedding');
    expect(project).not.toHaveProperty('fts_vector');
    expect(
      await h.count('project_members', "project_id = $1 and user_id = $2 and role = 'owner'", [
        project.id,
        ws.owner.id,
      ]),
    ).toBe(1);
  });

  test('a parent given by name; fields select the returned columns', async () => {
    const doc = await owner.entity.create<Row>(
      'document',
      { name: 'Named Parent Doc', project_id: ws.project.name },
      { fields: ['id', 'project_id'] },
    );
    expect(doc).toEqual({ id: doc.id, project_id: ws.project.id });
  });

  test('validation: unknown column, missing required field, bad enum, protected column', async () => {
    const unknown = await expectCode(
      owner.entity.create('document', { name: 'x', project_id: ws.project.id, colour: 'red' }),
      'validation_error',
    );
    expect(JSON.stringify(unknown.details)).toContain('colour');
    await expectCode(owner.entity.create('requirement', { name: 'no document' }), 'validation_error');
    await expectCode(
      owner.entity.create('requirement', { name: 'r', document_id: ws.document.id, status: 'bogus' }),
      'validation_error',
    );
    await expectCode(
      owner.entity.create('document', { name: 'x', project_id: ws.project.id, is_deleted: true }),
      'validation_error',
    );
    await expectCode(
      owner.entity.call('create', { entity_type: 'spaceship', data: { name: 'x' } }),
      'validation_error',
    );
    await expectCode(owner.entity.call('create', { entity_type: 'document' }), 'validation_error');
  });

  test('duplicate slug is a conflict', async () => {
    await owner.entity.create('document', { name: 'Spec A', slug: 'spec-dup', project_id: ws.project.id });
    const error = await expectCode(
      owner.entity.create('document', { name: 'Spec B', slug: 'spec-dup', project_id: ws.project.id }),
      'conflict',
    );
    expect(error.details).toMatchObject({ constraint: expect.stringContaining('slug') });
    expect(error.message).not.toMatch(/insert into|select /i);
  });

  test('a viewer and an org member without project role are refused; nothing is written', async () => {
    const before = await h.count('documents', 'project_id = $1', [ws.project.id]);
    await expectCode(
      viewer.entity.create('document', { name: 'Viewer doc', project_id: ws.project.id }),
      'permission_denied',
    );
    await expectCode(
      orgMember.entity.create('document', { name: 'Member doc', project_id: ws.project.id }),
      'permission_denied',
    );
    expect(await h.count('documents', 'project_id = $1', [ws.project.id])).toBe(before);
    const doc = await editor.entity.create<Row>('document', { name: 'Editor doc', project_id: ws.project.id });
    expect(doc.created_by).toBe(ws.projectMembers.editor!.id);
  });

  test('operation inference: data without id creates, id only reads, id + data updates', async () => {
    const created = (await owner.sdk.callTool({
      name: 'entity_tool',
      arguments: { entity_type: 'document', data: { name: 'Inferred', project_id: ws.project.id } },
    })) as unknown as { structuredContent: Row };
    const id = created.structuredContent.id;
    const readBack = (await owner.sdk.callTool({
      name: 'entity_tool',
      arguments: { entity_type: 'document', entity_id: id },
    })) as unknown as {
      structuredContent: Row;
    };
    expect(readBack.structuredContent.name).toBe('Inferred');
    const updated = (await owner.sdk.callTool({
      name: 'entity_tool',
      arguments: { entity_type: 'document', entity_id: id, data: { description: 'inferred update' } },
    })) as unknown as { structuredContent: Row };
    expect(updated.structuredContent.description).toBe('inferred update');
  });
});

describe('read', () => {
  test('by id, by exact name, by fuzzy name; unknown field refused', async () => {
    const [req] = ws.requirements;
    expect((await viewer.entity.read<Row>('requirement', req.id)).name).toBe(req.name);
    expect((await viewer.entity.read<Row>('document', ws.document.name.toLowerCase())).id).toBe(ws.document.id);
    expect((await owner.entity.read<Row>('project', ws.project.name.replace('Project', 'Projet'))).id).toBe(
      ws.project.id,
    );
    await expectCode(owner.entity.read('requirement', req.id, { fields: ['id', 'nope'] }), 'validation_error');
    await expectCode(owner.entity.read('requirement', req.id, { fields: ['embedding'] }), 'validation_error');
  });

  test('include_relations adds counts and children', async () => {
    const project = await viewer.entity.read<Row & { relations: Record<string, unknown> }>('project', ws.project.id, {
      include_relations: true,
    });
    expect(project.relations).toMatchObject({ document_count: expect.any(Number), members_truncated: false });
    expect((project.relations['members'] as Row[]).map((m) => m['user_id'])).toContain(ws.owner.id);
    const doc = await viewer.entity.read<Row & { relations: Record<string, unknown> }>('document', ws.document.id, {
      include_relations: true,
    });
    expect(doc.relations['requirement_count']).toBeGreaterThanOrEqual(2);
    const org = await owner.entity.read<Row & { relations: Record<string, unknown> }>(
      'organization',
      ws.organization.id,
      {
        include_relations: true,
      },
    );
    expect(org.relations['member_count']).toBe(4); // owner, member, editor, viewer
  });

  test('ambiguous names return candidates; missing ones not_found with suggestions', async () => {
    await owner.entity.create('document', { name: 'Twin Spec', project_id: ws.project.id });
    await owner.entity.create('document', { name: 'twin spec', project_id: ws.project.id });
    const ambiguous = await expectCode(owner.entity.read('document', 'Twin Spec'), 'validation_error');
    expect((ambiguous.details as { candidates: unknown[] }).candidates).toHaveLength(2);
    // The same name in two documents: parent_type + parent_id narrow the lookup.
    const other = await owner.entity.create<Row>('document', { name: 'Other doc', project_id: ws.project.id });
    await owner.entity.create('requirement', { name: 'Same Name', document_id: ws.document.id });
    const there = await owner.entity.create<Row>('requirement', { name: 'Same Name', document_id: other.id });
    await expectCode(owner.entity.read('requirement', 'Same Name'), 'validation_error');
    const scoped = await owner.entity.read<Row>('requirement', 'same name', {
      parent_type: 'document',
      parent_id: 'Other doc',
    });
    expect(scoped.id).toBe(there.id);
    await expectCode(owner.entity.read('requirement', 'Same Name', { parent_type: 'document' }), 'validation_error');
    await expectCode(owner.entity.read('document', '00000000-0000-4000-8000-000000000000'), 'not_found');
    const missing = await expectCode(owner.entity.read('document', 'zzqqxx nothing like it'), 'not_found');
    expect(missing.details).toHaveProperty('suggestions');
  });

  test('a user outside the organization cannot see it (not_found, nothing leaked)', async () => {
    const stranger = await h.clientFor(await h.fixtures.user());
    const error = await expectCode(stranger.entity.read('project', ws.project.id), 'not_found');
    expect(JSON.stringify(error.details ?? {})).not.toContain(ws.project.name);
    await expectCode(stranger.entity.read('project', ws.project.name), 'not_found');
  });
});

describe('update', () => {
  test('expected_version: the right version updates, a stale one is a conflict and changes nothing', async () => {
    const req = await owner.entity.create<Row>('requirement', { name: 'Versioned', document_id: ws.document.id });
    expect(req.version).toBe(1);
    const v2 = await editor.entity.update<Row>(
      'requirement',
      req.id,
      { description: 'second' },
      { expected_version: 1 },
    );
    expect(v2.version).toBe(2);
    const stale = await expectCode(
      owner.entity.update('requirement', req.id, { description: 'lost?' }, { expected_version: 1 }),
      'conflict',
    );
    expect(stale.details).toMatchObject({ current_version: 2, expected_version: 1 });
    expect((await owner.entity.read<Row>('requirement', req.id)).description).toBe('second');
  });

  test('refusals: viewer (permission_denied), missing row (not_found), empty data, version on an unversioned type', async () => {
    const [req] = ws.requirements;
    await expectCode(viewer.entity.update('requirement', req.id, { description: 'viewer' }), 'permission_denied');
    await expectCode(orgMember.entity.update('project', ws.project.id, { description: 'member' }), 'permission_denied');
    await expectCode(
      owner.entity.update('requirement', '00000000-0000-4000-8000-000000000000', { name: 'x' }),
      'not_found',
    );
    await expectCode(owner.entity.update('requirement', req.id, {}), 'validation_error');
    await expectCode(
      owner.entity.update('organization', ws.organization.id, { description: 'x' }, { expected_version: 1 }),
      'validation_error',
    );
    expect(await h.count('requirements', "id = $1 and description = 'viewer'", [req.id])).toBe(0);
  });
});

describe('delete, archive, restore', () => {
  test('soft delete hides the row (read include_deleted sees it); hard delete removes it', async () => {
    const doc = await owner.entity.create<Row>('document', { name: 'Short lived', project_id: ws.project.id });
    await expect(owner.entity.delete('document', doc.id)).resolves.toMatchObject({ success: true, soft_delete: true });
    await expectCode(owner.entity.read('document', doc.id), 'not_found');
    expect(await owner.entity.read<Row>('document', doc.id, { include_deleted: true })).toMatchObject({
      is_deleted: true,
    });
    await expectCode(owner.entity.delete('document', doc.id), 'not_found');
    await owner.entity.delete('document', doc.id, { soft_delete: false });
    expect(await h.count('documents', 'id = $1', [doc.id])).toBe(0);
  });

  test('a viewer and an editor cannot delete a project; tables without soft delete need soft_delete false', async () => {
    await expectCode(viewer.entity.delete('project', ws.project.id), 'permission_denied');
    await expectCode(editor.entity.delete('project', ws.project.id, { soft_delete: false }), 'permission_denied');
    await expectCode(owner.entity.delete('requirement_test', ws.requirementTest.id), 'validation_error');
    expect(await h.count('projects', 'id = $1 and is_deleted = false', [ws.project.id])).toBe(1);
  });

  test('archive cascades to the children; restore brings back exactly those', async () => {
    const project = await owner.entity.create<Row>('project', { name: 'Cascade', organization_id: ws.organization.id });
    const kept = await owner.entity.create<Row>('document', { name: 'Kept', project_id: project.id });
    const gone = await owner.entity.create<Row>('document', { name: 'Gone before', project_id: project.id });
    await owner.entity.delete('document', gone.id);
    const archived = await owner.entity.archive<Row>('project', project.id);
    expect(archived.is_deleted).toBe(true);
    await expectCode(owner.entity.read('document', kept.id), 'not_found');
    const listed = await owner.entity.list<Page>('document', { filters: { project_id: project.id } });
    expect(listed.total).toBe(0);
    await expectCode(owner.entity.archive('project', project.id), 'not_found');
    await expectCode(owner.entity.restore('document', kept.id), 'validation_error'); // parent still deleted
    const restored = await owner.entity.restore<Row>('project', project.id);
    expect(restored.is_deleted).toBe(false);
    expect((await owner.entity.read<Row>('document', kept.id)).is_deleted).toBe(false);
    await expectCode(owner.entity.read('document', gone.id), 'not_found');
    await expectCode(owner.entity.restore('project', project.id), 'validation_error');
    await expectCode(viewer.entity.archive('project', ws.project.id), 'permission_denied');
  });
});

describe('list, search, paging', () => {
  let docId: string;
  beforeAll(async () => {
    const doc = await owner.entity.create<Row>('document', { name: 'Bulk doc', project_id: ws.project.id });
    docId = doc.id;
    for (let start = 0; start < 250; start += 100) {
      const batch = Array.from({ length: Math.min(100, 250 - start) }, (_, i) => ({
        name: `Bulk requirement ${String(start + i).padStart(3, '0')}`,
        document_id: docId,
        priority: (start + i) % 2 === 0 ? 'high' : 'low',
      }));
      const result = await owner.entity.batchCreate<{ created: number }>('requirement', batch);
      expect(result.created).toBe(batch.length);
    }
  });

  test('a cursor walk over 250 rows returns each exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await viewer.entity.list<Page>('requirement', {
        filters: { document_id: docId },
        order_by: 'name',
        limit: 37,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.total).toBe(250);
      seen.push(...page.items.map((r) => r.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(7);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  test('offset paging, default and maximum limits', async () => {
    const first = await owner.entity.list<Page>('requirement', { filters: { document_id: docId } });
    expect(first.limit).toBe(20);
    expect(first.items).toHaveLength(20);
    expect(first.has_more).toBe(true);
    const last = await owner.entity.list<Page>('requirement', {
      filters: { document_id: docId },
      limit: 100,
      offset: 200,
    });
    expect(last.items).toHaveLength(50);
    expect(last.has_more).toBe(false);
    expect(last.next_cursor).toBeNull();
    await expectCode(owner.entity.list('requirement', { limit: 101 }), 'validation_error');
    await expectCode(
      owner.entity.list('requirement', { filters: { document_id: ws.document.id }, cursor: first.next_cursor }),
      'validation_error',
    );
  });

  test('filters with operators, order_by, parent; unknown columns refused before querying', async () => {
    const high = await owner.entity.list<Page>('requirement', {
      filters: { document_id: docId, priority: { in: ['high'] }, name: { ilike: '%00%' } },
      order_by: ['name:desc'],
      fields: ['id', 'name', 'priority'],
    });
    expect(high.items.every((r) => r.priority === 'high' && Object.keys(r).length === 3)).toBe(true);
    const names = high.items.map((r) => r.name as string);
    expect([...names].sort().reverse()).toEqual(names);
    const byParent = await owner.entity.list<Page>('requirement', { parent_type: 'document', parent_id: 'Bulk doc' });
    expect(byParent.total).toBe(250);
    await expectCode(owner.entity.list('requirement', { filters: { shoe_size: 3 } }), 'validation_error');
    await expectCode(owner.entity.list('requirement', { order_by: 'shoe_size' }), 'validation_error');
    await expectCode(owner.entity.list('requirement', { filters: { priority: { near: 1 } } }), 'validation_error');
  });

  test('a misspelt name among 250 similar ones: the right row first among the candidates', async () => {
    const target = await owner.entity.list<Page>('requirement', {
      filters: { document_id: docId, name: 'Bulk requirement 123' },
    });
    const error = await expectCode(owner.entity.read('requirement', 'Bulk requirment 123'), 'validation_error');
    const details = error.details as { candidates: { id: string }[] };
    expect(details.candidates[0]!.id).toBe(target.items[0]!.id);
    const exact = await owner.entity.read<Row>('requirement', 'bulk REQUIREMENT 123');
    expect(exact.id).toBe(target.items[0]!.id);
  });

  test('search matches names, paged', async () => {
    const found = await viewer.entity.search<Page & { matched_on: string }>('requirement', 'requirement 24', {
      limit: 5,
    });
    expect(found.matched_on).toBe('name');
    expect(found.total).toBe(10); // 240..249
    expect(found.items).toHaveLength(5);
    expect(found.has_more).toBe(true);
  });
});

describe('batch and bulk', () => {
  test('batch_create is all or nothing; continue_on_error reports per item', async () => {
    const before = await h.count('requirements', 'document_id = $1', [ws.document.id]);
    const error = await expectCode(
      owner.entity.batchCreate('requirement', [
        { name: 'ok 1', document_id: ws.document.id },
        { name: 'bad', document_id: ws.document.id, status: 'bogus' },
      ]),
      'validation_error',
    );
    expect(error.details).toMatchObject({ index: 1 });
    expect(await h.count('requirements', 'document_id = $1', [ws.document.id])).toBe(before);
    const partial = await owner.entity.batchCreate<{
      created: number;
      failed: number;
      results: { index: number; ok: boolean; id?: string }[];
    }>(
      'requirement',
      [
        { name: 'ok 2', document_id: ws.document.id },
        { name: 'bad', document_id: ws.document.id, status: 'bogus' },
      ],
      { continue_on_error: true },
    );
    expect(partial).toMatchObject({ created: 1, failed: 1 });
    expect(partial.results[0]).toMatchObject({ index: 0, ok: true });
    expect(partial.results[1]).toMatchObject({
      index: 1,
      ok: false,
      error: { code: 'validation_error', sql_state: '22P02' },
    });
    await expectCode(
      owner.entity.batchCreate(
        'requirement',
        Array.from({ length: 101 }, () => ({ name: 'x' })),
      ),
      'validation_error',
    );
    await expectCode(
      viewer.entity.batchCreate('requirement', [{ name: 'v', document_id: ws.document.id }]),
      'permission_denied',
    );
  });

  test('batch_create sends progress notifications when asked', async () => {
    const progress: number[] = [];
    await owner.entity.call(
      'batch_create',
      { entity_type: 'requirement', batch: [{ name: 'p1', document_id: ws.document.id }] },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(progress).toEqual([0, 1]);
  });

  test('bulk_update and bulk_delete in one transaction; a missing id changes nothing', async () => {
    const a = await owner.entity.create<Row>('requirement', { name: 'Bulk A', document_id: ws.document.id });
    const b = await owner.entity.create<Row>('requirement', { name: 'Bulk B', document_id: ws.document.id });
    const updated = await editor.entity.bulkUpdate<{ updated: number; items: Row[] }>('requirement', [a.id, 'Bulk B'], {
      priority: 'critical',
    });
    expect(updated.updated).toBe(2);
    expect(updated.items.every((r) => r.priority === 'critical' && !('embedding' in r))).toBe(true);
    await expectCode(
      owner.entity.bulkUpdate('requirement', [a.id, '00000000-0000-4000-8000-000000000000'], { priority: 'low' }),
      'not_found',
    );
    expect(await h.count('requirements', "id = $1 and priority = 'critical'", [a.id])).toBe(1);
    const refused = await expectCode(viewer.entity.bulkDelete('requirement', [a.id, b.id]), 'permission_denied');
    expect(refused.message).toMatch(/You may not change these requirement entries; nothing was changed/);
    await expectCode(owner.entity.bulkDelete('requirement', ['00000000-0000-4000-8000-000000000000']), 'not_found');
    const deleted = await owner.entity.bulkDelete<{ deleted: number; soft_delete: boolean }>('requirement', [
      a.id,
      b.id,
    ]);
    expect(deleted).toMatchObject({ deleted: 2, soft_delete: true });
    expect(await h.count('requirements', 'id = any($1) and is_deleted', [[a.id, b.id]])).toBe(2);
  });
});

describe('history and restore_version', () => {
  test('history lists versions newest first; restore_version writes an old snapshot as a new version', async () => {
    const req = await owner.entity.create<Row>('requirement', {
      name: 'History',
      description: 'v1',
      document_id: ws.document.id,
    });
    await owner.entity.update('requirement', req.id, { description: 'v2' });
    await owner.entity.update('requirement', req.id, { description: 'v3' });
    const history = await viewer.entity.history<{ items: { version: number; data: Row }[]; total: number }>(
      'requirement',
      req.id,
    );
    expect(history.total).toBe(3);
    expect(history.items.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(history.items[2]!.data.description).toBe('v1');
    const restored = await owner.entity.restoreVersion<Row>('requirement', req.id, 1);
    expect(restored).toMatchObject({ description: 'v1', version: 4 });
    expect((await owner.entity.history<{ total: number }>('requirement', req.id)).total).toBe(4);
    await expectCode(owner.entity.restoreVersion('requirement', req.id, 99), 'not_found');
    await expectCode(viewer.entity.restoreVersion('requirement', req.id, 2), 'permission_denied');
    expect((await owner.entity.read<Row>('requirement', req.id)).version).toBe(4);
  });
});
