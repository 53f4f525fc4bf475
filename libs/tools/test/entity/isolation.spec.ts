/**
 * Two organizations: every operation of workspace_tool, entity_tool and relationship_tool, called by a user of
 * organization A on organization B's data, must fail (or return nothing of B), leak none of B's names, and change
 * nothing in the database.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { compileSchema, type AtomsTestClient, type SchemaChecker } from '@atoms/test-framework';
import type { FixtureWorkspace } from '@atoms/test-framework/database';
import { openToolsHarness, type ToolsHarness } from '../core/harness.js';

let h: ToolsHarness;
let a: FixtureWorkspace;
let b: FixtureWorkspace;
let client: AtomsTestClient;
const outputs = new Map<string, SchemaChecker>();

const TABLES = [
  'organizations',
  'organization_members',
  'organization_invitations',
  'projects',
  'project_members',
  'documents',
  'blocks',
  'requirements',
  'test_req',
  'trace_links',
  'requirement_tests',
  'assignments',
  'entity_versions',
];

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const { rows } = await h.testDb.sql.query<{ digest: string | null }>(
      `select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) as digest from public.${table} t`,
    );
    out[table] = rows[0]!.digest ?? '';
  }
  return out;
}

beforeAll(async () => {
  h = await openToolsHarness();
  a = await h.fixtures.workspace();
  b = await h.fixtures.workspace({ orgRoles: ['member'] });
  client = await h.clientFor(a.owner);
  for (const tool of await client.listTools()) outputs.set(tool.name, compileSchema(tool.outputSchema as never));
}, 120_000);

afterAll(async () => {
  await h?.close();
});

function secrets(): string[] {
  return [
    b.organization.name,
    b.project.name,
    b.document.name,
    b.requirements[0].name,
    b.requirements[1].name,
    b.test.title,
    b.owner.email,
  ];
}

/** Calls the tool and returns the structured body (success or error), checked against the tool's output schema. */
async function call(tool: string, args: Record<string, unknown>): Promise<{ ok: boolean; body: unknown }> {
  const result = (await client.sdk.callTool({ name: tool, arguments: args })) as {
    isError?: boolean;
    structuredContent?: unknown;
  };
  expect(outputs.get(tool)!(result.structuredContent)).toEqual({ valid: true });
  const text = JSON.stringify(result);
  // A name the caller typed may be echoed back; any other name of B would be a leak.
  const given = JSON.stringify(args);
  for (const secret of secrets().filter((s) => !given.includes(s))) expect(text).not.toContain(secret);
  return { ok: !result.isError, body: result.structuredContent };
}

async function refused(tool: string, args: Record<string, unknown>) {
  const { ok, body } = await call(tool, args);
  expect(ok).toBe(false);
  expect(['not_found', 'permission_denied']).toContain((body as { error: { code: string } }).error.code);
}

