/**
 * Every trigger and function of domain.md "Behaviour the database owns", through the real database, as the
 * users it is meant for (RLS applies).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BACKENDS,
  asService,
  asUser,
  createProfile,
  openTestDatabase,
  pgError,
  type Queryable,
  type TestDatabase,
  type TestProfile,
} from '../support/index.js';
import { embeddingLiteral } from './world.js';

type Row = Record<string, unknown>;

describe.each(BACKENDS)('database behaviour on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  const as = <T>(user: TestProfile, fn: (tx: Queryable) => Promise<T>) =>
    asUser(db, { sub: user.id, email: user.email }, fn);
  const one = async (tx: Queryable, sql: string, params: unknown[] = []): Promise<Row> => {
    const { rows } = await tx.query<Row>(sql, params);
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  /** An organization owned by `owner` with a project (owner = project owner) and a document. */
  const workspace = async (owner: TestProfile, plan = 'pro') => {
    const org = await as(owner, (tx) =>
      one(tx, `insert into organizations (name) values ('Acme ' || gen_random_uuid()) returning *`),
    );
    await db.query(`update organizations set billing_plan = $2 where id = $1`, [org.id, plan]);
    const project = await as(owner, (tx) =>
      one(tx, `insert into projects (name, organization_id) values ('Rocket', $1) returning *`, [org.id]),
    );
    const document = await as(owner, (tx) =>
      one(tx, `insert into documents (name, project_id) values ('Spec', $1) returning *`, [project.id]),
    );
    return { org: org.id as string, project: project.id as string, document: document.id as string };
  };

  describe('identity, timestamps and actors', () => {
    it('auth.uid() is the UUID sub of the claims, null for other subjects', async () => {
      const u = await createProfile(db);
      expect(await asUser(db, { sub: u.id }, async (tx) => (await one(tx, 'select auth.uid() as v')).v)).toBe(u.id);
      expect(
        await asUser(db, { sub: 'user_01HXYZ' }, async (tx) => (await one(tx, 'select auth.uid() as v')).v),
      ).toBeNull();
    });

    it('stamps creator and updater from auth.uid(), ignores spoofed actors and keeps created_* immutable', async () => {
      const alice = await createProfile(db);
      const mallory = await createProfile(db);
      const { document } = await workspace(alice);
      const req = await as(alice, (tx) =>
        one(
          tx,
          `insert into requirements (document_id, name, created_by, updated_by) values ($1, 'R', $2, $2) returning *`,
          [document, mallory.id],
        ),
      );
      expect(req.created_by).toBe(alice.id);
      expect(req.updated_by).toBe(alice.id);
      const updated = await as(alice, (tx) =>
        one(
          tx,
          `update requirements set description = 'x', created_by = $2, created_at = now() - interval '1 day'
                  where id = $1 returning *`,
          [req.id, mallory.id],
        ),
      );
      expect(updated.created_by).toBe(alice.id);
      expect(new Date(updated.created_at as string).getTime()).toBe(new Date(req.created_at as string).getTime());
      expect(new Date(updated.updated_at as string).getTime()).toBeGreaterThanOrEqual(
        new Date(req.updated_at as string).getTime(),
      );
    });
  });

  describe('versions', () => {
    it('bumps version on every meaningful update and records each version in entity_versions', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const req = await as(alice, (tx) =>
        one(tx, `insert into requirements (document_id, name) values ($1, 'V') returning *`, [document]),
      );
      expect(req.version).toBe(1);
      await as(alice, (tx) => tx.query(`update requirements set description = 'one' where id = $1`, [req.id]));
      await as(alice, (tx) =>
        tx.query(`update requirements set description = 'two', version = 99 where id = $1`, [req.id]),
      );
      // No change: no new version.
      await as(alice, (tx) => tx.query(`update requirements set description = 'two' where id = $1`, [req.id]));
      const row = await one(db, `select version from requirements where id = $1`, [req.id]);
      expect(row.version).toBe(3);
      const versions = await as(
        alice,
        async (tx) =>
          (
            await tx.query<Row>(
              `select version, operation, data ->> 'description' as description, changed_by, data ? 'fts_vector' as has_fts
             from entity_versions where entity_type = 'requirements' and entity_id = $1 order by version`,
              [req.id],
            )
          ).rows,
      );
      expect(versions).toEqual([
        { version: 1, operation: 'insert', description: null, changed_by: alice.id, has_fts: false },
        { version: 2, operation: 'update', description: 'one', changed_by: alice.id, has_fts: false },
        { version: 3, operation: 'update', description: 'two', changed_by: alice.id, has_fts: false },
      ]);
    });

    it('restore_version writes an old snapshot back as a new version', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const req = await as(alice, (tx) =>
        one(tx, `insert into requirements (document_id, name, description) values ($1, 'Orig', 'first') returning *`, [
          document,
        ]),
      );
      await as(alice, (tx) =>
        tx.query(`update requirements set name = 'Changed', description = 'second' where id = $1`, [req.id]),
      );
      const restored = await as(
        alice,
        async (tx) => (await one(tx, `select restore_version('requirements', $1, 1) as r`, [req.id])).r as Row,
      );
      expect(restored).toMatchObject({ name: 'Orig', description: 'first', version: 3 });
      const error = await as(alice, (tx) =>
        pgError(tx, () => tx.query(`select restore_version('requirements', $1, 42)`, [req.id])),
      );
      expect(error?.code).toBe('P0002');
    });
  });

  describe('slugs', () => {
    it('derives, normalises and de-duplicates slugs per parent', async () => {
      const alice = await createProfile(db);
      const { org, project } = await workspace(alice);
      const slugs = await as(alice, async (tx) => {
        const a = await one(
          tx,
          `insert into projects (name, organization_id) values ('Mars  Lander!!', $1) returning slug`,
          [org],
        );
        const b = await one(
          tx,
          `insert into projects (name, organization_id) values ('mars lander', $1) returning slug`,
          [org],
        );
        const c = await one(
          tx,
          `insert into projects (name, organization_id) values ('Mars-Lander', $1) returning slug`,
          [org],
        );
        const d = await one(
          tx,
          `insert into projects (name, organization_id) values ('2030 Plan', $1) returning slug`,
          [org],
        );
        const e = await one(
          tx,
          `insert into projects (name, organization_id, slug) values ('Xy', $1, '  My Custom_Slug ') returning slug`,
          [org],
        );
        const doc = await one(tx, `insert into documents (name, project_id) values ('Spec', $1) returning slug`, [
          project,
        ]);
        return [a.slug, b.slug, c.slug, d.slug, e.slug, doc.slug];
      });
      // The workspace already has a document 'spec' in this project: the new one is 'spec-2'.
      expect(slugs).toEqual([
        'mars-lander',
        'mars-lander-2',
        'mars-lander-3',
        'project-2030-plan',
        'my-custom-slug',
        'spec-2',
      ]);
    });

    it('refuses a given slug that does not start with a letter, naming the constraint', async () => {
      const alice = await createProfile(db);
      const error = await as(alice, (tx) =>
        pgError(tx, () => tx.query(`insert into organizations (name, slug) values ('Numbers', '42-things')`)),
      );
      expect(error).toMatchObject({ code: '23514', constraint: 'organizations_slug_format' });
    });

    it('keeps the same slug allowed under different parents', async () => {
      const alice = await createProfile(db);
      const w1 = await workspace(alice);
      const w2 = await workspace(alice);
      const slugs = await as(alice, async (tx) => [
        (await one(tx, `select slug from projects where id = $1`, [w1.project])).slug,
        (await one(tx, `select slug from projects where id = $1`, [w2.project])).slug,
      ]);
      expect(slugs).toEqual(['rocket', 'rocket']);
    });
  });

  describe('requirements', () => {
    it('generates REQ- external ids, mirrors enum fields into properties and finds or creates a block', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const req = await as(alice, (tx) =>
        one(
          tx,
          `insert into requirements (document_id, name, priority, type, properties)
                 values ($1, 'R', 'high', 'functional', '{"custom": 1}') returning *`,
          [document],
        ),
      );
      expect(req.external_id).toMatch(/^REQ-[0-9A-F]{8}$/);
      expect(req.properties).toEqual({
        custom: 1,
        status: 'active',
        priority: 'high',
        format: 'incose',
        level: 'component',
        type: 'functional',
      });
      const block = await one(db, `select document_id, type from blocks where id = $1`, [req.block_id]);
      expect(block.document_id).toBe(document);
      const second = await as(alice, (tx) =>
        one(tx, `insert into requirements (document_id, name) values ($1, 'R2') returning *`, [document]),
      );
      expect(second.block_id).toBe(req.block_id);
      const kept = await as(alice, (tx) =>
        one(
          tx,
          `insert into requirements (document_id, name, external_id) values ($1, 'R3', 'SYS-7') returning external_id`,
          [document],
        ),
      );
      expect(kept.external_id).toBe('SYS-7');
      const updated = await as(alice, (tx) =>
        one(tx, `update requirements set status = 'approved' where id = $1 returning properties`, [req.id]),
      );
      expect((updated.properties as Row).status).toBe('approved');
    });

    it('refuses a block of another document', async () => {
      const alice = await createProfile(db);
      const a = await workspace(alice);
      const b = await workspace(alice);
      const error = await as(alice, async (tx) => {
        const block = await one(tx, `insert into blocks (document_id, type) values ($1, 'text') returning id`, [
          b.document,
        ]);
        return pgError(tx, () =>
          tx.query(`insert into requirements (document_id, block_id, name) values ($1, $2, 'R')`, [
            a.document,
            block.id,
          ]),
        );
      });
      expect(error).toMatchObject({ code: '23514', constraint: 'requirements_block_document' });
    });
  });

  describe('memberships and provisioning', () => {
    it('creates a personal organization "<full_name>\'s Workspace" owned by a new profile', async () => {
      const p = await createProfile(db, { email: 'Grace.Hopper@navy.test', fullName: 'Grace Hopper' });
      const org = await one(db, `select name, slug, type, owner_id, member_count from organizations where id = $1`, [
        p.personalOrganizationId,
      ]);
      expect(org).toEqual({
        name: "Grace Hopper's Workspace",
        slug: 'grace-hopper-personal',
        type: 'personal',
        owner_id: p.id,
        member_count: 1,
      });
      const twin = await createProfile(db, { email: 'grace.hopper@other.test', fullName: 'Grace Hopper' });
      const slug = await one(db, `select slug from organizations where id = $1`, [twin.personalOrganizationId]);
      expect(slug.slug).toBe('grace-hopper-personal-2');
    });

    it('makes the creator the active owner of a new organization and of a new project', async () => {
      const alice = await createProfile(db);
      const { org, project } = await workspace(alice);
      const orgMember = await one(
        db,
        `select role, status from organization_members where organization_id = $1 and user_id = $2`,
        [org, alice.id],
      );
      expect(orgMember).toEqual({ role: 'owner', status: 'active' });
      const projectMember = await one(
        db,
        `select role, status, org_id from project_members where project_id = $1 and user_id = $2`,
        [project, alice.id],
      );
      expect(projectMember).toEqual({ role: 'owner', status: 'active', org_id: org });
    });

    it('refuses a user-chosen paid plan or quota change (billing belongs to the service)', async () => {
      const alice = await createProfile(db);
      const refused = await as(alice, (tx) =>
        pgError(tx, () => tx.query(`insert into organizations (name, billing_plan) values ('Rich', 'enterprise')`)),
      );
      expect(refused?.code).toBe('42501');
      const { org } = await workspace(alice, 'free');
      const update = await as(alice, (tx) =>
        pgError(tx, () => tx.query(`update organizations set billing_plan = 'pro' where id = $1`, [org])),
      );
      expect(update?.code).toBe('42501');
    });

    it('enforces member limits by plan: free 5, pro 50, enterprise unlimited', async () => {
      const owner = await createProfile(db);
      const { org } = await workspace(owner, 'free');
      const others = await Promise.all(Array.from({ length: 6 }, () => createProfile(db)));
      for (const u of others.slice(0, 4)) {
        await as(owner, (tx) =>
          tx.query(`insert into organization_members (organization_id, user_id) values ($1, $2)`, [org, u.id]),
        );
      }
      const sixth = await as(owner, (tx) =>
        pgError(tx, () =>
          tx.query(`insert into organization_members (organization_id, user_id) values ($1, $2)`, [org, others[4].id]),
        ),
      );
      expect(sixth).toMatchObject({ code: '23514', constraint: 'organization_member_limit' });
      expect(sixth?.message).toContain('free plan allows 5');
      // An inactive member does not take a seat; reactivating one does.
      await as(owner, (tx) =>
        tx.query(`insert into organization_members (organization_id, user_id, status) values ($1, $2, 'inactive')`, [
          org,
          others[4].id,
        ]),
      );
      const reactivate = await as(owner, (tx) =>
        pgError(tx, () =>
          tx.query(`update organization_members set status = 'active' where organization_id = $1 and user_id = $2`, [
            org,
            others[4].id,
          ]),
        ),
      );
      expect(reactivate?.constraint).toBe('organization_member_limit');
      expect((await one(db, `select member_count from organizations where id = $1`, [org])).member_count).toBe(5);
      await db.query(`update organizations set billing_plan = 'enterprise' where id = $1`, [org]);
      await as(owner, (tx) =>
        tx.query(`insert into organization_members (organization_id, user_id) values ($1, $2)`, [org, others[5].id]),
      );
      expect(await one(db, `select member_count, max_members from organizations where id = $1`, [org])).toEqual({
        member_count: 6,
        max_members: -1,
      });
    });

    it('protects the last owner from removal, demotion and deactivation', async () => {
      const owner = await createProfile(db);
      const second = await createProfile(db);
      const { org } = await workspace(owner);
      for (const change of [
        `delete from organization_members where organization_id = $1 and user_id = $2`,
        `update organization_members set role = 'admin' where organization_id = $1 and user_id = $2`,
        `update organization_members set status = 'inactive' where organization_id = $1 and user_id = $2`,
        `update organization_members set is_deleted = true where organization_id = $1 and user_id = $2`,
      ]) {
        const error = await as(owner, (tx) => pgError(tx, () => tx.query(change, [org, owner.id])));
        expect(error).toMatchObject({ code: '23514', constraint: 'organization_last_owner' });
      }
      await as(owner, (tx) =>
        tx.query(`insert into organization_members (organization_id, user_id, role) values ($1, $2, 'owner')`, [
          org,
          second.id,
        ]),
      );
      await as(owner, (tx) =>
        tx.query(`delete from organization_members where organization_id = $1 and user_id = $2`, [org, owner.id]),
      );
      expect(
        (await db.query(`select 1 from organization_members where organization_id = $1 and role = 'owner'`, [org]))
          .rows,
      ).toHaveLength(1);
      // The organization itself can still be deleted by its (remaining) owner.
      await as(second, (tx) => tx.query(`delete from organizations where id = $1`, [org]));
      expect((await db.query(`select 1 from organizations where id = $1`, [org])).rows).toHaveLength(0);
    });

    it('lets an admin add members but only an owner grant the owner role', async () => {
      const owner = await createProfile(db);
      const admin = await createProfile(db);
      const newcomer = await createProfile(db);
      const { org } = await workspace(owner);
      await as(owner, (tx) =>
        tx.query(`insert into organization_members (organization_id, user_id, role) values ($1, $2, 'admin')`, [
          org,
          admin.id,
        ]),
      );
      const grantOwner = await as(admin, (tx) =>
        pgError(tx, () =>
          tx.query(`insert into organization_members (organization_id, user_id, role) values ($1, $2, 'owner')`, [
            org,
            newcomer.id,
          ]),
        ),
      );
      expect(grantOwner?.code).toBe('42501');
      await as(admin, (tx) =>
        tx.query(`insert into organization_members (organization_id, user_id) values ($1, $2)`, [org, newcomer.id]),
      );
      const promote = await as(admin, (tx) =>
        pgError(tx, () =>
          tx.query(`update organization_members set role = 'owner' where organization_id = $1 and user_id = $2`, [
            org,
            newcomer.id,
          ]),
        ),
      );
      expect(promote?.code).toBe('42501');
    });

    it('deleting a profile removes its personal organization but not organizations it is the last owner of', async () => {
      const p = await createProfile(db);
      await asService(db, (tx) => tx.query(`delete from profiles where id = $1`, [p.id]));
      expect(
        (await db.query(`select 1 from organizations where id = $1`, [p.personalOrganizationId])).rows,
      ).toHaveLength(0);
      const q = await createProfile(db);
      await workspace(q);
      const error = await asService(db, (tx) =>
        pgError(tx, () => tx.query(`delete from profiles where id = $1`, [q.id])),
      );
      expect(error?.code).toMatch(/^23/);
    });
  });

  describe('project visibility and other access rules', () => {
    it('opens organization/team projects to org members, public ones read-only to everyone signed in', async () => {
      const owner = await createProfile(db);
      const member = await createProfile(db);
      const outsider = await createProfile(db);
      const { org, project, document } = await workspace(owner);
      await as(owner, (tx) =>
        tx.query(`insert into organization_members (organization_id, user_id) values ($1, $2)`, [org, member.id]),
      );
      const req = await as(owner, (tx) =>
        one(tx, `insert into requirements (document_id, name) values ($1, 'Visible') returning id`, [document]),
      );
      const canRead = (u: TestProfile) =>
        as(u, async (tx) => (await tx.query(`select 1 from requirements where id = $1`, [req.id])).rows.length === 1);
      const canWrite = (u: TestProfile) =>
        as(
          u,
          async (tx) =>
            (await tx.query(`update requirements set description = 'w' where id = $1`, [req.id])).rowCount === 1,
        );
      const expectAccess = async (visibility: string, expected: [boolean, boolean, boolean]) => {
        await as(owner, (tx) => tx.query(`update projects set visibility = $2 where id = $1`, [project, visibility]));
        expect([visibility, await canRead(member), await canRead(outsider), await canWrite(member)]).toEqual([
          visibility,
          ...expected,
        ]);
      };
      await expectAccess('organization', [true, false, false]);
      await expectAccess('team', [true, false, false]);
      await expectAccess('private', [false, false, false]);
      await expectAccess('public', [true, true, false]);
      expect(await canWrite(outsider)).toBe(false);
      // An inactive org member loses access.
      await as(owner, (tx) => tx.query(`update projects set visibility = 'organization' where id = $1`, [project]));
      await as(owner, (tx) =>
        tx.query(`update organization_members set status = 'inactive' where organization_id = $1 and user_id = $2`, [
          org,
          member.id,
        ]),
      );
      expect(await canRead(member)).toBe(false);
    });

    it('shows profiles to people sharing an active organization only', async () => {
      const owner = await createProfile(db);
      const member = await createProfile(db);
      const outsider = await createProfile(db);
      const { org } = await workspace(owner);
      await as(owner, (tx) =>
        tx.query(`insert into organization_members (organization_id, user_id) values ($1, $2)`, [org, member.id]),
      );
      const sees = (u: TestProfile, p: TestProfile) =>
        as(u, async (tx) => (await tx.query(`select 1 from profiles where id = $1`, [p.id])).rows.length === 1);
      expect([
        await sees(member, owner),
        await sees(owner, member),
        await sees(outsider, owner),
        await sees(outsider, outsider),
      ]).toEqual([true, true, false, true]);
      const email = await as(member, (tx) =>
        pgError(tx, () => tx.query(`update profiles set email = 'x@y.test' where id = $1`, [member.id])),
      );
      expect(email?.code).toBe('42501');
    });

    it('lets a super admin (user_roles) read every audit row and an org admin only their organization', async () => {
      const owner = await createProfile(db);
      const other = await createProfile(db);
      const admin = await createProfile(db);
      const { org } = await workspace(owner);
      const { org: otherOrg } = await workspace(other);
      await db.query(`insert into user_roles (user_id, admin_role) values ($1, 'super_admin')`, [admin.id]);
      const orgsSeen = (u: TestProfile) =>
        as(u, async (tx) =>
          (
            await tx.query<{ organization_id: string }>(
              `select distinct organization_id from audit_logs where organization_id in ($1, $2) order by 1`,
              [org, otherOrg],
            )
          ).rows.map((r) => r.organization_id),
        );
      expect(await orgsSeen(owner)).toEqual([org]);
      expect(await orgsSeen(admin)).toEqual([org, otherOrg].sort());
    });
  });

  describe('invitations', () => {
    it('lets the invitee accept with accept_invitation, joining with the invited role', async () => {
      const owner = await createProfile(db);
      const invitee = await createProfile(db);
      const { org, project } = await workspace(owner);
      const inv = await as(owner, (tx) =>
        one(
          tx,
          `insert into organization_invitations (organization_id, email, role) values ($1, upper($2), 'admin') returning token`,
          [org, invitee.email],
        ),
      );
      const joined = await as(
        invitee,
        async (tx) => (await one(tx, `select accept_invitation($1) as r`, [inv.token])).r,
      );
      expect(joined).toEqual({ kind: 'organization', id: org, role: 'admin' });
      const again = await as(invitee, (tx) => pgError(tx, () => tx.query(`select accept_invitation($1)`, [inv.token])));
      expect(again).toMatchObject({ code: '23514', constraint: 'invitation_pending' });
      const pinv = await as(owner, (tx) =>
        one(tx, `insert into project_invitations (project_id, email, role) values ($1, $2, 'editor') returning token`, [
          project,
          invitee.email,
        ]),
      );
      const stranger = await createProfile(db);
      const stolen = await as(stranger, (tx) =>
        pgError(tx, () => tx.query(`select accept_invitation($1)`, [pinv.token])),
      );
      expect(stolen?.code).toBe('P0002');
      expect(
        await as(invitee, async (tx) => (await one(tx, `select accept_invitation($1) as r`, [pinv.token])).r),
      ).toEqual({
        kind: 'project',
        id: project,
        role: 'editor',
      });
    });

    it('lets the invitee only answer: changing the role is refused', async () => {
      const owner = await createProfile(db);
      const invitee = await createProfile(db);
      const { org } = await workspace(owner);
      const inv = await as(owner, (tx) =>
        one(tx, `insert into organization_invitations (organization_id, email) values ($1, $2) returning id`, [
          org,
          invitee.email,
        ]),
      );
      const escalate = await as(invitee, (tx) =>
        pgError(tx, () =>
          tx.query(`update organization_invitations set role = 'owner', status = 'accepted' where id = $1`, [inv.id]),
        ),
      );
      expect(escalate).toMatchObject({ code: '23514', constraint: 'invitation_invitee_update' });
      const reject = await as(invitee, (tx) =>
        tx.query(`update organization_invitations set status = 'rejected' where id = $1`, [inv.id]),
      );
      expect(reject.rowCount).toBe(1);
    });
  });

  describe('soft delete cascade and restore', () => {
    it('cascades organization -> projects -> documents -> blocks, requirements and project -> tests, and restores exactly that', async () => {
      const alice = await createProfile(db);
      const { org, project, document } = await workspace(alice);
      const ids = await as(alice, async (tx) => {
        const r1 = await one(
          tx,
          `insert into requirements (document_id, name) values ($1, 'kept') returning id, block_id`,
          [document],
        );
        const r2 = await one(
          tx,
          `insert into requirements (document_id, name) values ($1, 'deleted before') returning id`,
          [document],
        );
        const test = await one(tx, `insert into test_req (project_id, title) values ($1, 'T') returning id`, [project]);
        const doc2 = await one(tx, `insert into documents (project_id, name) values ($1, 'Gone') returning id`, [
          project,
        ]);
        // Deleted on their own before the organization: the restore must leave them deleted.
        await tx.query(`update requirements set is_deleted = true where id = $1`, [r2.id]);
        await tx.query(`update documents set is_deleted = true where id = $1`, [doc2.id]);
        return {
          r1: r1.id as string,
          block: r1.block_id as string,
          r2: r2.id as string,
          test: test.id as string,
          doc2: doc2.id as string,
        };
      });
      await as(alice, (tx) => tx.query(`update organizations set is_deleted = true where id = $1`, [org]));
      const state = async () =>
        (
          await db.query<{ t: string; id: string; is_deleted: boolean }>(
            `select 'project' t, id, is_deleted from projects where id = $1
             union all select 'document', id, is_deleted from documents where id in ($2, $3)
             union all select 'requirement', id, is_deleted from requirements where id in ($4, $5)
             union all select 'block', id, is_deleted from blocks where id = $6
             union all select 'test', id, is_deleted from test_req where id = $7`,
            [project, document, ids.doc2, ids.r1, ids.r2, ids.block, ids.test],
          )
        ).rows.reduce<Record<string, boolean>>((acc, r) => ({ ...acc, [r.id]: r.is_deleted }), {});
      const deleted = await state();
      expect(Object.values(deleted).every(Boolean)).toBe(true);
      const stamps = await db.query<{ deleted_at: string; deleted_by: string }>(
        `select distinct deleted_at::text, deleted_by from (
           select deleted_at, deleted_by from organizations where id = $1
           union all select deleted_at, deleted_by from projects where id = $2
           union all select deleted_at, deleted_by from requirements where id = $3) s`,
        [org, project, ids.r1],
      );
      expect(stamps.rows).toHaveLength(1);
      expect(stamps.rows[0].deleted_by).toBe(alice.id);

      await as(alice, (tx) => tx.query(`update organizations set is_deleted = false where id = $1`, [org]));
      expect(await state()).toEqual({
        [project]: false,
        [document]: false,
        [ids.doc2]: true,
        [ids.r1]: false,
        [ids.r2]: true,
        [ids.block]: false,
        [ids.test]: false,
      });
      const cleared = await one(db, `select deleted_at, deleted_by from projects where id = $1`, [project]);
      expect(cleared).toEqual({ deleted_at: null, deleted_by: null });
    });

    it('refuses to restore a row whose parent is still deleted', async () => {
      const alice = await createProfile(db);
      const { project, document } = await workspace(alice);
      await as(alice, (tx) => tx.query(`update projects set is_deleted = true where id = $1`, [project]));
      const error = await as(alice, (tx) =>
        pgError(tx, () => tx.query(`update documents set is_deleted = false where id = $1`, [document])),
      );
      expect(error).toMatchObject({ code: '23514', constraint: 'entity_restore_parent_deleted' });
    });
  });

  describe('audit and embedding queue', () => {
    it('writes audit rows for inserts, updates and deletes with actor and old/new data, none for no-op updates', async () => {
      const alice = await createProfile(db);
      const { org, project, document } = await workspace(alice);
      const req = await as(alice, (tx) =>
        one(tx, `insert into requirements (document_id, name) values ($1, 'A') returning id`, [document]),
      );
      await as(alice, (tx) => tx.query(`update requirements set name = 'B' where id = $1`, [req.id]));
      await as(alice, (tx) => tx.query(`update requirements set name = 'B' where id = $1`, [req.id]));
      await as(alice, (tx) => tx.query(`delete from requirements where id = $1`, [req.id]));
      const rows = await as(
        alice,
        async (tx) =>
          (
            await tx.query<Row>(
              `select action, event_type, actor_id, organization_id, project_id, old_data ->> 'name' as old_name,
                  new_data ->> 'name' as new_name, new_data ? 'embedding' as has_embedding
             from audit_logs where entity_id = $1 order by created_at, id`,
              [req.id],
            )
          ).rows,
      );
      const common = { actor_id: alice.id, organization_id: org, project_id: project, has_embedding: false };
      expect(rows.map((r) => r.action).sort()).toEqual(['create', 'delete', 'update']);
      expect(rows).toEqual(
        expect.arrayContaining([
          { ...common, action: 'create', event_type: 'data_created', old_name: null, new_name: 'A' },
          { ...common, action: 'update', event_type: 'data_updated', old_name: 'A', new_name: 'B' },
          {
            ...common,
            action: 'delete',
            event_type: 'data_deleted',
            old_name: 'B',
            new_name: null,
            has_embedding: null,
          },
        ]),
      );
    });

    it('queues embeddings for new and renamed entities only', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const req = await as(alice, (tx) =>
        one(tx, `insert into requirements (document_id, name, description) values ($1, 'Q', 'd') returning id`, [
          document,
        ]),
      );
      const queued = async () =>
        (
          await db.query<Row>(
            `select text, status from embedding_queue where table_name = 'requirements' and row_id = $1`,
            [req.id],
          )
        ).rows;
      expect(await queued()).toEqual([{ text: 'Q\n\nd', status: 'pending' }]);
      await as(alice, (tx) => tx.query(`update requirements set priority = 'high' where id = $1`, [req.id]));
      await as(alice, (tx) => tx.query(`update requirements set description = 'better' where id = $1`, [req.id]));
      expect(await queued()).toEqual([{ text: 'Q\n\nbetter', status: 'pending' }]);
    });
  });

  describe('embedding jobs (service worker)', () => {
    it('claims each pending job once, stores the embedding, and retries failures a bounded number of times', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const req = await as(alice, (tx) =>
        one(tx, `insert into requirements (document_id, name) values ($1, 'Embed me') returning id`, [document]),
      );
      const job = await one(db, `select id from embedding_queue where table_name = 'requirements' and row_id = $1`, [
        req.id,
      ]);
      const claim = () =>
        asService(db, async (tx) =>
          (await tx.query<Row>(`select id, status from claim_embedding_jobs(1000)`)).rows.filter(
            (r) => r.id === job.id,
          ),
        );
      expect(await claim()).toEqual([{ id: job.id, status: 'processing' }]);
      expect(await claim()).toEqual([]);
      const vector = (await embeddingLiteral(db, 'requirements', 5))
        .replace(/^[[{]|[\]}]$/g, '')
        .split(',')
        .map(Number);
      expect(
        await asService(
          db,
          async (tx) => (await one(tx, `select complete_embedding_job($1, $2::float8[]) as ok`, [job.id, vector])).ok,
        ),
      ).toBe(true);
      const stored = await one(
        db,
        `select embedding is not null as has, (select status from embedding_queue where id = $2) as status
                                      from requirements where id = $1`,
        [req.id, job.id],
      );
      expect(stored).toEqual({ has: true, status: 'completed' });
      const found = await as(
        alice,
        async (tx) =>
          (await tx.query<Row>(`select id from semantic_search('requirements', $1::float8[], 1)`, [vector])).rows[0]
            ?.id,
      );
      expect(found).toBe(req.id);
      // Failures: back to pending until the third attempt.
      await as(alice, (tx) => tx.query(`update requirements set name = 'Embed me again' where id = $1`, [req.id]));
      const retry = await one(
        db,
        `select id from embedding_queue where table_name = 'requirements' and row_id = $1 and status = 'pending'`,
        [req.id],
      );
      const statuses: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        await asService(db, (tx) => tx.query(`select claim_embedding_jobs(1000, p_min_retry_delay => '0')`));
        statuses.push(
          await asService(
            db,
            async (tx) => (await one(tx, `select fail_embedding_job($1, 'vertex 503') as s`, [retry.id])).s,
          ),
        );
      }
      expect(statuses).toEqual(['pending', 'pending', 'failed']);
      const user = await as(alice, (tx) => pgError(tx, () => tx.query(`select claim_embedding_jobs()`)));
      expect(user?.code).toBe('42501');
    });

    it('claim_embedding_jobs waits min_retry_delay · 2^(n-1) after the n-th failure before claiming a job again', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const req = await as(alice, (tx) =>
        one(tx, `insert into requirements (document_id, name) values ($1, 'Backoff') returning id`, [document]),
      );
      const job = await one(db, `select id from embedding_queue where table_name = 'requirements' and row_id = $1`, [
        req.id,
      ]);
      const claimed = (delay: string) =>
        asService(db, async (tx) =>
          (
            await tx.query<Row>(`select id from claim_embedding_jobs(1000, '5 minutes', $1::interval)`, [delay])
          ).rows.some((r) => r.id === job.id),
        );
      const fail = () =>
        asService(db, async (tx) => (await one(tx, `select fail_embedding_job($1, 'boom', 5) as s`, [job.id])).s);
      // Moves the job's last change back in time (the actors trigger would stamp now(): replica mode skips it).
      const failedAgo = async (seconds: number) => {
        await db.exec('begin; set local session_replication_role = replica');
        await db.query(`update embedding_queue set updated_at = now() - make_interval(secs => $2) where id = $1`, [
          job.id,
          seconds,
        ]);
        await db.exec('commit');
      };
      // A job that never failed is claimed at once, whatever the delay.
      expect(await claimed('1 hour')).toBe(true);
      expect(await fail()).toBe('pending');
      // First retry: 30 s after the failure.
      expect(await claimed('30 seconds')).toBe(false);
      await failedAgo(29);
      expect(await claimed('30 seconds')).toBe(false);
      await failedAgo(31);
      expect(await claimed('30 seconds')).toBe(true);
      // Second retry: twice the delay.
      expect(await fail()).toBe('pending');
      await failedAgo(59);
      expect(await claimed('30 seconds')).toBe(false);
      await failedAgo(61);
      expect(await claimed('30 seconds')).toBe(true);
      // A stale `processing` job is reclaimed regardless of its failures.
      await failedAgo(600);
      expect(await claimed('1 hour')).toBe(true);
      const bad = await asService(db, (tx) =>
        pgError(tx, () => tx.query(`select claim_embedding_jobs(10, '5 minutes', '-1 second')`)),
      );
      expect(bad?.code).toBe('22023');
    });
  });

  describe('polymorphic links', () => {
    it('refuses trace links and assignments to entities that do not exist, and removes links with their entity', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const missing = '00000000-0000-4000-8000-0000000000aa';
      const error = await as(alice, async (tx) => {
        const r = await one(tx, `insert into requirements (document_id, name) values ($1, 'S') returning id`, [
          document,
        ]);
        return pgError(tx, () =>
          tx.query(
            `insert into trace_links (source_id, source_type, target_id, target_type, link_type)
                    values ($1, 'requirement', $2, 'requirement', 'implements')`,
            [r.id, missing],
          ),
        );
      });
      expect(error).toMatchObject({ code: '23503', constraint: 'trace_links_target_fkey' });
      const left = await as(alice, async (tx) => {
        const a = await one(tx, `insert into requirements (document_id, name) values ($1, 'A') returning id`, [
          document,
        ]);
        const b = await one(tx, `insert into requirements (document_id, name) values ($1, 'B') returning id`, [
          document,
        ]);
        await tx.query(
          `insert into trace_links (source_id, source_type, target_id, target_type, link_type)
                        values ($1, 'requirement', $2, 'requirement', 'implements')`,
          [a.id, b.id],
        );
        await tx.query(`delete from requirements where id = $1`, [b.id]);
        return (await tx.query(`select 1 from trace_links where source_id = $1`, [a.id])).rows.length;
      });
      expect(left).toBe(0);
    });
  });

  describe('one live link per pair', () => {
    it('a second live trace link or assignment of the same kind is a unique violation; a removed one may return', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const result = await as(alice, async (tx) => {
        const a = await one(tx, `insert into requirements (document_id, name) values ($1, 'A') returning id`, [
          document,
        ]);
        const b = await one(tx, `insert into requirements (document_id, name) values ($1, 'B') returning id`, [
          document,
        ]);
        const link = `insert into trace_links (source_id, source_type, target_id, target_type, link_type)
                      values ($1, 'requirement', $2, 'requirement', $3) returning id`;
        const first = await one(tx, link, [a.id, b.id, 'implements']);
        const duplicate = await pgError(tx, () => tx.query(link, [a.id, b.id, 'implements']));
        await tx.query(link, [a.id, b.id, 'derives_from']); // another link type is another link
        await tx.query(`update trace_links set is_deleted = true where id = $1`, [first.id]);
        await tx.query(link, [a.id, b.id, 'implements']); // the removed one no longer counts
        const assign = `insert into assignments (entity_id, entity_type, assignee_id, role)
                        values ($1, 'requirement', $2, $3)`;
        await tx.query(assign, [a.id, alice.id, 'assignee']);
        const again = await pgError(tx, () => tx.query(assign, [a.id, alice.id, 'assignee']));
        await tx.query(assign, [a.id, alice.id, 'reviewer']);
        return { duplicate, again };
      });
      expect(result.duplicate).toMatchObject({ code: '23505', constraint: 'trace_links_active_key' });
      expect(result.again).toMatchObject({ code: '23505', constraint: 'assignments_active_key' });
    });
  });

  describe('workflows (atomic SQL functions)', () => {
    it('organization_onboarding creates the organization, starter project, invitations and context', async () => {
      const alice = await createProfile(db);
      const result = (await as(
        alice,
        async (tx) =>
          (
            await one(
              tx,
              `select organization_onboarding('Initech', null, 'team', 'desc', true, array['x@initech.test']) as r`,
            )
          ).r,
      )) as Row;
      expect(result.steps_completed).toEqual([
        'create_organization',
        'create_starter_project',
        'invite_members',
        'set_context',
      ]);
      expect((result.organization as Row).slug).toBe('initech');
      expect((result.project as Row).name).toBe('Getting Started');
      expect(result.invitations).toHaveLength(1);
      const ctx = await as(alice, (tx) =>
        one(
          tx,
          `select organization_id, project_id from workspace_contexts where user_id = $1 and session_id is null`,
          [alice.id],
        ),
      );
      expect(ctx).toEqual({ organization_id: (result.organization as Row).id, project_id: (result.project as Row).id });
    });

    it('setup_project is all or nothing and names the failing step', async () => {
      const alice = await createProfile(db);
      const { org } = await workspace(alice);
      const ok = (await as(
        alice,
        async (tx) =>
          (
            await one(
              tx,
              `select setup_project($1, 'Apollo', 'moon', '["Plan", {"name": "Design", "tags": ["a"]}]') as r`,
              [org],
            )
          ).r,
      )) as Row;
      expect((ok.documents as Row[]).map((d) => d.slug)).toEqual(['plan', 'design']);
      const failure = await as(alice, async (tx) => {
        try {
          await tx.query(`select setup_project($1, 'Gemini', null, '["Plan", {"name": ""}]')`, [org]);
          return null;
        } catch (error) {
          return error as { code: string; hint: string; constraint: string };
        }
      }).catch((error: { code: string; hint: string; constraint: string }) => error);
      expect(failure).toMatchObject({ code: '23514', constraint: 'documents_name_length' });
      expect(failure?.hint).toMatch(/^atoms_step:create_documents/);
      expect(
        (await db.query(`select 1 from projects where organization_id = $1 and name = 'Gemini'`, [org])).rows,
      ).toHaveLength(0);
    });

    it('import_requirements creates all requirements in order or none', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const result = (await as(
        alice,
        async (tx) =>
          (
            await one(tx, `select import_requirements($1, '[{"name": "A"}, {"name": "B", "priority": "high"}]') as r`, [
              document,
            ])
          ).r,
      )) as Row;
      expect(result.imported_count).toBe(2);
      const rows = await db.query<Row>(
        `select name, priority, status, position from requirements where document_id = $1 order by position`,
        [document],
      );
      expect(rows.rows).toEqual([
        { name: 'A', priority: 'medium', status: 'active', position: 1 },
        { name: 'B', priority: 'high', status: 'active', position: 2 },
      ]);
      const error = await as(alice, (tx) =>
        pgError(tx, () =>
          tx.query(`select import_requirements($1, '[{"name": "C"}, {"name": "D", "priority": "urgent"}]')`, [
            document,
          ]),
        ),
      );
      expect(error?.code).toBe('22P02');
      expect((await db.query(`select 1 from requirements where document_id = $1`, [document])).rows).toHaveLength(2);
    });

    it('setup_test_matrix creates a default view and a linked acceptance test per high-priority requirement', async () => {
      const alice = await createProfile(db);
      const { project, document } = await workspace(alice);
      await as(alice, (tx) =>
        tx.query(
          `select import_requirements($1, '[{"name": "H", "priority": "high"}, {"name": "C", "priority": "critical"}, {"name": "L", "priority": "low"}]')`,
          [document],
        ),
      );
      const first = (await as(
        alice,
        async (tx) => (await one(tx, `select setup_test_matrix($1) as r`, [project])).r,
      )) as Row;
      expect(first).toMatchObject({ tests_created: 2, links_created: 2, requirements_considered: 2 });
      // The created tests, each with the requirement it verifies (as linked in requirement_tests).
      const links = await db.query<Row>(
        `select rt.test_id as id, rt.requirement_id from requirement_tests rt join test_req t on t.id = rt.test_id
          where t.project_id = $1`,
        [project],
      );
      expect(first.tests).toHaveLength(2);
      expect(
        new Set((first.tests as Row[]).map((t) => JSON.stringify({ id: t.id, requirement_id: t.requirement_id }))),
      ).toEqual(new Set(links.rows.map((t) => JSON.stringify({ id: t.id, requirement_id: t.requirement_id }))));
      expect((first.matrix_view as Row).is_default).toBe(true);
      const second = (await as(
        alice,
        async (tx) => (await one(tx, `select setup_test_matrix($1, 'Again') as r`, [project])).r,
      )) as Row;
      expect(second).toMatchObject({ tests_created: 0, tests: [] });
      expect((second.matrix_view as Row).is_default).toBe(false);
      const tests = await db.query<Row>(
        `select test_type, status, priority from test_req where project_id = $1 order by priority`,
        [project],
      );
      expect(tests.rows).toEqual([
        { test_type: 'acceptance', status: 'draft', priority: 'critical' },
        { test_type: 'acceptance', status: 'draft', priority: 'high' },
      ]);
    });

    it('bulk_status_update validates the status and updates every id or none', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const ids = await as(alice, async (tx) => {
        await tx.query(`select import_requirements($1, '[{"name": "A"}, {"name": "B"}]')`, [document]);
        return (
          await tx.query<{ id: string }>(`select id from requirements where document_id = $1`, [document])
        ).rows.map((r) => r.id);
      });
      const bad = await as(alice, (tx) =>
        pgError(tx, () => tx.query(`select bulk_status_update('requirement', $1, 'done')`, [ids])),
      );
      expect(bad).toMatchObject({ code: '22P02' });
      expect(bad?.message).toContain('expected one of active, archived');
      const missing = await as(alice, (tx) =>
        pgError(tx, () =>
          tx.query(`select bulk_status_update('requirement', $1, 'approved')`, [
            [...ids, '00000000-0000-4000-8000-000000000001'],
          ]),
        ),
      );
      expect(missing?.code).toBe('P0002');
      expect(
        (await db.query(`select 1 from requirements where document_id = $1 and status = 'approved'`, [document])).rows,
      ).toHaveLength(0);
      const done = await as(
        alice,
        async (tx) => (await one(tx, `select bulk_status_update('requirement', $1, 'approved') as r`, [ids])).r,
      );
      expect(done).toMatchObject({ updated: 2, status: 'approved' });
    });
  });

  describe('batch operations', () => {
    it('batch_create is all or nothing, or reports per item with continue_on_error', async () => {
      const alice = await createProfile(db);
      const { project } = await workspace(alice);
      const items = JSON.stringify([
        { name: 'One', project_id: project },
        { name: 'Two', project_id: project, bogus: 1 },
      ]);
      const error = await as(alice, (tx) =>
        pgError(tx, () => tx.query(`select batch_create('documents', $1)`, [items])),
      );
      expect(error).toMatchObject({ code: '42703' });
      expect(error?.message).toContain('item 1');
      expect(
        (await db.query(`select 1 from documents where project_id = $1 and name = 'One'`, [project])).rows,
      ).toHaveLength(0);
      const partial = (await as(
        alice,
        async (tx) => (await one(tx, `select batch_create('documents', $1, true) as r`, [items])).r,
      )) as Row;
      expect(partial).toMatchObject({ created: 1, failed: 1 });
      expect((partial.results as Row[])[1]).toEqual({
        index: 1,
        ok: false,
        error: { code: '42703', column: 'bogus', message: expect.any(String) },
      });
      const tooMany = await as(alice, (tx) =>
        pgError(tx, () =>
          tx.query(`select batch_create('documents', $1)`, [JSON.stringify(Array.from({ length: 101 }, () => ({})))]),
        ),
      );
      expect(tooMany?.code).toBe('54000');
    });

    it('bulk_update and bulk_delete change every row or none; bulk_delete soft-deletes with the cascade', async () => {
      const alice = await createProfile(db);
      const { project, document } = await workspace(alice);
      const doc2 = await as(alice, (tx) =>
        one(tx, `insert into documents (project_id, name) values ($1, 'Two') returning id`, [project]),
      );
      await as(alice, (tx) => tx.query(`insert into requirements (document_id, name) values ($1, 'R')`, [document]));
      const updated = await as(
        alice,
        async (tx) =>
          (await one(tx, `select bulk_update('documents', $1, '{"description": "bulk"}') as r`, [[document, doc2.id]]))
            .r,
      );
      expect(updated).toMatchObject({ updated: 2 });
      const idChange = await as(alice, (tx) =>
        pgError(tx, () =>
          tx.query(`select bulk_update('documents', $1, $2)`, [[document], JSON.stringify({ id: document })]),
        ),
      );
      expect(idChange?.code).toBe('22023');
      const deleted = await as(
        alice,
        async (tx) => (await one(tx, `select bulk_delete('documents', $1) as r`, [[document, doc2.id]])).r,
      );
      expect(deleted).toMatchObject({ deleted: 2, soft: true });
      expect(
        (await db.query(`select 1 from requirements where document_id = $1 and is_deleted`, [document])).rows,
      ).toHaveLength(1);
      const stranger = await createProfile(db);
      const refused = await as(stranger, (tx) =>
        pgError(tx, () => tx.query(`select bulk_delete('documents', $1, true)`, [[document]])),
      );
      expect(refused?.code).toBe('P0002');
      const unknown = await as(alice, (tx) =>
        pgError(tx, () => tx.query(`select bulk_delete('pg_class', $1)`, [[document]])),
      );
      expect(unknown?.code).toBe('42P01');
    });

    it('rows the caller sees but may not change are 42501 with the ids in DETAIL; rows they cannot see stay P0002', async () => {
      const alice = await createProfile(db);
      const viewer = await createProfile(db);
      const { org, project, document } = await workspace(alice);
      await db.query(`insert into organization_members (organization_id, user_id) values ($1, $2)`, [org, viewer.id]);
      await db.query(`insert into project_members (project_id, user_id, role, org_id) values ($1, $2, 'viewer', $3)`, [
        project,
        viewer.id,
        org,
      ]);
      const req = await as(alice, (tx) =>
        one(tx, `insert into requirements (document_id, name) values ($1, 'Read only') returning id`, [document]),
      );
      const hidden = '00000000-0000-4000-8000-0000000000ab';
      const refusals = await as(viewer, async (tx) => ({
        update: await pgError(tx, () =>
          tx.query(`select bulk_update('requirements', $1, '{"name": "x"}')`, [[req.id]]),
        ),
        status: await pgError(tx, () =>
          tx.query(`select bulk_status_update('requirement', $1, 'approved')`, [[req.id]]),
        ),
        softDelete: await pgError(tx, () => tx.query(`select bulk_delete('requirements', $1)`, [[req.id]])),
        hardDelete: await pgError(tx, () => tx.query(`select bulk_delete('requirements', $1, true)`, [[req.id]])),
        restore: await pgError(tx, () => tx.query(`select restore_version('requirements', $1, 1)`, [req.id])),
        mixed: await pgError(tx, () =>
          tx.query(`select bulk_update('requirements', $1, '{"name": "x"}')`, [[req.id, hidden]]),
        ),
      }));
      for (const refusal of [refusals.update, refusals.status, refusals.softDelete, refusals.hardDelete]) {
        expect(refusal).toMatchObject({ code: '42501', detail: req.id });
      }
      expect(refusals.restore).toMatchObject({ code: '42501', detail: req.id });
      // Any id the caller cannot see: not found, naming only that id (nothing about the visible one).
      expect(refusals.mixed).toMatchObject({ code: 'P0002', detail: hidden });
      expect((await db.query(`select name, is_deleted from requirements where id = $1`, [req.id])).rows).toEqual([
        { name: 'Read only', is_deleted: false },
      ]);
    });
  });

  describe('search', () => {
    it('search_entities ranks name matches above description matches, with RLS', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      await as(alice, (tx) =>
        tx.query(
          `select import_requirements($1, '[{"name": "Thermal shielding", "description": "heat"},
                  {"name": "Hull", "description": "shielding against thermal load"}, {"name": "Other"}]')`,
          [document],
        ),
      );
      const hits = await as(
        alice,
        async (tx) =>
          (await tx.query<Row>(`select name, total from search_entities('requirements', 'thermal shielding')`)).rows,
      );
      expect(hits.map((h) => h.name)).toEqual(['Thermal shielding', 'Hull']);
      expect(Number(hits[0].total)).toBe(2);
      const stranger = await createProfile(db);
      const none = await as(
        stranger,
        async (tx) => (await tx.query(`select * from search_entities('requirements', 'thermal')`)).rows,
      );
      expect(none).toHaveLength(0);
    });

    it('semantic_search returns the nearest embeddings by cosine similarity, exactly on the portable column', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const reqs = await as(alice, async (tx) => {
        const out: string[] = [];
        for (const seed of [1, 2, 3]) {
          const r = await one(tx, `insert into requirements (document_id, name) values ($1, $2) returning id`, [
            document,
            `E${seed}`,
          ]);
          out.push(r.id as string);
        }
        return out;
      });
      for (const [i, id] of reqs.entries()) {
        await asService(db, async (tx) =>
          tx.query(`update requirements set embedding = $2 where id = $1`, [
            id,
            await embeddingLiteral(tx, 'requirements', i + 1),
          ]),
        );
      }
      const query = (await embeddingLiteral(db, 'documents', 2))
        .replace(/^\[|^\{|\]$|\}$/g, '')
        .split(',')
        .map(Number);
      const hits = await as(
        alice,
        async (tx) =>
          (
            await tx.query<Row>(`select name, similarity from semantic_search('requirements', $1::float8[], 2)`, [
              query,
            ])
          ).rows,
      );
      expect(hits[0].name).toBe('E2');
      expect(hits[0].similarity as number).toBeCloseTo(1, 6);
      expect(hits).toHaveLength(2);
      const wrong = await as(alice, (tx) =>
        pgError(tx, () => tx.query(`select * from semantic_search('requirements', $1::float8[])`, [[1, 2]])),
      );
      expect(wrong?.code).toBe('22023');
    });
  });

  describe('name resolution', () => {
    type Match = { id: string; name: string; similarity: number };
    const resolve = (user: TestProfile, args: string, params: unknown[] = []) =>
      as(user, async (tx) => (await tx.query<Match>(`select * from resolve_entity_name(${args})`, params)).rows);

    it('resolve_entity_name: exact case-insensitive matches first, then trigram similarity, over every visible row', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      // 2,500 rows before the one we look for: the tools' old TypeScript scan stopped at 2,000.
      await db.query(
        `insert into requirements (document_id, name)
         select $1, 'Requirement number ' || g from generate_series(1, 2500) g`,
        [document],
      );
      await db.query(`insert into requirements (document_id, name) values ($1, 'Telemetry downlink encryption')`, [
        document,
      ]);
      const typo = await resolve(alice, `'requirements', 'telemetry downlnk encription'`);
      expect(typo).toEqual([
        { id: expect.any(String), name: 'Telemetry downlink encryption', similarity: expect.any(Number) },
      ]);
      expect(typo[0].similarity).toBeCloseTo(0.6857, 3); // pg_trgm's similarity()
      const exact = await resolve(alice, `'requirements', 'REQUIREMENT NUMBER 17', 3`);
      expect(exact.map((m) => [m.name, m.similarity])).toEqual([
        ['Requirement number 17', 1],
        ['Requirement number 1717', expect.closeTo(0.9167, 3)],
        ['Requirement number 117', 0.875],
      ]);
      // LIKE wildcards in a name are literal: "%" is no exact match of anything.
      const literal = await resolve(alice, `'requirements', 'Requirement number %', 2`);
      expect(literal.every((m) => m.similarity < 1)).toBe(true);
      const stranger = await createProfile(db);
      expect(await resolve(stranger, `'requirements', 'Telemetry downlink encryption'`)).toEqual([]);
    });

    it('resolve_entity_name narrows by an allowed scope column, hides soft-deleted rows unless asked, names per table', async () => {
      const alice = await createProfile(db, { fullName: 'Alice Liddell' });
      const { project, document } = await workspace(alice);
      const other = await as(alice, (tx) =>
        one(tx, `insert into documents (name, project_id) values ('Other', $1) returning id`, [project]),
      );
      const [here, there] = await as(alice, async (tx) => [
        await one(tx, `insert into requirements (document_id, name) values ($1, 'Docking latch') returning id`, [
          document,
        ]),
        await one(tx, `insert into requirements (document_id, name) values ($1, 'Docking latch') returning id`, [
          other.id,
        ]),
      ]);
      expect(await resolve(alice, `'requirements', 'docking latch'`)).toHaveLength(2);
      const scoped = await resolve(alice, `'requirements', 'docking latch', 5, 'document_id', $1`, [other.id]);
      expect(scoped.map((m) => m.id)).toEqual([there.id]);
      await as(alice, (tx) => tx.query(`update requirements set is_deleted = true where id = $1`, [here.id]));
      expect((await resolve(alice, `'requirements', 'docking latch'`)).map((m) => m.id)).toEqual([there.id]);
      expect(await resolve(alice, `'requirements', 'docking latch', 5, null, null, true`)).toHaveLength(2);
      await as(alice, (tx) =>
        tx.query(`insert into test_req (project_id, title) values ($1, 'Latch pull test')`, [project]),
      );
      expect((await resolve(alice, `'test_req', 'latch pull tst'`)).map((m) => m.name)).toEqual(['Latch pull test']);
      expect((await resolve(alice, `'profiles', 'alice lidell'`)).map((m) => m.id)).toEqual([alice.id]);
    });

    it('resolve_entity_name refuses unknown tables, scope columns and empty names with 22023', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      const probe = (args: string, params: unknown[] = []) =>
        as(alice, (tx) => pgError(tx, () => tx.query(`select * from resolve_entity_name(${args})`, params)));
      const table = await probe(`'schema_migrations', 'x'`);
      expect(table).toMatchObject({ code: '22023' });
      expect(table?.message).toContain('schema_migrations');
      const column = await probe(`'requirements', 'x', 5, 'project_id', $1`, [document]);
      expect(column).toMatchObject({ code: '22023', column: 'project_id' });
      expect((column as { hint?: string }).hint).toBe('scope columns of requirements: block_id, document_id');
      expect(await probe(`'requirements', 'x', 5, 'document_id', null`)).toMatchObject({ code: '22023' });
      expect(await probe(`'requirements', '   '`)).toMatchObject({ code: '22023' });
      expect(await probe(`'requirements', 'x', 0`)).toMatchObject({ code: '22023' });
    });

    it('resolve_entity_name gives the same answers without pg_trgm (the SQL formula)', async () => {
      const alice = await createProfile(db);
      const { document } = await workspace(alice);
      await as(alice, (tx) =>
        tx.query(
          `select import_requirements($1, '[{"name": "Thermal shielding"}, {"name": "Thermal shield bracket"},
                  {"name": "Über Straße"}, {"name": "REQ-42 foo_bar"}]')`,
          [document],
        ),
      );
      const queries = ['thermal shelding', 'THERMAL SHIELDING', 'uber strasse', 'req 42 foo bar', 'nothing alike'];
      const run = async () => {
        const out: Match[][] = [];
        for (const q of queries) out.push(await resolve(alice, `'requirements', $1`, [q]));
        return out;
      };
      const withTrgm = await run();
      expect(withTrgm[0][0]).toMatchObject({ name: 'Thermal shielding' });
      expect(withTrgm[1][0]).toMatchObject({ name: 'Thermal shielding', similarity: 1 });
      expect(withTrgm[4]).toEqual([]);
      // Drop the extension (and its indexes) inside a transaction that is rolled back.
      await db.exec('begin');
      try {
        await db.exec('drop extension pg_trgm cascade');
        await db.query(`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({ sub: alice.id, role: 'authenticated' }),
        ]);
        const without: Match[][] = [];
        for (const q of queries) {
          without.push((await db.query<Match>(`select * from resolve_entity_name('requirements', $1)`, [q])).rows);
        }
        expect(without).toEqual(withTrgm);
      } finally {
        await db.exec('rollback');
      }
      expect((await db.query(`select 1 from pg_extension where extname = 'pg_trgm'`)).rows).toHaveLength(1);
    });
  });

  describe('identity provisioning', () => {
    it('resolve_profile maps subjects, provisions on first sight and is service-only', async () => {
      const first = await asService(
        db,
        async (tx) =>
          (await one(tx, `select resolve_profile('workos', 'user_01ABC', 'Ada@Example.test', 'Ada') as id`))
            .id as string,
      );
      const again = await asService(
        db,
        async (tx) => (await one(tx, `select resolve_profile('workos', 'user_01ABC') as id`)).id,
      );
      expect(again).toBe(first);
      const org = await one(
        db,
        `select o.name from profiles p join organizations o on o.id = p.personal_organization_id where p.id = $1`,
        [first],
      );
      expect(org.name).toBe("Ada's Workspace");
      // Same e-mail, another provider: the same profile.
      const linked = await asService(
        db,
        async (tx) => (await one(tx, `select resolve_profile('google', 'g-1', 'ada@example.test') as id`)).id,
      );
      expect(linked).toBe(first);
      const direct = await asService(
        db,
        async (tx) => (await one(tx, `select resolve_profile('supabase', $1) as id`, [first])).id,
      );
      expect(direct).toBe(first);
      const unknown = await asService(db, (tx) =>
        pgError(tx, () => tx.query(`select resolve_profile('workos', 'user_nobody')`)),
      );
      expect(unknown?.code).toBe('P0002');
      const user = await createProfile(db);
      const refused = await as(user, (tx) =>
        pgError(tx, () => tx.query(`select resolve_profile('workos', 'user_x', 'x@x.test')`)),
      );
      expect(refused?.code).toBe('42501');
    });

    it('cleanup_expired_mcp_sessions removes expired sessions only', async () => {
      const u = await createProfile(db);
      await db.query(
        `insert into mcp_sessions (session_id, user_id, created_at, expires_at) values
           ('old-' || $1::text, $1::uuid, now() - interval '2 days', now() - interval '1 day'),
           ('new-' || $1::text, $1::uuid, now(), now() + interval '1 day')`,
        [u.id],
      );
      const removed = await asService(
        db,
        async (tx) => (await one(tx, `select cleanup_expired_mcp_sessions() as n`)).n,
      );
      expect(removed).toBeGreaterThanOrEqual(1);
      expect((await db.query(`select session_id from mcp_sessions where user_id = $1`, [u.id])).rows).toEqual([
        { session_id: `new-${u.id}` },
      ]);
    });
  });
});
