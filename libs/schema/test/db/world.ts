import { createProfile, type Queryable, type TestDatabase } from '../support/index.js';

/**
 * One organization with a private project and a row in every table, plus a user for every org and project role
 * and a non-member, built as the migration owner (the provisioning path). The RLS matrix probes these rows.
 */
export const USER_ROLES = [
  'org_owner',
  'org_admin',
  'org_member',
  'project_owner',
  'project_admin',
  'project_maintainer',
  'project_editor',
  'project_viewer',
  'non_member',
] as const;
export type UserRole = (typeof USER_ROLES)[number];
export type Role = UserRole | 'anon' | 'service';
export const ROLES: readonly Role[] = [...USER_ROLES, 'anon', 'service'];

export interface World {
  readonly users: Record<UserRole, { id: string; email: string }>;
  readonly org: string;
  /** The non-member's personal organization (a second organization). */
  readonly otherOrg: string;
  readonly project: string;
  readonly document: string;
  readonly block: string;
  readonly requirement: string;
  readonly requirement2: string;
  readonly test: string;
  readonly property: string;
  readonly diagram: string;
  readonly oauthClient: string;
  /** Primary-key values of the row probed in each table. */
  readonly targets: Record<string, Record<string, unknown>>;
}

async function one<T = Record<string, unknown>>(db: Queryable, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.query<T>(sql, params);
  if (rows.length !== 1) throw new Error(`expected one row from: ${sql}`);
  return rows[0];
}

async function id(db: Queryable, sql: string, params: unknown[] = []): Promise<string> {
  return (await one<{ id: string }>(db, sql, params)).id;
}

