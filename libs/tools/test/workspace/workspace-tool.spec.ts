import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { AtomsTestClient } from '@atoms/test-framework';
import { createAtomsMcpServer } from '../../src/index.js';
import type { FixtureUser, FixtureWorkspace } from '@atoms/test-framework/database';
import { openToolsHarness, type ToolsHarness } from '../core/harness.js';
import { expectCode } from '../core/expect-tool-error.js';

interface ContextResult {
  context: {
    organization_id: string | null;
    project_id: string | null;
    document_id: string | null;
    recent_projects: string[];
  };
  organization: { id: string; name: string } | null;
  project: { id: string; name: string } | null;
  document: { id: string; name: string } | null;
}

let h: ToolsHarness;
let ws: FixtureWorkspace;
let owner: AtomsTestClient;
let stranger: FixtureUser;
let strangerClient: AtomsTestClient;

beforeAll(async () => {
  h = await openToolsHarness();
  ws = await h.fixtures.workspace({ orgRoles: ['member'] });
  owner = await h.clientFor(ws.owner);
  stranger = await h.fixtures.user();
  strangerClient = await h.clientFor(stranger);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('workspace_tool', () => {
  test('get_context of a new user is empty; get_defaults falls back to the personal organization', async () => {
    const context = await strangerClient.workspace.getContext<ContextResult>();
    expect(context.context.organization_id).toBeNull();
    expect(context.organization).toBeNull();
    const defaults = await strangerClient.workspace.getDefaults<Record<string, unknown>>();
    expect(defaults).toMatchObject({
      organization_id: stranger.personalOrganizationId,
      project_id: null,
      sources: { organization: 'personal' },
    });
  });

  test('set_context by name activates the document with its project and organization, persisted in the database', async () => {
    const result = await owner.workspace.setContext<ContextResult & { resolved: { matched_by: string } }>(
      'document',
      ws.document.name.toUpperCase(),
    );
    expect(result.resolved.matched_by).toBe('exact_name');
    expect(result.context).toMatchObject({
      organization_id: ws.organization.id,
      project_id: ws.project.id,
      document_id: ws.document.id,
    });
    expect(result.project).toEqual({ id: ws.project.id, name: ws.project.name });
    expect(
      await h.count('workspace_contexts', 'user_id = $1 and document_id = $2', [ws.owner.id, ws.document.id]),
    ).toBe(1);
    // A new client (a new stateless request) sees the same context.
    const again = await (await h.clientFor(ws.owner)).workspace.getContext<ContextResult>();
    expect(again.context.document_id).toBe(ws.document.id);
    expect(again.context.recent_projects[0]).toBe(ws.project.id);
  });

  test('get_defaults and get_breadcrumbs follow the context', async () => {
    await owner.workspace.setContext('project', ws.project.id);
    const defaults = await owner.workspace.getDefaults<Record<string, unknown>>();
    expect(defaults).toMatchObject({
      organization_id: ws.organization.id,
      project_id: ws.project.id,
      sources: { organization: 'context', project: 'context' },
    });
    const { breadcrumbs } = await owner.workspace.getBreadcrumbs<{ breadcrumbs: { type: string; id: string }[] }>();
    expect(breadcrumbs.map((b) => b.type)).toEqual(
      ['organization', 'project', 'document'].slice(0, breadcrumbs.length),
    );
    expect(breadcrumbs[0]).toMatchObject({ type: 'organization', id: ws.organization.id });
    expect(breadcrumbs[1]).toMatchObject({ type: 'project', id: ws.project.id });
  });

  test('set_context fuzzy-matches a misspelt name', async () => {
    const fuzzy = ws.project.name.replace(/Project/, 'Projct');
    const result = await owner.workspace.setContext<{ resolved: { id: string; matched_by: string } }>('project', fuzzy);
    expect(result.resolved).toEqual({ id: ws.project.id, matched_by: 'fuzzy_name' });
  });

  test('clear_context clears a level or everything', async () => {
    await owner.workspace.setContext('document', ws.document.id);
    const cleared = await owner.workspace.clearContext<ContextResult>({ context_type: 'project' });
    expect(cleared.context).toMatchObject({ organization_id: ws.organization.id, project_id: null, document_id: null });
    const all = await owner.workspace.clearContext<ContextResult>();
    expect(all.context).toMatchObject({ organization_id: null, project_id: null, recent_projects: [] });
  });

  test('list_workspaces pages the organizations the caller is an active member of', async () => {
    const page = await owner.workspace.listWorkspaces<{
      items: { id: string; role: string; project_count: number }[];
      total: number;
      has_more: boolean;
    }>({ limit: 100 });
    const team = page.items.find((o) => o.id === ws.organization.id);
    expect(team).toMatchObject({ role: 'owner', project_count: 1 });
    expect(page.items.map((o) => o.id)).toContain(ws.owner.personalOrganizationId);
    expect(page.total).toBe(2);
    expect(page.has_more).toBe(false);
    const first = await owner.workspace.listWorkspaces<{ items: unknown[]; has_more: boolean; next_cursor: string }>({
      limit: 1,
    });
    expect(first.items).toHaveLength(1);
    expect(first.has_more).toBe(true);
    const second = await owner.workspace.listWorkspaces<{ items: { id: string }[]; has_more: boolean }>({
      limit: 1,
      cursor: first.next_cursor,
    });
    expect(second.has_more).toBe(false);
    expect(second.items[0]!.id).not.toBe((first.items[0] as { id: string }).id);
  });

  test('concurrent set_context calls of one user all succeed and leave one row', async () => {
    const user = await h.fixtures.user();
    const clients = await Promise.all([1, 2, 3, 4].map(() => h.clientFor(user)));
    await Promise.all(clients.map((c) => c.workspace.setContext('organization', user.personalOrganizationId!)));
    expect(await h.count('workspace_contexts', 'user_id = $1', [user.id])).toBe(1);
  });

  test('a host may scope the context to one MCP session; the user context stays untouched', async () => {
    const user = await h.fixtures.user();
    const scoped = await AtomsTestClient.connect({
      kind: 'in-process',
      server: () => createAtomsMcpServer({ db: h.database, context: { sessionId: 'session-1' } }),
      authInfo: user.authInfo,
    });
    const result = await scoped.workspace.setContext<ContextResult & { session_scoped: boolean }>(
      'organization',
      user.personalOrganizationId!,
    );
    expect(result.session_scoped).toBe(true);
    expect(await h.count('workspace_contexts', "user_id = $1 and session_id = 'session-1'", [user.id])).toBe(1);
    const plain = await h.clientFor(user);
    expect((await plain.workspace.getContext<ContextResult>()).context.organization_id).toBeNull();
    expect(await plain.workspace.getContext({ format_type: 'summary' })).toHaveProperty('context');
    await scoped.close();
  });

  test('errors: invalid context_type, missing entity, another organization, unknown operation', async () => {
    await expectCode(
      owner.workspace.call('set_context', { context_type: 'galaxy', entity_id: 'x' }),
      'validation_error',
    );
    await expectCode(owner.workspace.call('set_context', { context_type: 'project' }), 'validation_error');
    await expectCode(owner.workspace.setContext('project', '00000000-0000-4000-8000-000000000000'), 'not_found');
    const refused = await expectCode(strangerClient.workspace.setContext('project', ws.project.id), 'not_found');
    expect(JSON.stringify(refused.details ?? {})).not.toContain(ws.project.name);
    await expectCode(strangerClient.workspace.setContext('organization', ws.organization.name), 'not_found');
    await expectCode(owner.workspace.call('teleport', {}), 'validation_error');
    await expectCode(owner.workspace.call('list_workspaces', { limit: 1000 }), 'validation_error');
    await expectCode(owner.workspace.call('list_workspaces', { cursor: 'garbage' }), 'validation_error');
    expect(await h.count('workspace_contexts', 'user_id = $1', [stranger.id])).toBe(0);
  });
});
