import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { AtomsTestClient } from '@atoms/test-framework';
import type { FixtureUser, FixtureWorkspace } from '@atoms/test-framework/database';
import { openToolsHarness, type ToolsHarness } from '../core/harness.js';
import { expectCode } from '../core/expect-tool-error.js';

type Row = Record<string, unknown> & { id: string };

let h: ToolsHarness;
let ws: FixtureWorkspace;
let owner: AtomsTestClient;
let admin: AtomsTestClient;
let member: AtomsTestClient;
let editor: AtomsTestClient;
let viewer: AtomsTestClient;
let newcomer: FixtureUser;

beforeAll(async () => {
  h = await openToolsHarness();
  ws = await h.fixtures.workspace({ orgRoles: ['admin', 'member'], projectRoles: ['editor', 'viewer'] });
  owner = await h.clientFor(ws.owner);
  admin = await h.clientFor(ws.orgMembers.admin!);
  member = await h.clientFor(ws.orgMembers.member!);
  editor = await h.clientFor(ws.projectMembers.editor!);
  viewer = await h.clientFor(ws.projectMembers.viewer!);
  newcomer = await h.fixtures.user();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

let team: Row;
const org = () => ({ type: 'organization', id: team.id });
const user = (u: FixtureUser) => ({ type: 'user', id: u.id });

describe('member', () => {
  beforeAll(async () => {
    // A second organization with room under the free plan's 5 active members.
    team = await owner.entity.create<Row>('organization', { name: 'Member Tests', type: 'team' });
    await owner.relationship.link('member', org(), user(ws.orgMembers.admin!), { role: 'admin' });
    await owner.relationship.link('member', org(), user(ws.orgMembers.member!));
  });

  test("the plan's member limit is a clear validation error", async () => {
    const full = await expectCode(
      owner.relationship.link('member', { type: 'organization', id: ws.organization.id }, user(newcomer)),
      'validation_error',
    );
    expect(full.details).toMatchObject({ constraint: 'organization_member_limit' });
  });

  test('an org admin adds a member; a plain member cannot; only an owner grants owner', async () => {
    await expectCode(member.relationship.link('member', org(), user(newcomer)), 'permission_denied');
    await expectCode(admin.relationship.link('member', org(), user(newcomer), { role: 'owner' }), 'permission_denied');
    expect(await h.count('organization_members', 'user_id = $1 and organization_id = $2', [newcomer.id, team.id])).toBe(
      0,
    );
    // Someone outside every shared organization is invisible by e-mail (profiles RLS): ids work, e-mails do not.
    const hidden = await expectCode(
      admin.relationship.link('member', org(), { type: 'user', id: newcomer.email }),
      'not_found',
    );
    expect(hidden.hint).toMatch(/invit/);
    const linked = await admin.relationship.link<{ relationship: Row; restored: boolean }>(
      'member',
      org(),
      user(newcomer),
    );
    expect(linked.relationship).toMatchObject({ role: 'member', status: 'active', user_id: newcomer.id });
    expect(linked.restored).toBe(false);
    await expectCode(admin.relationship.link('member', org(), user(newcomer)), 'conflict');
  });

  test('list shows members with their profile; check answers exists', async () => {
    const page = await owner.relationship.list<{ items: (Row & { profile: Row })[]; total: number }>('member', org());
    expect(page.total).toBe(4); // owner, admin, member, newcomer
    const listed = page.items.find((m) => m.user_id === newcomer.id);
    expect(listed?.profile).toMatchObject({ email: newcomer.email });
    expect(await member.relationship.check<{ exists: boolean }>('member', org(), user(newcomer))).toMatchObject({
      exists: true,
    });
    const stranger = await h.clientFor(await h.fixtures.user());
    await expectCode(stranger.relationship.check('member', org(), user(newcomer)), 'not_found');
  });

  test('update changes the role (owner only for owner); the last owner cannot be demoted', async () => {
    const updated = await admin.relationship.update<{ relationship: Row }>('member', org(), user(newcomer), {
      role: 'admin',
    });
    expect(updated.relationship.role).toBe('admin');
    await expectCode(
      member.relationship.update('member', org(), user(newcomer), { role: 'member' }),
      'permission_denied',
    );
    await expectCode(
      owner.relationship.update('member', org(), user(ws.owner), { role: 'member' }),
      'validation_error',
    );
    await expectCode(owner.relationship.update('member', org(), user(newcomer), { colour: 'red' }), 'validation_error');
    await expectCode(
      owner.relationship.update('member', org(), user(newcomer), { role: 'wizard' }),
      'validation_error',
    );
  });

  test('unlink removes softly; linking again restores', async () => {
    await expectCode(member.relationship.unlink('member', org(), user(newcomer)), 'permission_denied');
    const removed = await admin.relationship.unlink<{ soft_delete: boolean }>('member', org(), user(newcomer));
    expect(removed.soft_delete).toBe(true);
    expect(await admin.relationship.check<{ exists: boolean }>('member', org(), user(newcomer))).toMatchObject({
      exists: false,
    });
    await expectCode(admin.relationship.unlink('member', org(), user(newcomer)), 'not_found');
    const again = await admin.relationship.link<{ restored: boolean; relationship: Row }>(
      'member',
      org(),
      user(newcomer),
      {
        role: 'member',
      },
    );
    expect(again.restored).toBe(true);
    expect(again.relationship.is_deleted).toBe(false);
  });

  test('project members: project owner adds with a project role; a viewer cannot', async () => {
    const project = { type: 'project', id: ws.project.name };
    const joiner = ws.orgMembers.admin!;
    await expectCode(
      viewer.relationship.link('member', project, user(joiner), { role: 'editor' }),
      'permission_denied',
    );
    await expectCode(owner.relationship.link('member', project, user(joiner), { role: 'wizard' }), 'validation_error');
    const linked = await owner.relationship.link<{ relationship: Row }>(
      'member',
      project,
      { type: 'user', id: joiner.email },
      {
        role: 'editor',
      },
    );
    expect(linked.relationship).toMatchObject({
      project_id: ws.project.id,
      org_id: ws.organization.id,
      role: 'editor',
    });
  });
});

describe('trace_link', () => {
  test('link needs link_type; duplicate is a conflict; list/check/update/unlink', async () => {
    const [a, b] = ws.requirements;
    const src = { type: 'requirement', id: a.id };
    const dst = { type: 'requirement', id: b.name };
    await expectCode(editor.relationship.link('trace_link', src, dst), 'validation_error');
    await expectCode(editor.relationship.link('trace_link', src, dst, { link_type: 'sort_of' }), 'validation_error');
    await expectCode(
      viewer.relationship.link('trace_link', src, dst, { link_type: 'implements' }),
      'permission_denied',
    );
    const created = await editor.relationship.link<{ relationship: Row }>('trace_link', src, dst, {
      link_type: 'implements',
      description: 'why',
    });
    expect(created.relationship).toMatchObject({
      source_type: 'requirement',
      target_type: 'requirement',
      target_id: b.id,
      link_type: 'implements',
    });
    await expectCode(editor.relationship.link('trace_link', src, dst, { link_type: 'implements' }), 'conflict');
    const listed = await viewer.relationship.list<{ items: Row[]; total: number }>('trace_link', src);
    expect(listed.items.map((l) => l.link_type)).toContain('implements');
    expect(
      await viewer.relationship.check<{ exists: boolean }>('trace_link', src, dst, {
        metadata: { link_type: 'implements' },
      }),
    ).toMatchObject({ exists: true });
    const updated = await editor.relationship.update<{ relationship: Row }>(
      'trace_link',
      src,
      dst,
      { description: 'changed' },
      { match: { link_type: 'implements' } },
    );
    expect(updated.relationship.description).toBe('changed');
    await expectCode(
      viewer.relationship.unlink('trace_link', src, dst, { metadata: { link_type: 'implements' } }),
      'permission_denied',
    );
    await editor.relationship.unlink('trace_link', src, dst, { metadata: { link_type: 'implements' } });
    expect(
      await h.count('trace_links', "source_id = $1 and target_id = $2 and link_type = 'implements' and is_deleted", [
        a.id,
        b.id,
      ]),
    ).toBe(1);
    await expectCode(
      editor.relationship.link('trace_link', { type: 'project', id: ws.project.id }, dst, { link_type: 'implements' }),
      'validation_error',
    );
  });
});

describe('assignment, requirement_test, invitation', () => {
  test('assignment of a requirement to a user', async () => {
    const [a] = ws.requirements;
    const assignee = user(ws.projectMembers.editor!);
    const created = await editor.relationship.link<{ relationship: Row }>(
      'assignment',
      { type: 'requirement', id: a.id },
      assignee,
      { role: 'reviewer' },
    );
    expect(created.relationship).toMatchObject({ entity_type: 'requirement', role: 'reviewer', status: 'active' });
    await expectCode(
      viewer.relationship.link('assignment', { type: 'requirement', id: a.id }, assignee),
      'permission_denied',
    );
    const listed = await viewer.relationship.list<{ items: (Row & { profile: Row })[] }>('assignment', {
      type: 'requirement',
      id: a.id,
    });
    expect(listed.items[0]!.profile).toMatchObject({ id: ws.projectMembers.editor!.id });
    const updated = await editor.relationship.update<{ relationship: Row }>(
      'assignment',
      { type: 'requirement', id: a.id },
      assignee,
      { status: 'approved' },
    );
    expect(updated.relationship.status).toBe('approved');
  });

  test('"auto" ends resolve from the workspace context', async () => {
    await owner.workspace.setContext('project', ws.project.id);
    const listed = await owner.relationship.list<{ items: Row[] }>('member', { type: 'project', id: 'auto' });
    expect(listed.items.every((m) => m['project_id'] === ws.project.id)).toBe(true);
    expect(listed.items.map((m) => m['user_id'])).toContain(ws.owner.id);
  });

  test('requirement_test: metadata are its real columns; unlink is permanent', async () => {
    const test = await owner.entity.create<Row>('test', { title: 'Login works', project_id: ws.project.id });
    const src = { type: 'requirement', id: ws.requirements[1].id };
    const dst = { type: 'test', id: test.id };
    await expectCode(
      editor.relationship.link('requirement_test', src, dst, { coverage_level: 'full' }),
      'validation_error',
    );
    const linked = await editor.relationship.link<{ relationship: Row }>('requirement_test', src, dst, {
      execution_status: 'passed',
    });
    expect(linked.relationship.execution_status).toBe('passed');
    const removed = await editor.relationship.unlink<{ soft_delete: boolean }>('requirement_test', src, dst);
    expect(removed.soft_delete).toBe(false);
    expect(await h.count('requirement_tests', 'test_id = $1', [test.id])).toBe(0);
  });

  test('invitation: admins invite by e-mail; members cannot; one pending invitation per address', async () => {
    await expectCode(
      member.relationship.link('invitation', org(), { type: 'email', id: 'guest@example.com' }),
      'permission_denied',
    );
    await expectCode(
      admin.relationship.link('invitation', org(), { type: 'email', id: 'not-an-email' }),
      'validation_error',
    );
    const invited = await admin.relationship.link<{ relationship: Row }>(
      'invitation',
      org(),
      { type: 'email', id: 'Guest@Example.com' },
      { role: 'member' },
    );
    expect(invited.relationship).toMatchObject({ email: 'guest@example.com', status: 'pending', role: 'member' });
    await expectCode(
      admin.relationship.link('invitation', org(), { type: 'email', id: 'guest@example.com' }),
      'conflict',
    );
    const revoked = await admin.relationship.update<{ relationship: Row }>(
      'invitation',
      org(),
      { type: 'email', id: 'guest@example.com' },
      { status: 'revoked' },
    );
    expect(revoked.relationship.status).toBe('revoked');
    const history = await admin.relationship.list<{ total: number }>('invitation', org(), {
      filters: { status: 'revoked' },
    });
    expect(history.total).toBe(1);
  });
});
