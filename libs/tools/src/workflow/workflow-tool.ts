import { isDatabaseError } from '@atoms/schema';
import { z } from 'zod';
import { throwIfCancelled } from '../core/progress.js';
import { defineOperation, defineTool, type OperationResult, type ToolContext } from '../core/tool-definition.js';
import { toToolError, ToolError } from '../core/tool-error.js';
import { entityRefOrAuto, resolveReferences } from '../query/references.js';

const uuid = z.string().uuid();
const uuidOrAuto = entityRefOrAuto;

/** Resolves "auto" (workspace defaults) and names (exact, then fuzzy) to ids, as the caller. */
async function resolveAuto<T extends Record<string, unknown>>(ctx: ToolContext, parameters: T): Promise<T> {
  return ctx.asUser((s) =>
    resolveReferences(s, { userId: ctx.user.claims.sub, sessionId: ctx.sessionId }, parameters, {
      organization_id: 'organizations',
      project_id: 'projects',
      document_id: 'documents',
    } as never),
  );
}
const createdSchema = z.array(z.object({ entity_type: z.string(), id: z.string() }));

const output = <N extends string>(name: N) =>
  z.object({
    workflow: z.literal(name),
    success: z.literal(true),
    created: createdSchema,
    steps_completed: z.array(z.string()).optional(),
    organization_id: z.string().optional(),
    project_id: z.string().optional(),
    result: z.record(z.string(), z.unknown()),
  });

/** `transaction_mode` is accepted for compatibility; every workflow is one transaction, so only `true` is valid. */
const transactionMode = z
  .literal(true)
  .default(true)
  .describe('Always true: every workflow is atomic (one SQL function, one transaction).');

type Created = { entity_type: string; id: string }[];

/**
 * Runs one workflow's SQL function as the caller with progress around it. A database failure becomes a tool error
 * naming the failed step (`details.failed_step`) and saying that nothing was kept. A cancellation that arrives
 * while the function runs is honoured before the commit, so a cancelled workflow leaves nothing behind.
 */
async function runWorkflow(
  ctx: ToolContext,
  workflow: string,
  fn: string,
  args: Record<string, unknown>,
  created: (result: Record<string, unknown>) => Created,
): Promise<OperationResult> {
  await ctx.progress.report(0, 2, `${workflow}: running`);
  let value: Record<string, unknown>;
  try {
    value = await ctx.asUser(async (s) => {
      const result = await s.rpc<Record<string, unknown>>(fn, args);
      throwIfCancelled(ctx.signal);
      return result;
    });
  } catch (error) {
    if (error instanceof ToolError) throw error;
    const mapped = toToolError(error);
    const step = isDatabaseError(error) ? error.step : undefined;
    throw new ToolError(
      mapped.code,
      `${workflow} failed${step ? ` at step "${step}"` : ''}: ${mapped.message} Nothing was saved (the workflow is atomic).`,
      {
        details: { ...mapped.details, workflow, ...(step ? { failed_step: step } : {}), rolled_back: true },
        ...(mapped.hint ? { hint: mapped.hint } : {}),
      },
    );
  }
  await ctx.progress.report(2, 2, `${workflow}: done`);
  const steps = value['steps_completed'];
  return {
    workflow,
    success: true,
    created: created(value),
    ...(Array.isArray(steps) ? { steps_completed: steps as string[] } : {}),
    result: value,
  };
}

const idOf = (row: unknown): string | undefined =>
  row && typeof row === 'object' ? ((row as { id?: unknown }).id as string | undefined) : undefined;

const setupProject = defineOperation({
  name: 'setup_project',
  description:
    'Creates a project in an organization (you become its owner), its initial documents, and makes it your current context; atomic.',
  mutating: true,
  input: z.object({
    parameters: z.object({
      organization_id: uuidOrAuto,
      name: z.string().trim().min(1).max(255),
      description: z.string().max(10_000).optional(),
      initial_documents: z
        .array(
          z.union([
            z.string().trim().min(1),
            z
              .object({
                name: z.string().trim().min(1),
                description: z.string().optional(),
                tags: z.array(z.string()).optional(),
              })
              .strict(),
          ]),
        )
        .max(100)
        .default([]),
    }),
    transaction_mode: transactionMode,
  }),
  output: output('setup_project'),
  handler: async ({ parameters }, ctx) => {
    const p = await resolveAuto(ctx, parameters);
    const result = await runWorkflow(
      ctx,
      'setup_project',
      'setup_project',
      {
        p_organization_id: p.organization_id,
        p_name: p.name,
        p_description: p.description ?? null,
        p_initial_documents: p.initial_documents,
      },
      (r) => [
        { entity_type: 'project', id: idOf(r['project']) as string },
        ...((r['documents'] as unknown[]) ?? []).map((d) => ({ entity_type: 'document', id: idOf(d) as string })),
      ],
    );
    return { ...result, project_id: idOf((result['result'] as Record<string, unknown>)['project']) };
  },
});

