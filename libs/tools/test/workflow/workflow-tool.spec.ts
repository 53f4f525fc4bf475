import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { useHarmful, type AtomsTestClient, type McpToolError } from '@atoms/test-framework';
import type { FixtureUser, FixtureWorkspace } from '@atoms/test-framework/database';
import { expectToolError } from '../core/expect-tool-error.js';
import { openQueryHarness, type QueryHarness } from '../query/query-harness.js';

let h: QueryHarness;
let ws: FixtureWorkspace;
let owner: AtomsTestClient;
let viewer: AtomsTestClient;
let outsider: AtomsTestClient;
let outsiderUser: FixtureUser;

beforeAll(async () => {
  h = await openQueryHarness();
  ws = await h.fixtures.workspace({ projectRoles: ['viewer'] });
  outsiderUser = await h.fixtures.user();
  owner = await h.clientFor(ws.owner);
  viewer = await h.clientFor(ws.projectMembers.viewer!);
  outsider = await h.clientFor(outsiderUser);
});
afterAll(() => h?.close());

/** Names the injected trigger refuses: a failure in the middle of a workflow, after earlier steps wrote rows. */
const INJECT = 'FAIL_INJECT';

beforeAll(async () => {
  // Failure injection on this file's own database clone (owner SQL): rows named FAIL_INJECT are refused.
  await h.testDb.sql.query(`
    create function public.test_inject_failure() returns trigger language plpgsql as $$
    begin
      if to_jsonb(new) ->> 'name' = '${INJECT}' or to_jsonb(new) ->> 'email' = 'fail@inject.test'
         or to_jsonb(new) ->> 'title' like 'Verify: ${INJECT}%' then
        raise exception 'injected failure' using errcode = 'check_violation', constraint = 'test_injected';
      end if;
      return new;
    end $$`);
  for (const table of ['documents', 'requirements', 'organization_invitations', 'test_req']) {
    await h.testDb.sql.query(
      `create trigger zz_inject before insert on public.${table} for each row execute function public.test_inject_failure()`,
    );
  }
});

// Every test runs in a transaction that is rolled back; leftovers are probed with owner SQL.
const tracked = useHarmful({
  client: () => owner,
  strategy: 'transaction_rollback',
  rollback: () => h.env.rollback,
  probe: (entity, strategy) => h.probe(entity, strategy),
});

const countWhere = (
  table: 'projects' | 'documents' | 'requirements' | 'organizations' | 'test_req',
  column: string,
  value: string,
) =>
  h.serviceCount(
    async (s) =>
      (
        await s.select(table, {
          columns: ['id'],
          filters: [{ column, op: 'eq', value }] as never,
          count: 'exact',
          limit: 1,
        })
      ).count ?? 0,
  );

const detail = (error: McpToolError, key: string): unknown =>
  (error.details as Record<string, unknown> | undefined)?.[key];