test('organization A cannot read, change or link anything of organization B', async () => {
  const before = await snapshot();
  const B = {
    org: b.organization.id,
    project: b.project.id,
    document: b.document.id,
    req: b.requirements[0].id,
    test: b.test.id,
  };

  // workspace_tool
  await refused('workspace_tool', { operation: 'set_context', context_type: 'organization', entity_id: B.org });
  await refused('workspace_tool', { operation: 'set_context', context_type: 'project', entity_id: b.project.name });
  await refused('workspace_tool', { operation: 'set_context', context_type: 'document', entity_id: B.document });
  for (const operation of ['get_context', 'get_defaults', 'list_workspaces', 'get_breadcrumbs', 'clear_context']) {
    const { ok, body } = await call('workspace_tool', { operation });
    expect(ok).toBe(true);
    expect(JSON.stringify(body)).not.toContain(B.org);
  }

  // entity_tool
  const e = (operation: string, args: Record<string, unknown>) => refused('entity_tool', { operation, ...args });
  await e('create', { entity_type: 'project', data: { name: 'Intruder', organization_id: B.org } });
  await e('create', { entity_type: 'document', data: { name: 'Intruder', project_id: B.project } });
  await e('create', { entity_type: 'requirement', data: { name: 'Intruder', document_id: B.document } });
  await e('create', { entity_type: 'organization_member', data: { organization_id: B.org, user_id: a.owner.id } });
  for (const [type, id] of [
    ['organization', B.org],
    ['project', B.project],
    ['document', B.document],
    ['requirement', B.req],
    ['test', B.test],
  ] as const) {
    await e('read', { entity_type: type, entity_id: id, include_deleted: true });
    await e('update', { entity_type: type, entity_id: id, data: { description: 'pwned' } });
    await e('delete', { entity_type: type, entity_id: id });
    await e('delete', { entity_type: type, entity_id: id, soft_delete: false });
    await e('archive', { entity_type: type, entity_id: id });
    await e('restore', { entity_type: type, entity_id: id });
    await e('history', { entity_type: type, entity_id: id });
    await e('restore_version', { entity_type: type, entity_id: id, version: 1 });
    await e('bulk_update', { entity_type: type, entity_ids: [id], data: { description: 'pwned' } });
    await e('bulk_delete', { entity_type: type, entity_ids: [id] });
  }
  await e('read', { entity_type: 'project', entity_id: b.project.name });
  await e('batch_create', { entity_type: 'requirement', batch: [{ name: 'Intruder', document_id: B.document }] });
  for (const operation of ['list', 'search']) {
    const { ok, body } = await call('entity_tool', {
      operation,
      entity_type: 'requirement',
      filters: { document_id: B.document },
      ...(operation === 'search' ? { search_term: 'Requirement' } : {}),
    });
    expect(ok).toBe(true);
    expect((body as { total: number }).total).toBe(0);
  }

  // relationship_tool
  const r = (operation: string, args: Record<string, unknown>) => refused('relationship_tool', { operation, ...args });
  const self = { type: 'user', id: a.owner.id };
  const bOwner = { type: 'user', id: b.owner.id };
  await r('link', { relationship_type: 'member', source: { type: 'organization', id: B.org }, target: self });
  await r('link', {
    relationship_type: 'member',
    source: { type: 'project', id: B.project },
    target: self,
    metadata: { role: 'owner' },
  });
  await r('link', {
    relationship_type: 'trace_link',
    source: { type: 'requirement', id: a.requirements[0].id },
    target: { type: 'requirement', id: B.req },
    metadata: { link_type: 'implements' },
  });
  await r('link', {
    relationship_type: 'requirement_test',
    source: { type: 'requirement', id: B.req },
    target: { type: 'test', id: B.test },
  });
  await r('link', { relationship_type: 'assignment', source: { type: 'requirement', id: B.req }, target: self });
  await r('link', {
    relationship_type: 'invitation',
    source: { type: 'organization', id: B.org },
    target: { type: 'email', id: 'x@example.com' },
  });
  await r('unlink', { relationship_type: 'member', source: { type: 'organization', id: B.org }, target: bOwner });
  await r('unlink', {
    relationship_type: 'trace_link',
    source: { type: 'requirement', id: b.requirements[1].id },
    target: { type: 'requirement', id: B.req },
  });
  await r('update', {
    relationship_type: 'member',
    source: { type: 'organization', id: B.org },
    target: bOwner,
    metadata: { role: 'member' },
  });
  await r('list', { relationship_type: 'member', source: { type: 'organization', id: B.org } });
  await r('list', { relationship_type: 'trace_link', source: { type: 'requirement', id: B.req } });
  await r('check', { relationship_type: 'member', source: { type: 'organization', id: B.org }, target: bOwner });

  expect(await snapshot()).toEqual(before);
  expect(await h.count('workspace_contexts', 'organization_id = $1 or project_id = $2', [B.org, B.project])).toBe(0);
});