const importRequirements = defineOperation({
  name: 'import_requirements',
  description:
    'Creates requirements in a document, in order (defaults status active, priority medium, then `defaults`); all or nothing, at most 1000.',
  mutating: true,
  input: z.object({
    parameters: z.object({
      document_id: uuidOrAuto,
      requirements: z
        .array(z.object({ name: z.string().trim().min(1) }).catchall(z.unknown()))
        .min(1)
        .max(1000),
      defaults: z.record(z.string(), z.unknown()).default({}),
    }),
    transaction_mode: transactionMode,
  }),
  output: output('import_requirements'),
  handler: async ({ parameters }, ctx) => {
    const p = await resolveAuto(ctx, parameters);
    return runWorkflow(
      ctx,
      'import_requirements',
      'import_requirements',
      { p_document_id: p.document_id, p_requirements: p.requirements, p_defaults: p.defaults },
      (r) =>
        ((r['requirements'] as unknown[]) ?? []).map((x) => ({ entity_type: 'requirement', id: idOf(x) as string })),
    );
  },
});

const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;

const setupTestMatrix = defineOperation({
  name: 'setup_test_matrix',
  description:
    'Creates a test matrix view for a project and, for each of its requirements with one of `priorities` (default high, critical) and no linked test yet, an acceptance test (status draft, method manual) linked to it; atomic.',
  mutating: true,
  input: z.object({
    parameters: z.object({
      project_id: uuidOrAuto,
      matrix_name: z.string().trim().min(1).max(255).default('Test Matrix'),
      priorities: z.array(z.enum(PRIORITIES)).min(1).default(['high', 'critical']),
    }),
    transaction_mode: transactionMode,
  }),
  output: output('setup_test_matrix'),
  async handler({ parameters }, ctx) {
    const p = await resolveAuto(ctx, parameters);
    return runWorkflow(
      ctx,
      'setup_test_matrix',
      'setup_test_matrix',
      { p_project_id: p.project_id, p_matrix_name: p.matrix_name, p_priorities: p.priorities },
      (r) => [
        { entity_type: 'test_matrix_view', id: idOf(r['matrix_view']) as string },
        ...((r['tests'] as unknown[]) ?? []).map((t) => ({ entity_type: 'test', id: idOf(t) as string })),
      ],
    );
  },
});

const bulkStatusUpdate = defineOperation({
  name: 'bulk_status_update',
  description:
    'Sets the status of many requirements, projects, tests or assignments at once; the status must be valid for that type; all or nothing.',
  mutating: true,
  input: z.object({
    parameters: z
      .object({
        entity_type: z.enum(['requirement', 'project', 'test', 'assignment']),
        entity_ids: z.array(uuid).min(1).max(1000),
        new_status: z.string().min(1).optional(),
        status: z.string().min(1).optional().describe('Alias of new_status.'),
      })
      .refine((p) => (p.new_status ?? p.status) !== undefined, {
        message: 'new_status is required',
        path: ['new_status'],
      }),
    transaction_mode: transactionMode,
  }),
  output: output('bulk_status_update'),
  handler: ({ parameters: p }, ctx) =>
    runWorkflow(
      ctx,
      'bulk_status_update',
      'bulk_status_update',
      { p_entity_type: p.entity_type, p_entity_ids: [...new Set(p.entity_ids)], p_status: p.new_status ?? p.status },
      () => [],
    ),
});

const ORG_TYPES = ['team', 'enterprise', 'business'] as const;

const organizationOnboarding = defineOperation({
  name: 'organization_onboarding',
  description:
    'Creates an organization (you become its owner), optionally a "Getting Started" project with a first document, invitations for the given e-mails, and sets your context; atomic.',
  mutating: true,
  input: z.object({
    parameters: z.object({
      name: z.string().trim().min(1).max(255),
      slug: z.string().trim().min(1).max(100).optional(),
      type: z.enum(ORG_TYPES).default('team'),
      description: z.string().max(10_000).optional(),
      create_starter_project: z.boolean().default(true),
      invite_emails: z.array(z.string().email()).max(100).default([]),
    }),
    transaction_mode: transactionMode,
  }),
  output: output('organization_onboarding'),
  async handler({ parameters: p }, ctx) {
    const result = await runWorkflow(
      ctx,
      'organization_onboarding',
      'organization_onboarding',
      {
        p_name: p.name,
        p_slug: p.slug ?? null,
        p_type: p.type,
        p_description: p.description ?? null,
        p_create_starter_project: p.create_starter_project,
        p_invite_emails: p.invite_emails,
      },
      (r) => [
        { entity_type: 'organization', id: idOf(r['organization']) as string },
        ...(idOf(r['project']) ? [{ entity_type: 'project', id: idOf(r['project']) as string }] : []),
        ...((r['invitations'] as unknown[]) ?? []).map((i) => ({ entity_type: 'invitation', id: idOf(i) as string })),
      ],
    );
    const r = result['result'] as Record<string, unknown>;
    return {
      ...result,
      organization_id: idOf(r['organization']),
      ...(idOf(r['project']) ? { project_id: idOf(r['project']) } : {}),
    };
  },
});

/** `workflow_tool`: five atomic multi-step workflows; the operation parameter is `workflow` (as the reference). */
export const workflowTool = defineTool({
  name: 'workflow_tool',
  title: 'Workflows',
  description:
    'Multi-step workflows, each atomic (one SQL function in one transaction): on any failure nothing remains and the error names the failed step. Results list what was created as created: [{entity_type, id}].',
  operationParameter: 'workflow',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  operations: [setupProject, importRequirements, setupTestMatrix, bulkStatusUpdate, organizationOnboarding],
});