describe('setup_project', () => {
  test('creates the project and its documents, lists them in created, reports steps', async () => {
    const result = await owner.workflow.setupProject<Record<string, any>>({
      organization_id: ws.organization.id,
      name: 'Apollo',
      initial_documents: ['Spec', { name: 'Plan', description: 'the plan' }],
    });
    expect(result['success']).toBe(true);
    expect(result['created']).toHaveLength(3);
    expect(result['created'][0]).toEqual({ entity_type: 'project', id: result['project_id'] });
    expect(result['created'].slice(1).map((c: { entity_type: string }) => c.entity_type)).toEqual([
      'document',
      'document',
    ]);
    expect(result['steps_completed']).toEqual([
      'verify_organization',
      'create_project',
      'create_documents',
      'set_context',
    ]);
    expect(await countWhere('documents', 'project_id', result['project_id'])).toBe(2);
    expect(tracked.tracker.entities().length).toBeGreaterThanOrEqual(1);
  });

  test('the organization may be given by name', async () => {
    const result = await owner.workflow.setupProject<Record<string, any>>({
      organization_id: ws.organization.name,
      name: 'Named',
    });
    expect(result['result']['project']['organization_id']).toBe(ws.organization.id);
  });

  test('"auto" organization resolves from the workspace defaults', async () => {
    const result = await owner.workflow.setupProject<Record<string, any>>({ organization_id: 'auto', name: 'Gemini' });
    expect(result['result']['project']['organization_id']).toEqual(expect.any(String));
  });

  test('a failure injected mid-way (second document) rolls everything back and names the step', async () => {
    const before = await countWhere('projects', 'organization_id', ws.organization.id);
    const error = await expectToolError(
      owner.workflow.setupProject({
        organization_id: ws.organization.id,
        name: 'Half done',
        initial_documents: ['Fine', INJECT, 'Never'],
      }),
    );
    expect(error.code).toBe('validation_error');
    expect(detail(error, 'failed_step')).toBe('create_documents');
    expect(detail(error, 'rolled_back')).toBe(true);
    expect(error.message).toContain('create_documents');
    expect(await countWhere('projects', 'organization_id', ws.organization.id)).toBe(before);
    expect(await countWhere('projects', 'name', 'Half done')).toBe(0);
    expect(await countWhere('documents', 'name', 'Fine')).toBe(0);
  });

  test('permission denied for a viewer of another organization; not found for an unknown organization', async () => {
    const denied = await expectToolError(
      outsider.workflow.setupProject({ organization_id: ws.organization.id, name: 'X' }),
    );
    expect(['not_found', 'permission_denied']).toContain(denied.code);
    const missing = await expectToolError(
      owner.workflow.setupProject({ organization_id: '00000000-0000-4000-8000-000000000000', name: 'X' }),
    );
    expect(missing.code).toBe('not_found');
    expect(detail(missing, 'failed_step')).toBe('verify_organization');
  });

  test('missing and invalid parameters are validation errors', async () => {
    expect((await expectToolError(owner.workflow.setupProject({ name: 'no org' }))).code).toBe('validation_error');
    expect((await expectToolError(owner.workflow.setupProject({ organization_id: 42, name: 'x' }))).code).toBe(
      'validation_error',
    );
    const unknown = await expectToolError(
      owner.workflow.setupProject({ organization_id: 'no such org zzzz', name: 'x' }),
    );
    expect(unknown.code).toBe('not_found');
    expect((await owner.expectToolError('workflow_tool', { workflow: 'no_such_workflow', parameters: {} })).code).toBe(
      'validation_error',
    );
    expect(
      (
        await owner.expectToolError('workflow_tool', {
          workflow: 'setup_project',
          parameters: { name: 'x' },
          transaction_mode: false,
        })
      ).code,
    ).toBe('validation_error');
  });
});

describe('progress', () => {
  test('a workflow sends progress notifications when the client asks for them', async () => {
    const progress: number[] = [];
    const raw = await owner.sdk.callTool(
      {
        name: 'workflow_tool',
        arguments: {
          workflow: 'import_requirements',
          parameters: { document_id: ws.document.id, requirements: [{ name: 'P' }] },
        },
      },
      undefined,
      { onprogress: (p) => void progress.push(p.progress) },
    );
    expect(raw.isError).toBeFalsy();
    expect(progress).toEqual([0, 2]);
  });
});

