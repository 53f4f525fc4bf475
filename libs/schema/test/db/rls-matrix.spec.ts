/**
 * The row-level security matrix of domain.md, cell by cell, through the real database: for every table and
 * operation, each role (every org role, every project role, a non-member, anon, service) either succeeds on the
 * probe row or is refused (42501, or no row selected/affected). Every probe runs in a rolled-back transaction.
 *
 * The project probed is private, so org members without a project role cannot see it; project-role users are
 * plain org members. The non-member is the invitee of the probed invitations.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BACKENDS,
  asAnon,
  asService,
  asUser,
  openTestDatabase,
  type Queryable,
  type TestDatabase,
} from '../support/index.js';
import { ROLES, buildWorld, embeddingLiteral, type Role, type World } from './world.js';

type Op = 'select' | 'insert' | 'update' | 'delete';
type Ctx = { world: World; uid: string; embedding: string; unique: string };

const ORG_ADMINS: Role[] = ['org_owner', 'org_admin'];
const PROJECT_ROLES: Role[] = [
  'project_owner',
  'project_admin',
  'project_maintainer',
  'project_editor',
  'project_viewer',
];
const ORG_MEMBERS: Role[] = [...ORG_ADMINS, 'org_member', ...PROJECT_ROLES];
const PROJECT_ACCESS: Role[] = [...ORG_ADMINS, ...PROJECT_ROLES];
const EDITORS: Role[] = ['project_owner', 'project_admin', 'project_maintainer', 'project_editor'];
const MAINTAINERS: Role[] = ['project_owner', 'project_admin', 'project_maintainer'];
const PROJECT_MANAGERS: Role[] = ['project_owner', 'project_admin', ...ORG_ADMINS];
const AUTHENTICATED: Role[] = [...ORG_MEMBERS, 'non_member'];
const NOBODY: Role[] = [];

interface TableSpec {
  readonly table: string;
  /** Columns of a valid new row (for the insert probe). */
  readonly insert: (ctx: Ctx) => Record<string, unknown>;
  /** SET clause of the update probe. */
  readonly update: string;
  /** Who may do what, besides the service role (which may do everything unless `serviceDenied`). */
  readonly allow: Record<Op, Role[]>;
  readonly serviceDenied?: boolean;
}

const projectContent = { select: PROJECT_ACCESS, insert: EDITORS, update: EDITORS, delete: EDITORS };
const ownRows = {
  select: ['org_member'],
  insert: AUTHENTICATED,
  update: ['org_member'],
  delete: ['org_member'],
} as Record<Op, Role[]>;
const orgReadServiceWrite = { select: ORG_MEMBERS, insert: NOBODY, update: NOBODY, delete: NOBODY };
const serviceOnly = { select: NOBODY, insert: NOBODY, update: NOBODY, delete: NOBODY };
const later = () => new Date(Date.now() + 86_400_000).toISOString();