export async function buildWorld(db: TestDatabase): Promise<World> {
  const users = {} as Record<UserRole, { id: string; email: string }>;
  for (const role of USER_ROLES) {
    const profile = await createProfile(db, { email: `${role.replace('_', '-')}@world.test`, fullName: role });
    users[role] = { id: profile.id, email: profile.email };
  }
  const u = (r: UserRole) => users[r].id;

  const org = await id(
    db,
    `insert into organizations (name, created_by, updated_by) values ('World Org', $1, $1) returning id`,
    [u('org_owner')],
  );
  // Pro plan: the world has more than the free plan's 5 members.
  await db.query(`update organizations set billing_plan = 'pro' where id = $1`, [org]);
  const orgRoles: [UserRole, string][] = [
    ['org_admin', 'admin'],
    ['org_member', 'member'],
    ['project_owner', 'member'],
    ['project_admin', 'member'],
    ['project_maintainer', 'member'],
    ['project_editor', 'member'],
    ['project_viewer', 'member'],
  ];
  for (const [role, orgRole] of orgRoles) {
    await db.query(`insert into organization_members (organization_id, user_id, role) values ($1, $2, $3)`, [
      org,
      u(role),
      orgRole,
    ]);
  }
  const otherOrg = (
    await one<{ personal_organization_id: string }>(db, 'select personal_organization_id from profiles where id = $1', [
      u('non_member'),
    ])
  ).personal_organization_id;

  const project = await id(
    db,
    `insert into projects (name, organization_id, created_by, updated_by, visibility)
     values ('World Project', $1, $2, $2, 'private') returning id`,
    [org, u('project_owner')],
  );
  for (const [role, projectRole] of [
    ['project_admin', 'admin'],
    ['project_maintainer', 'maintainer'],
    ['project_editor', 'editor'],
    ['project_viewer', 'viewer'],
  ] as [UserRole, string][]) {
    await db.query(`insert into project_members (project_id, user_id, role, org_id) values ($1, $2, $3, $4)`, [
      project,
      u(role),
      projectRole,
      org,
    ]);
  }
  const owner = u('project_owner');
  const document = await id(
    db,
    `insert into documents (name, project_id, created_by) values ('World Doc', $1, $2) returning id`,
    [project, owner],
  );
  const block = await id(
    db,
    `insert into blocks (document_id, type, name) values ($1, 'text', 'World Block') returning id`,
    [document],
  );
  const requirement = await id(
    db,
    `insert into requirements (document_id, block_id, name, description) values ($1, $2, 'World Req', 'the world requirement') returning id`,
    [document, block],
  );
  const requirement2 = await id(
    db,
    `insert into requirements (document_id, block_id, name) values ($1, $2, 'World Req 2') returning id`,
    [document, block],
  );
  const test = await id(db, `insert into test_req (project_id, title) values ($1, 'World Test') returning id`, [
    project,
  ]);
  const property = await id(
    db,
    `insert into properties (org_id, project_id, name, property_type) values ($1, $2, 'World Prop', 'text') returning id`,
    [org, project],
  );
  const diagram = await id(
    db,
    `insert into excalidraw_diagrams (project_id, name) values ($1, 'World Diagram') returning id`,
    [project],
  );
  const oauthClient = 'world-client';
  await db.query(
    `insert into oauth_clients (client_id, client_name, redirect_uris) values ($1, 'World Client', '["http://localhost/cb"]')`,
    [oauthClient],
  );
  const member = u('org_member');
  const later = new Date(Date.now() + 86_400_000).toISOString();

  const t = async (sql: string, params: unknown[] = []) => ({ id: await id(db, sql, params) });
  const targets: Record<string, Record<string, unknown>> = {
    organizations: { id: org },
    organization_members: await t(`select id from organization_members where organization_id = $1 and user_id = $2`, [
      org,
      member,
    ]),
    organization_invitations: await t(
      `insert into organization_invitations (organization_id, email, created_by, updated_by) values ($1, $2, $3, $3) returning id`,
      [org, users.non_member.email, u('org_owner')],
    ),
    projects: { id: project },
    project_members: await t(`select id from project_members where project_id = $1 and user_id = $2`, [
      project,
      u('project_viewer'),
    ]),
    project_invitations: await t(
      `insert into project_invitations (project_id, email, created_by, updated_by) values ($1, $2, $3, $3) returning id`,
      [project, users.non_member.email, owner],
    ),
    documents: { id: document },
    test_req: { id: test },
    requirements: { id: requirement },
    blocks: { id: block },
    columns: await t(`insert into columns (block_id, property_id) values ($1, $2) returning id`, [block, property]),
    table_rows: await t(`insert into table_rows (block_id, document_id) values ($1, $2) returning id`, [
      block,
      document,
    ]),
    properties: { id: property },
    requirement_tests: await t(`insert into requirement_tests (requirement_id, test_id) values ($1, $2) returning id`, [
      requirement,
      test,
    ]),
    trace_links: await t(
      `insert into trace_links (source_id, source_type, target_id, target_type, link_type)
       values ($1, 'requirement', $2, 'requirement', 'relates_to') returning id`,
      [requirement, requirement2],
    ),
    assignments: await t(
      `insert into assignments (entity_id, entity_type, assignee_id) values ($1, 'requirement', $2) returning id`,
      [requirement, u('project_editor')],
    ),
    test_matrix_views: await t(
      `insert into test_matrix_views (project_id, name, created_by, updated_by) values ($1, 'World Matrix', $2, $2) returning id`,
      [project, owner],
    ),
    requirements_closure: await (async () => {
      await db.query(
        `insert into requirements_closure (ancestor_id, descendant_id, depth, created_by) values ($1, $2, 1, $3)`,
        [requirement, requirement2, owner],
      );
      return { ancestor_id: requirement, descendant_id: requirement2 };
    })(),
    excalidraw_diagrams: { id: diagram },
    react_flow_diagrams: await t(
      `insert into react_flow_diagrams (project_id, name) values ($1, 'World Flow') returning id`,
      [project],
    ),
    diagram_element_links: await t(
      `insert into diagram_element_links (diagram_id, element_id, requirement_id) values ($1, 'el-1', $2) returning id`,
      [diagram, requirement],
    ),
    excalidraw_element_links: await t(
      `insert into excalidraw_element_links (excalidraw_canvas_id, element_id, requirement_id) values ($1, 'el-1', $2) returning id`,
      [diagram, requirement],
    ),
    profiles: { id: member },
    notifications: await t(
      `insert into notifications (user_id, type, title) values ($1, 'system', 'World Notice') returning id`,
      [member],
    ),
    workspace_contexts: await t(
      `insert into workspace_contexts (user_id, organization_id) values ($1, $2) returning id`,
      [member, org],
    ),
    atoms_sessions: await t(
      `insert into atoms_sessions (user_id, token_hash, expires_at) values ($1, 'hash', $2) returning id`,
      [member, later],
    ),
    mcp_sessions: await (async () => {
      await db.query(`insert into mcp_sessions (session_id, user_id, expires_at) values ('world-session', $1, $2)`, [
        member,
        later,
      ]);
      return { session_id: 'world-session' };
    })(),
    user_id_mappings: await t(
      `insert into user_id_mappings (provider, subject, profile_id) values ('workos', 'user_world', $1) returning id`,
      [member],
    ),
    audit_logs: await t(
      `select id from audit_logs where organization_id = $1 and entity_type = 'organizations' limit 1`,
      [org],
    ),
    billing_cache: await (async () => {
      await db.query(
        `insert into billing_cache (organization_id, period_start, period_end) values ($1, now(), now() + interval '30 days')`,
        [org],
      );
      return { organization_id: org };
    })(),
    stripe_customers: await t(
      `insert into stripe_customers (organization_id, stripe_customer_id) values ($1, 'cus_world') returning id`,
      [org],
    ),
    usage_logs: await t(
      `insert into usage_logs (organization_id, user_id, feature, unit_type) values ($1, $2, 'search', 'call') returning id`,
      [org, member],
    ),
    external_documents: await t(
      `insert into external_documents (organization_id, name) values ($1, 'World File') returning id`,
      [org],
    ),
    oauth_clients: await t(`select id from oauth_clients where client_id = $1`, [oauthClient]),
    oauth_authorization_codes: await t(
      `insert into oauth_authorization_codes (client_id, code, code_challenge, code_challenge_method, expires_at, redirect_uri, user_id)
       values ($1, 'world-code', 'challenge', 'S256', $2, 'http://localhost/cb', $3) returning id`,
      [oauthClient, later, member],
    ),
    oauth_access_tokens: await t(
      `insert into oauth_access_tokens (client_id, token_hash, expires_at, user_id) values ($1, 'world-hash', $2, $3) returning id`,
      [oauthClient, later, member],
    ),
    oauth_refresh_tokens: await t(
      `insert into oauth_refresh_tokens (client_id, token, expires_at, user_id) values ($1, 'world-token', $2, $3) returning id`,
      [oauthClient, later, member],
    ),
    rag_embeddings: await t(
      `insert into rag_embeddings (entity_id, entity_type, embedding) values ('world', 'requirement', $1) returning id`,
      [await embeddingLiteral(db, 'rag_embeddings')],
    ),
    rag_search_analytics: await t(
      `insert into rag_search_analytics (execution_time_ms, query_hash, query_text, result_count, search_type)
       values (3, 'h', 'world', 1, 'keyword') returning id`,
    ),
    embedding_cache: await t(
      `insert into embedding_cache (cache_key, model) values ('world-key', 'local') returning id`,
    ),
    embedding_queue: await t(`select id from embedding_queue where table_name = 'requirements' and row_id = $1`, [
      requirement,
    ]),
    user_roles: await t(`insert into user_roles (user_id, org_id) values ($1, $2) returning id`, [member, org]),
    entity_versions: await t(
      `select id from entity_versions where entity_type = 'requirements' and entity_id = $1 and version = 1`,
      [requirement],
    ),
    schema_migrations: {
      version: (await one<{ version: string }>(db, 'select min(version) as version from schema_migrations')).version,
    },
  };

  return {
    users,
    org,
    otherOrg,
    project,
    document,
    block,
    requirement,
    requirement2,
    test,
    property,
    diagram,
    oauthClient,
    targets,
  };
}

/** A 768-dimension embedding literal for the backend's column type (pgvector text or a Postgres array). */
export async function embeddingLiteral(db: Queryable, table: string, seed = 1): Promise<string> {
  const values = Array.from({ length: 768 }, (_, i) => (((i * 31 + seed * 17) % 97) - 48) / 97);
  const { rows } = await db.query<{ type: string }>(
    `select format_type(atttypid, atttypmod) as type from pg_attribute
      where attrelid = ('public.' || $1)::regclass and attname = 'embedding'`,
    [table],
  );
  return rows[0].type.includes('vector') ? `[${values.join(',')}]` : `{${values.join(',')}}`;
}