describe('import_requirements', () => {
  test('imports in order with defaults and returns created requirements', async () => {
    const result = await owner.workflow.importRequirements<Record<string, any>>({
      document_id: ws.document.id,
      requirements: [{ name: 'R1' }, { name: 'R2', priority: 'high' }],
    });
    expect(result['created']).toHaveLength(2);
    expect(result['result']['imported_count']).toBe(2);
  });

  test('a bad item mid-way rolls back the whole import and names the item step', async () => {
    const before = await countWhere('requirements', 'document_id', ws.document.id);
    const error = await expectToolError(
      owner.workflow.importRequirements({
        document_id: ws.document.id,
        requirements: [{ name: 'ok 1' }, { name: 'ok 2' }, { name: INJECT }, { name: 'ok 4' }],
      }),
    );
    expect(error.code).toBe('validation_error');
    expect(detail(error, 'failed_step')).toBe('create_requirement:2');
    expect(await countWhere('requirements', 'document_id', ws.document.id)).toBe(before);
    expect(await countWhere('requirements', 'name', 'ok 1')).toBe(0);
  });

  test('an invalid enum value is refused by the database, nothing written', async () => {
    const error = await expectToolError(
      owner.workflow.importRequirements({
        document_id: ws.document.id,
        requirements: [{ name: 'a' }, { name: 'b', status: 'bogus' }],
      }),
    );
    expect(error.code).toBe('validation_error');
    expect(detail(error, 'failed_step')).toBe('create_requirement:1');
    expect(await countWhere('requirements', 'name', 'a')).toBe(0);
  });

  test('a project viewer is refused and nothing is written', async () => {
    const before = await countWhere('requirements', 'document_id', ws.document.id);
    const error = await expectToolError(
      viewer.workflow.importRequirements({ document_id: ws.document.id, requirements: [{ name: 'nope' }] }),
    );
    expect(error.code).toBe('permission_denied');
    expect(await countWhere('requirements', 'document_id', ws.document.id)).toBe(before);
  });

  test('a user of another organization cannot import into its documents (not found, nothing written)', async () => {
    const before = await countWhere('requirements', 'document_id', ws.document.id);
    const error = await expectToolError(
      outsider.workflow.importRequirements({ document_id: ws.document.id, requirements: [{ name: 'intrusion' }] }),
    );
    expect(error.code).toBe('not_found');
    expect(detail(error, 'failed_step')).toBe('verify_document');
    expect(await countWhere('requirements', 'document_id', ws.document.id)).toBe(before);
  });

  test('empty list is a validation error', async () => {
    expect(
      (await expectToolError(owner.workflow.importRequirements({ document_id: ws.document.id, requirements: [] })))
        .code,
    ).toBe('validation_error');
  });
});

describe('setup_test_matrix', () => {
  test('creates a matrix view and draft tests for uncovered high-priority requirements', async () => {
    await owner.workflow.importRequirements({
      document_id: ws.document.id,
      requirements: [
        { name: 'High 1', priority: 'high' },
        { name: 'Crit', priority: 'critical' },
        { name: 'Low', priority: 'low' },
      ],
    });
    const result = await owner.workflow.setupTestMatrix<Record<string, any>>({ project_id: ws.project.id });
    expect(result['result']['tests_created']).toBe(2);
    const tests = result['created'].filter((c: { entity_type: string }) => c.entity_type === 'test');
    expect(tests).toHaveLength(2);
    expect(result['created'][0].entity_type).toBe('test_matrix_view');
    // `created` lists exactly the tests the function linked to the two uncovered requirements (ids from the SQL
    // function's result, not guessed from timestamps).
    const linked = await h.database.asService(async (s) => {
      const { rows: reqs } = await s.select('requirements', {
        columns: ['id', 'name'],
        filters: [
          { column: 'document_id', op: 'eq', value: ws.document.id },
          { column: 'name', op: 'in', value: ['High 1', 'Crit'] },
        ],
      });
      const { rows } = await s.select('requirement_tests', {
        columns: ['test_id', 'requirement_id'],
        filters: [{ column: 'requirement_id', op: 'in', value: reqs.map((r) => r.id) }],
      });
      return rows;
    });
    expect(tests.map((t: { id: string }) => t.id).sort()).toEqual(linked.map((l) => l.test_id).sort());
    expect(
      result['result']['tests']
        .map((t: { id: string; requirement_id: string }) => `${t.id}>${t.requirement_id}`)
        .sort(),
    ).toEqual(linked.map((l) => `${l.test_id}>${l.requirement_id}`).sort());
  });

  test('a failure injected at the second test rolls back the view and the first test', async () => {
    await owner.workflow.importRequirements({
      document_id: ws.document.id,
      requirements: [
        { name: 'A first', priority: 'high' },
        { name: INJECT + ' req', priority: 'high' },
      ],
    });
    const views = () =>
      h.serviceCount(
        async (s) =>
          (
            await s.select('test_matrix_views', {
              columns: ['id'],
              filters: [{ column: 'project_id', op: 'eq', value: ws.project.id }],
              count: 'exact',
              limit: 1,
            })
          ).count ?? 0,
      );
    const viewsBefore = await views();
    const testsBefore = await countWhere('test_req', 'project_id', ws.project.id);
    const error = await expectToolError(owner.workflow.setupTestMatrix({ project_id: ws.project.id }));
    // The step carries the id of the requirement whose test failed (DatabaseError.step keeps what follows ':').
    const injected = await h.database.asService(
      async (s) =>
        (
          await s.select('requirements', {
            columns: ['id'],
            filters: [{ column: 'name', op: 'eq', value: INJECT + ' req' }],
          })
        ).rows[0]!.id,
    );
    expect(detail(error, 'failed_step')).toBe(`create_test:${injected}`);
    expect(await views()).toBe(viewsBefore);
    expect(await countWhere('test_req', 'project_id', ws.project.id)).toBe(testsBefore);
  });

  test('unknown project is not_found at verify_project; outsider sees nothing', async () => {
    const error = await expectToolError(outsider.workflow.setupTestMatrix({ project_id: ws.project.id }));
    expect(error.code).toBe('not_found');
    expect(detail(error, 'failed_step')).toBe('verify_project');
  });
});

