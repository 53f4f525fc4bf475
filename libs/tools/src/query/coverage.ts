import { z } from 'zod';
import { defineOperation } from '../core/tool-definition.js';
import { notFound, validationError } from '../core/tool-error.js';
import { entityRefOrAuto, resolveReferences } from './references.js';

const CHUNK = 1000;

type CoverageStatus = 'passing' | 'failing' | 'not_run' | 'uncovered';

/** passed -> passing; failed/blocked -> failing; anything else (not_executed, in_progress, skipped) -> not_run. */
function statusOf(execution: string | undefined): CoverageStatus {
  if (execution === undefined) return 'uncovered';
  if (execution === 'passed') return 'passing';
  if (execution === 'failed' || execution === 'blocked') return 'failing';
  return 'not_run';
}

const testEntry = z.object({
  test_id: z.string(),
  title: z.string().nullable(),
  test_status: z.string().nullable(),
  execution_status: z.string(),
  executed_at: z.string().nullable(),
});

export const coverageOperation = defineOperation({
  name: 'coverage',
  description:
    'Test coverage of a project or document: each requirement with its linked tests and the latest execution status, and totals (covered, passing, failing, not_run, uncovered). The latest execution of a requirement is its most recently executed link; passing = latest passed, failing = latest failed or blocked.',
  mutating: false,
  input: z.object({
    entities: z.array(z.enum(['requirement'])).optional(),
    project_id: entityRefOrAuto.optional(),
    document_id: entityRefOrAuto.optional(),
    status: z
      .enum(['passing', 'failing', 'not_run', 'uncovered'])
      .optional()
      .describe('Only list requirements in this state.'),
    limit: z.number().int().min(1).max(500).default(100).describe('Requirements listed per page (totals cover all).'),
    offset: z.number().int().min(0).default(0),
  }),
  output: z.object({
    query_type: z.literal('coverage'),
    scope: z.object({ project_id: z.string().optional(), document_id: z.string().optional() }),
    totals: z.object({
      requirements: z.number().int(),
      covered: z.number().int(),
      uncovered: z.number().int(),
      passing: z.number().int(),
      failing: z.number().int(),
      not_run: z.number().int(),
      coverage_percent: z.number(),
    }),
    requirements: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        external_id: z.string().nullable(),
        document_id: z.string(),
        status: z.enum(['passing', 'failing', 'not_run', 'uncovered']),
        latest_execution_status: z.string().nullable(),
        tests: z.array(testEntry),
      }),
    ),
    total: z.number().int(),
    has_more: z.boolean(),
    next_offset: z.number().int().nullable(),
  }),
  async handler(input, ctx) {
    if (!input.project_id && !input.document_id) {
      throw validationError('Give project_id or document_id.', { fields: ['project_id', 'document_id'] });
    }
    return ctx.asUser(async (s) => {
      const args = await resolveReferences(s, { userId: ctx.user.claims.sub, sessionId: ctx.sessionId }, input, {
        project_id: 'projects',
        document_id: 'documents',
      });
      let documentIds: string[];
      if (args.document_id) {
        const { rows } = await s.select('documents', {
          columns: ['id'],
          filters: [
            { column: 'id', op: 'eq', value: args.document_id },
            { column: 'is_deleted', op: 'neq', value: true },
            ...(args.project_id ? [{ column: 'project_id' as const, op: 'eq' as const, value: args.project_id }] : []),
          ],
        });
        if (rows.length === 0) throw notFound(`document ${args.document_id} not found.`, { id: args.document_id });
        documentIds = [args.document_id];
      } else {
        const { rows: projects } = await s.select('projects', {
          columns: ['id'],
          filters: [
            { column: 'id', op: 'eq', value: args.project_id },
            { column: 'is_deleted', op: 'neq', value: true },
          ],
        });
        if (projects.length === 0) throw notFound(`project ${args.project_id} not found.`, { id: args.project_id });
        const { rows } = await s.select('documents', {
          columns: ['id'],
          filters: [
            { column: 'project_id', op: 'eq', value: args.project_id },
            { column: 'is_deleted', op: 'neq', value: true },
          ],
        });
        documentIds = rows.map((r) => r.id);
      }
      const requirements =
        documentIds.length === 0
          ? []
          : (
              await s.select('requirements', {
                columns: ['id', 'name', 'external_id', 'document_id'],
                filters: [
                  { column: 'document_id', op: 'in', value: documentIds },
                  { column: 'is_deleted', op: 'neq', value: true },
                ],
                order: [{ column: 'document_id' }, { column: 'position' }],
              })
            ).rows;
      const links: { requirement_id: string; test_id: string; execution_status: string; executed_at: string | null }[] =
        [];
      for (let i = 0; i < requirements.length; i += CHUNK) {
        const { rows } = await s.select('requirement_tests', {
          columns: ['requirement_id', 'test_id', 'execution_status', 'executed_at'],
          filters: [{ column: 'requirement_id', op: 'in', value: requirements.slice(i, i + CHUNK).map((r) => r.id) }],
        });
        links.push(...rows);
      }
      const testIds = [...new Set(links.map((l) => l.test_id))];
      const tests = new Map<string, { title: string; status: string }>();
      for (let i = 0; i < testIds.length; i += CHUNK) {
        const { rows } = await s.select('test_req', {
          columns: ['id', 'title', 'status'],
          filters: [
            { column: 'id', op: 'in', value: testIds.slice(i, i + CHUNK) },
            { column: 'is_deleted', op: 'neq', value: true },
          ],
        });
        for (const t of rows) tests.set(t.id, { title: t.title, status: t.status });
      }
      const byRequirement = new Map<string, typeof links>();
      // Links to deleted tests do not cover anything.
      for (const l of links) {
        if (!tests.has(l.test_id)) continue;
        byRequirement.set(l.requirement_id, [...(byRequirement.get(l.requirement_id) ?? []), l]);
      }
      const totals = {
        requirements: requirements.length,
        covered: 0,
        uncovered: 0,
        passing: 0,
        failing: 0,
        not_run: 0,
      };
      const all = requirements.map((r) => {
        const own = (byRequirement.get(r.id) ?? []).sort((a, b) =>
          (b.executed_at ?? '').localeCompare(a.executed_at ?? ''),
        );
        const latest = own[0]?.execution_status;
        const status = statusOf(latest);
        totals[status]++;
        if (status !== 'uncovered') totals.covered++;
        return {
          id: r.id,
          name: r.name,
          external_id: r.external_id,
          document_id: r.document_id,
          status,
          latest_execution_status: latest ?? null,
          tests: own.map((l) => ({
            test_id: l.test_id,
            title: tests.get(l.test_id)?.title ?? null,
            test_status: tests.get(l.test_id)?.status ?? null,
            execution_status: l.execution_status,
            executed_at: l.executed_at,
          })),
        };
      });
      const listed = args.status ? all.filter((r) => r.status === args.status) : all;
      const page = listed.slice(args.offset, args.offset + args.limit);
      const hasMore = args.offset + page.length < listed.length;
      return {
        query_type: 'coverage' as const,
        scope: {
          ...(args.project_id ? { project_id: args.project_id } : {}),
          ...(args.document_id ? { document_id: args.document_id } : {}),
        },
        totals: {
          ...totals,
          coverage_percent:
            totals.requirements === 0 ? 0 : Math.round((totals.covered / totals.requirements) * 10000) / 100,
        },
        requirements: page,
        total: listed.length,
        has_more: hasMore,
        next_offset: hasMore ? args.offset + page.length : null,
      };
    });
  },
});
