import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '@atoms/schema';
import type { AtomsTestClient } from '../src/client/atoms-client.js';
import { atomsDatabaseProvider, type AtomsTestDatabase } from '../src/database/test-database.js';
import { AtomsFixtures, type FixtureUser, type FixtureWorkspace } from '../src/fixtures/atoms-fixtures.js';
import { harmful } from '../src/harmful/jest-harmful.js';
import { createModeEnvironment, type ModeEnvironment } from '../src/modes/environment.js';
import { schemaFixtureServerFactory } from './support/schema-fixture-server.js';

describe.each(['pglite', 'postgres'] as const)('the real Atoms schema on %s', (backend) => {
  const provider = atomsDatabaseProvider({ backend });
  let env: ModeEnvironment<Database>;
  let testDb: AtomsTestDatabase;
  let fixtures: AtomsFixtures;
  let workspace: FixtureWorkspace;
  let client: AtomsTestClient;

  beforeAll(async () => {
    env = await createModeEnvironment<Database>({
      mode: 'COLD',
      server: (context) => schemaFixtureServerFactory(context.database!)(),
      database: provider,
    });
    testDb = [...provider.open][0]!;
    fixtures = await AtomsFixtures.create({ database: env.database! });
    workspace = await fixtures.workspace({ orgRoles: ['admin'], projectRoles: ['editor', 'viewer'] });
    client = await env.connect({ authInfo: workspace.owner.authInfo });
  }, 120_000);

  afterAll(async () => {
    await env?.close();
    expect(provider.open.size).toBe(0);
  });

  const count = async (table: string, where: string, params: unknown[]) =>
    (await testDb.sql.query<{ n: number }>(`select count(*)::int as n from public.${table} where ${where}`, params))
      .rows[0]!.n;

  describe('fixtures', () => {
    test('provision profiles with their personal organization, as the service', async () => {
      expect(workspace.owner.personalOrganizationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(
        await count('organizations', "id = $1 and type = 'personal'", [workspace.owner.personalOrganizationId]),
      ).toBe(1);
    });

    test('create as the acting user, so the triggers make the creators owners and stamp them', async () => {
      const { owner, organization, project } = workspace;
      expect(organization.created_by).toBe(owner.id);
      expect(organization.slug).toMatch(/^org-/);
      expect(
        await count(
          'organization_members',
          "organization_id = $1 and user_id = $2 and role = 'owner' and status = 'active'",
          [organization.id, owner.id],
        ),
      ).toBe(1);
      expect(
        await count('project_members', "project_id = $1 and user_id = $2 and role = 'owner'", [project.id, owner.id]),
      ).toBe(1);
      expect(workspace.requirements[0].external_id).toMatch(/^REQ-[0-9A-F]{8}$/);
    });

    test('give each member the requested role', async () => {
      const editor = workspace.projectMembers.editor!;
      expect(
        await count('project_members', "project_id = $1 and user_id = $2 and role = 'editor'", [
          workspace.project.id,
          editor.id,
        ]),
      ).toBe(1);
      expect(
        await count('organization_members', "organization_id = $1 and user_id = $2 and role = 'admin'", [
          workspace.organization.id,
          workspace.orgMembers.admin!.id,
        ]),
      ).toBe(1);
    });

    test('mint real tokens the development issuer verifies', async () => {
      const identity = await fixtures.issuer.accessTokenVerifier().verify(workspace.owner.token);
      expect(identity.sub).toBe(workspace.owner.id);
      expect(identity.email).toBe(workspace.owner.email);
    });

    test('row-level security applies to fixture users as in production', async () => {
      const outsider: FixtureUser = await fixtures.user();
      const seen = await fixtures.as(outsider, (s) =>
        s.select('projects', { filters: [{ column: 'id', op: 'eq', value: workspace.project.id }] }),
      );
      expect(seen.rows).toEqual([]);
      const viewer = workspace.projectMembers.viewer!;
      await expect(fixtures.document(workspace.project, viewer)).rejects.toMatchObject({ code: 'permission_denied' });
      const editor = workspace.projectMembers.editor!;
      const written = await fixtures.document(workspace.project, editor);
      expect(written.created_by).toBe(editor.id);
    });
  });

  describe('harmful cleanup through a tool server on the real schema', () => {
    const chain = async (c: AtomsTestClient) => {
      const org = await c.entity.create('organization', { name: 'Harmful org' });
      const project = await c.entity.create('project', {
        name: 'Harmful project',
        organization_id: org.id,
        owned_by: workspace.owner.id,
      });
      const document = await c.entity.create('document', { name: 'Harmful doc', project_id: project.id });
      return [org.id, project.id, document.id] as const;
    };

    test('cascade_delete removes the rows in dependency order', async () => {
      let ids: readonly string[] = [];
      const report = await harmful(async () => void (ids = await chain(client)), { client })();
      expect(report.removed.map((e) => e.entityType)).toEqual(['document', 'project', 'organization']);
      expect(await count('organizations', 'id = $1', [ids[0]])).toBe(0);
      expect(await count('projects', 'id = $1', [ids[1]])).toBe(0);
      expect(await count('documents', 'id = $1', [ids[2]])).toBe(0);
    });

    test('soft_delete leaves the rows marked deleted', async () => {
      let ids: readonly string[] = [];
      await harmful(async () => void (ids = await chain(client)), { client, strategy: 'soft_delete' })();
      expect(await count('organizations', 'id = $1 and is_deleted', [ids[0]])).toBe(1);
      expect(await count('documents', 'id = $1 and is_deleted', [ids[2]])).toBe(1);
    });

    test('transaction_rollback undoes tool calls and fixtures alike, and resets the role between units', async () => {
      let ids: readonly string[] = [];
      let fixtureDocument = '';
      const report = await harmful(
        async () => {
          ids = await chain(client);
          const role = await testDb.sql.query<{ role: string }>("select current_setting('role') as role");
          expect(role.rows[0]!.role).toBe('none');
          fixtureDocument = (await fixtures.document(workspace.project, workspace.owner)).id;
          expect(await count('documents', 'id = $1', [fixtureDocument])).toBe(1);
        },
        { client, strategy: 'transaction_rollback', rollback: env.rollback },
      )();
      expect(report.removed).toHaveLength(3);
      expect(env.rollback!.active).toBe(false);
      expect(await count('organizations', 'id = $1', [ids[0]])).toBe(0);
      expect(await count('documents', 'id = any($1::uuid[])', [[ids[2], fixtureDocument]])).toBe(0);
      // Pre-existing data is untouched and the database works normally after the rollback.
      expect(await count('projects', 'id = $1', [workspace.project.id])).toBe(1);
      const after = await client.entity.create('organization', { name: 'After rollback' });
      expect(await count('organizations', 'id = $1', [after.id])).toBe(1);
    });
  });
});