describe('bulk_status_update', () => {
  test('updates every id atomically', async () => {
    const ids = ws.requirements.map((r) => r.id);
    const result = await owner.workflow.bulkStatusUpdate<Record<string, any>>({
      entity_type: 'requirement',
      entity_ids: ids,
      new_status: 'approved',
    });
    expect(result['result']['updated']).toBe(2);
    expect(result['created']).toEqual([]);
  });

  test('an invalid status or an invisible id changes nothing', async () => {
    const bad = await expectToolError(
      owner.workflow.bulkStatusUpdate({
        entity_type: 'requirement',
        entity_ids: [ws.requirements[0].id],
        new_status: 'bogus',
      }),
    );
    expect(bad.code).toBe('validation_error');
    const partial = await expectToolError(
      outsider.workflow.bulkStatusUpdate({
        entity_type: 'requirement',
        entity_ids: [ws.requirements[0].id],
        new_status: 'approved',
      }),
    );
    expect(partial.code).toBe('not_found');
    expect(await countWhere('requirements', 'status', 'approved')).toBe(0);
  });
});

describe('organization_onboarding', () => {
  test('creates organization, starter project and invitations', async () => {
    const result = await outsider.workflow.organizationOnboarding<Record<string, any>>({
      name: 'Onboarded Inc',
      invite_emails: ['a@example.com'],
    });
    const types = result['created'].map((c: { entity_type: string }) => c.entity_type);
    expect(types).toEqual(['organization', 'project', 'invitation']);
    expect(result['organization_id']).toBe(result['created'][0].id);
  });

  test('a duplicate slug is a conflict at create_organization; nothing remains', async () => {
    const error = await expectToolError(
      outsider.workflow.organizationOnboarding({ name: 'Dup', slug: ws.organization.slug as string }),
    );
    expect(error.code).toBe('conflict');
    expect(detail(error, 'failed_step')).toBe('create_organization');
    expect(await countWhere('organizations', 'name', 'Dup')).toBe(0);
  });

  test('a bad invitation e-mail mid-way leaves no organization behind', async () => {
    const error = await expectToolError(
      outsider.workflow.organizationOnboarding({
        name: 'Half Org',
        invite_emails: ['x@example.com', 'fail@inject.test'],
      }),
    );
    expect(detail(error, 'failed_step')).toBe('invite_members');
    expect(await countWhere('organizations', 'name', 'Half Org')).toBe(0);
  });
});