const SPECS: TableSpec[] = [
  {
    table: 'organizations',
    insert: (c) => ({ name: `Probe Org ${c.unique}`, created_by: c.uid, updated_by: c.uid }),
    update: `description = 'probed'`,
    allow: { select: ORG_MEMBERS, insert: AUTHENTICATED, update: ORG_ADMINS, delete: ['org_owner'] },
  },
  {
    table: 'organization_members',
    insert: (c) => ({ organization_id: c.world.org, user_id: c.world.users.non_member.id, role: 'member' }),
    update: `permissions = '{}'::jsonb`,
    allow: { select: ORG_MEMBERS, insert: ORG_ADMINS, update: ORG_ADMINS, delete: [...ORG_ADMINS, 'org_member'] },
  },
  {
    table: 'organization_invitations',
    insert: (c) => ({
      organization_id: c.world.org,
      email: `probe-${c.unique}@world.test`,
      created_by: c.uid,
      updated_by: c.uid,
    }),
    update: `status = 'rejected'`,
    allow: {
      select: [...ORG_ADMINS, 'non_member'],
      insert: ORG_ADMINS,
      update: [...ORG_ADMINS, 'non_member'],
      delete: ORG_ADMINS,
    },
  },
  {
    table: 'projects',
    insert: (c) => ({
      organization_id: c.world.org,
      name: `Probe Project ${c.unique}`,
      created_by: c.uid,
      updated_by: c.uid,
    }),
    update: `description = 'probed'`,
    allow: {
      select: PROJECT_ACCESS,
      insert: ORG_MEMBERS,
      update: ['project_owner', 'project_admin', ...ORG_ADMINS],
      delete: ['project_owner', 'org_owner'],
    },
  },
  {
    table: 'project_members',
    insert: (c) => ({ project_id: c.world.project, user_id: c.world.users.non_member.id, role: 'viewer' }),
    update: `permissions = '{}'::jsonb`,
    allow: {
      select: PROJECT_ACCESS,
      insert: PROJECT_MANAGERS,
      update: PROJECT_MANAGERS,
      delete: [...PROJECT_MANAGERS, 'project_viewer'],
    },
  },
  {
    table: 'project_invitations',
    insert: (c) => ({
      project_id: c.world.project,
      email: `probe-${c.unique}@world.test`,
      created_by: c.uid,
      updated_by: c.uid,
    }),
    update: `status = 'rejected'`,
    allow: {
      select: [...PROJECT_ACCESS, 'non_member'],
      insert: PROJECT_MANAGERS,
      update: [...PROJECT_MANAGERS, 'non_member'],
      delete: PROJECT_MANAGERS,
    },
  },
  {
    table: 'documents',
    insert: (c) => ({ project_id: c.world.project, name: `Probe Doc ${c.unique}` }),
    update: `description = 'probed'`,
    allow: { select: PROJECT_ACCESS, insert: EDITORS, update: EDITORS, delete: MAINTAINERS },
  },
  {
    table: 'test_req',
    insert: (c) => ({ project_id: c.world.project, title: `Probe Test ${c.unique}` }),
    update: `description = 'probed'`,
    allow: { select: PROJECT_ACCESS, insert: EDITORS, update: EDITORS, delete: MAINTAINERS },
  },
  {
    table: 'requirements',
    insert: (c) => ({ document_id: c.world.document, block_id: c.world.block, name: `Probe Req ${c.unique}` }),
    update: `description = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'blocks',
    insert: (c) => ({ document_id: c.world.document, type: 'text', name: 'Probe' }),
    update: `name = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'columns',
    insert: (c) => ({ block_id: c.world.block, property_id: c.world.property }),
    update: `width = 120`,
    allow: projectContent,
  },
  {
    table: 'table_rows',
    insert: (c) => ({ block_id: c.world.block, document_id: c.world.document }),
    update: `row_data = '{"probed": true}'::jsonb`,
    allow: projectContent,
  },
  {
    table: 'properties',
    insert: (c) => ({ org_id: c.world.org, project_id: c.world.project, name: 'Probe', property_type: 'text' }),
    update: `name = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'requirement_tests',
    insert: (c) => ({ requirement_id: c.world.requirement2, test_id: c.world.test }),
    update: `result_notes = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'trace_links',
    insert: (c) => ({
      source_id: c.world.requirement,
      source_type: 'requirement',
      target_id: c.world.requirement2,
      target_type: 'requirement',
      link_type: 'implements',
    }),
    update: `description = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'assignments',
    insert: (c) => ({
      entity_id: c.world.requirement2,
      entity_type: 'requirement',
      assignee_id: c.world.users.project_editor.id,
      role: 'reviewer',
    }),
    update: `comment = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'test_matrix_views',
    insert: (c) => ({ project_id: c.world.project, name: 'Probe', created_by: c.uid, updated_by: c.uid }),
    update: `name = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'requirements_closure',
    insert: (c) => ({
      ancestor_id: c.world.requirement2,
      descendant_id: c.world.requirement,
      depth: 1,
      created_by: c.uid,
    }),
    update: `depth = 2`,
    allow: projectContent,
  },
  {
    table: 'excalidraw_diagrams',
    insert: (c) => ({ project_id: c.world.project, name: 'Probe' }),
    update: `name = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'react_flow_diagrams',
    insert: (c) => ({ project_id: c.world.project, name: 'Probe' }),
    update: `name = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'diagram_element_links',
    insert: (c) => ({
      diagram_id: c.world.diagram,
      element_id: `probe-${c.unique}`,
      requirement_id: c.world.requirement,
    }),
    update: `link_type = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'excalidraw_element_links',
    insert: (c) => ({
      excalidraw_canvas_id: c.world.diagram,
      element_id: 'probe',
      requirement_id: c.world.requirement,
    }),
    update: `element_id = 'probed'`,
    allow: projectContent,
  },
  {
    table: 'profiles',
    insert: (c) => ({ email: `probe-${c.unique}@world.test` }),
    update: `job_title = 'probed'`,
    allow: { select: ORG_MEMBERS, insert: NOBODY, update: ['org_member'], delete: NOBODY },
  },
  {
    table: 'notifications',
    insert: (c) => ({ user_id: c.uid, type: 'system', title: 'Probe' }),
    update: `unread = false`,
    allow: ownRows,
  },
  {
    table: 'workspace_contexts',
    insert: (c) => ({ user_id: c.uid, session_id: `probe-${c.unique}` }),
    update: `recent_projects = '{}'`,
    allow: ownRows,
  },
  {
    table: 'atoms_sessions',
    insert: (c) => ({ user_id: c.uid, token_hash: 'probe', expires_at: later() }),
    update: `metadata = '{"probed": true}'::jsonb`,
    allow: ownRows,
  },
  {
    table: 'mcp_sessions',
    insert: (c) => ({ session_id: `probe-${c.unique}`, user_id: c.uid, expires_at: later() }),
    update: `mcp_state = '{}'::jsonb`,
    allow: ownRows,
  },
  {
    table: 'user_id_mappings',
    insert: (c) => ({ provider: 'probe', subject: `probe-${c.unique}`, profile_id: c.uid }),
    update: `email = 'probed@world.test'`,
    allow: { select: ['org_member'], insert: NOBODY, update: NOBODY, delete: ['org_member'] },
  },
  {
    table: 'audit_logs',
    insert: (c) => ({
      action: 'probe',
      entity_id: c.world.org,
      entity_type: 'organizations',
      organization_id: c.world.org,
    }),
    update: `description = 'probed'`,
    allow: { select: ORG_ADMINS, insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
  {
    table: 'billing_cache',
    insert: (c) => ({ organization_id: c.world.otherOrg, period_start: new Date().toISOString(), period_end: later() }),
    update: `synced_at = now()`,
    allow: orgReadServiceWrite,
  },
  {
    table: 'stripe_customers',
    insert: (c) => ({ organization_id: c.world.org, stripe_customer_id: `cus_${c.unique}` }),
    update: `price_id = 'probed'`,
    allow: orgReadServiceWrite,
  },
  {
    table: 'usage_logs',
    insert: (c) => ({ organization_id: c.world.org, user_id: c.uid, feature: 'probe', unit_type: 'call' }),
    update: `quantity = 2`,
    allow: orgReadServiceWrite,
  },
  {
    table: 'external_documents',
    insert: (c) => ({ organization_id: c.world.org, name: 'Probe' }),
    update: `url = 'https://probed.test'`,
    allow: orgReadServiceWrite,
  },
  {
    table: 'oauth_clients',
    insert: (c) => ({ client_id: `probe-${c.unique}`, client_name: 'Probe', redirect_uris: '[]' }),
    update: `client_name = 'probed'`,
    allow: serviceOnly,
  },
  {
    table: 'oauth_authorization_codes',
    insert: (c) => ({
      client_id: c.world.oauthClient,
      code: `probe-${c.unique}`,
      code_challenge: 'c',
      code_challenge_method: 'S256',
      expires_at: later(),
      redirect_uri: 'http://localhost/cb',
    }),
    update: `state = 'probed'`,
    allow: serviceOnly,
  },
  {
    table: 'oauth_access_tokens',
    insert: (c) => ({ client_id: c.world.oauthClient, token_hash: `probe-${c.unique}`, expires_at: later() }),
    update: `scope = 'probed'`,
    allow: serviceOnly,
  },
  {
    table: 'oauth_refresh_tokens',
    insert: (c) => ({
      client_id: c.world.oauthClient,
      token: `probe-${c.unique}`,
      expires_at: later(),
      user_id: c.uid,
    }),
    update: `scope = 'probed'`,
    allow: serviceOnly,
  },
  {
    table: 'rag_embeddings',
    insert: (c) => ({ entity_id: 'probe', entity_type: 'requirement', embedding: c.embedding }),
    update: `quality_score = 1`,
    allow: serviceOnly,
  },
  {
    table: 'rag_search_analytics',
    insert: () => ({ execution_time_ms: 1, query_hash: 'h', query_text: 'q', result_count: 0, search_type: 'keyword' }),
    update: `result_count = 1`,
    allow: serviceOnly,
  },
  {
    table: 'embedding_cache',
    insert: (c) => ({ cache_key: `probe-${c.unique}`, model: 'local' }),
    update: `access_count = 1`,
    allow: serviceOnly,
  },
  {
    table: 'embedding_queue',
    insert: (c) => ({ table_name: 'requirements', row_id: c.world.requirement, text: 'probe', status: 'completed' }),
    update: `retry_count = 1`,
    allow: serviceOnly,
  },
  {
    table: 'user_roles',
    insert: (c) => ({ user_id: c.uid }),
    update: `updated_at = now()`,
    allow: { select: ['org_member'], insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
  {
    table: 'entity_versions',
    insert: (c) => ({ entity_type: 'requirements', entity_id: c.world.requirement, version: 999, data: '{}' }),
    update: `changed_at = now()`,
    allow: { select: PROJECT_ACCESS, insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
  {
    table: 'schema_migrations',
    insert: () => ({ version: '1', name: 'probe', checksum: '0'.repeat(64), duration: '1 second' }),
    update: `name = name`,
    allow: serviceOnly,
    serviceDenied: true,
  },
];

function where(target: Record<string, unknown>, offset = 0): { sql: string; params: unknown[] } {
  const keys = Object.keys(target);
  return {
    sql: keys.map((k, i) => `${k} = $${i + 1 + offset}`).join(' and '),
    params: keys.map((k) => target[k]),
  };
}

/** Runs the probe as `role`; true when it succeeded on the probe row, false when refused. */
async function probe(
  db: TestDatabase,
  world: World,
  embedding: string,
  role: Role,
  spec: TableSpec,
  op: Op,
  n: number,
): Promise<boolean> {
  const target = world.targets[spec.table];
  const run = async (tx: Queryable, uid: string): Promise<boolean> => {
    const w = where(target);
    switch (op) {
      case 'select':
        return (await tx.query(`select 1 from public.${spec.table} where ${w.sql}`, w.params)).rows.length === 1;
      case 'insert': {
        const data = spec.insert({
          world,
          uid,
          embedding: await embeddingLiteral(tx, 'rag_embeddings'),
          unique: `${n}`,
        });
        const cols = Object.keys(data);
        await tx.query(
          `insert into public.${spec.table} (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
          cols.map((c) => data[c]),
        );
        return true;
      }
      case 'update':
        return (
          (await tx.query(`update public.${spec.table} set ${spec.update} where ${w.sql}`, w.params)).rowCount === 1
        );
      case 'delete':
        return (await tx.query(`delete from public.${spec.table} where ${w.sql}`, w.params)).rowCount === 1;
    }
  };
  try {
    if (role === 'service') return await asService(db, (tx) => run(tx, world.users.org_member.id), { rollback: true });
    if (role === 'anon') return await asAnon(db, (tx) => run(tx, world.users.org_member.id), { rollback: true });
    const user = world.users[role];
    return await asUser(db, { sub: user.id, email: user.email }, (tx) => run(tx, user.id), { rollback: true });
  } catch (error) {
    // Refusal is a permission error (privilege or policy), nothing else: any other error is a broken probe.
    if ((error as { code?: string }).code === '42501') return false;
    throw new Error(`${spec.table} ${op} as ${role}: ${(error as Error).message}`, { cause: error });
  }
}

describe.each(BACKENDS)('RLS matrix on %s', (backend) => {
  let db: TestDatabase;
  let world: World;
  let embedding: string;
  let counter = 0;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    world = await buildWorld(db);
    embedding = await embeddingLiteral(db, 'rag_embeddings');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('forces row-level security on every table, with no table left out of this matrix', async () => {
    const { rows } = await db.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c
        join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' order by 1`,
    );
    expect(rows.filter((r) => !r.relrowsecurity || !r.relforcerowsecurity)).toEqual([]);
    expect(rows.map((r) => r.relname).sort()).toEqual(SPECS.map((s) => s.table).sort());
  });

  const cases = SPECS.flatMap((spec) => (['select', 'insert', 'update', 'delete'] as Op[]).map((op) => ({ spec, op })));
  it.each(cases.map((c) => [c.spec.table, c.op, c] as const))('%s %s', async (_table, _op, { spec, op }) => {
    const allowed: Role[] = [];
    for (const role of ROLES) {
      counter += 1;
      if (await probe(db, world, embedding, role, spec, op, counter)) allowed.push(role);
    }
    const expected = [...spec.allow[op], ...(spec.serviceDenied ? [] : (['service'] as Role[]))];
    expect(allowed.sort()).toEqual([...expected].sort());
  });
});
