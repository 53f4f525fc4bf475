import type { Session } from '@atoms/schema';
import { z } from 'zod';
import { defineOperation } from '../core/tool-definition.js';
import { breakdown, liveValues } from './aggregate.js';
import { entitiesParam, type QueryEntity } from './entity-types.js';

interface Stats {
  avg: number;
  min: number;
  max: number;
}

function stats(counts: number[]): Stats {
  if (counts.length === 0) return { avg: 0, min: 0, max: 0 };
  const sum = counts.reduce((a, b) => a + b, 0);
  return { avg: Math.round((sum / counts.length) * 100) / 100, min: Math.min(...counts), max: Math.max(...counts) };
}

/** How many children each parent has (parents without children count 0). */
function perParent(parents: string[], childParents: (string | null)[]): number[] {
  const counts = new Map(parents.map((p) => [p, 0]));
  for (const p of childParents) if (p !== null && counts.has(p)) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts.values()];
}

async function ids(session: Session, table: 'organizations' | 'projects' | 'documents'): Promise<string[]> {
  const { rows } = await session.select(table, {
    columns: ['id'],
    filters: [{ column: 'is_deleted', op: 'neq', value: true }],
  });
  return rows.map((r) => r.id);
}

async function analyzeEntity(s: Session, entity: QueryEntity): Promise<Record<string, unknown>> {
  switch (entity) {
    case 'organization': {
      const orgs = await ids(s, 'organizations');
      const members = await s.select('organization_members', {
        columns: ['organization_id'],
        filters: [
          { column: 'status', op: 'eq', value: 'active' },
          { column: 'is_deleted', op: 'neq', value: true },
        ],
      });
      const projects = await s.select('projects', {
        columns: ['organization_id'],
        filters: [{ column: 'is_deleted', op: 'neq', value: true }],
      });
      return {
        total_count: orgs.length,
        members_per_organization: stats(
          perParent(
            orgs,
            members.rows.map((r) => r.organization_id),
          ),
        ),
        projects_per_organization: stats(
          perParent(
            orgs,
            projects.rows.map((r) => r.organization_id),
          ),
        ),
      };
    }
    case 'project': {
      const projects = await ids(s, 'projects');
      const docs = await s.select('documents', {
        columns: ['id', 'project_id'],
        filters: [{ column: 'is_deleted', op: 'neq', value: true }],
      });
      const reqs = await s.select('requirements', {
        columns: ['document_id'],
        filters: [{ column: 'is_deleted', op: 'neq', value: true }],
      });
      const projectOfDoc = new Map(docs.rows.map((d) => [d.id, d.project_id]));
      const reqCounts = perParent(
        projects,
        reqs.rows.map((r) => projectOfDoc.get(r.document_id) ?? null),
      );
      return {
        total_count: projects.length,
        documents_per_project: stats(
          perParent(
            projects,
            docs.rows.map((d) => d.project_id),
          ),
        ),
        requirements_per_project: stats(reqCounts),
        complexity: {
          small: reqCounts.filter((n) => n < 10).length,
          medium: reqCounts.filter((n) => n >= 10 && n < 50).length,
          large: reqCounts.filter((n) => n >= 50).length,
        },
        status_breakdown: breakdown('projects', 'status', await liveValues(s, 'projects', ['status'], [])),
      };
    }
    case 'document': {
      const docs = await ids(s, 'documents');
      const reqs = await s.select('requirements', {
        columns: ['document_id'],
        filters: [{ column: 'is_deleted', op: 'neq', value: true }],
      });
      return {
        total_count: docs.length,
        requirements_per_document: stats(
          perParent(
            docs,
            reqs.rows.map((r) => r.document_id),
          ),
        ),
      };
    }
    case 'requirement': {
      const rows = await liveValues(s, 'requirements', ['status', 'priority'], []);
      const links = await s.select('requirement_tests', { columns: ['requirement_id'] });
      const live = new Set(rows.map((r) => r['id'] as string));
      const withTests = new Set(links.rows.map((l) => l.requirement_id).filter((id) => live.has(id))).size;
      return {
        total_count: rows.length,
        status_breakdown: breakdown('requirements', 'status', rows),
        priority_breakdown: breakdown('requirements', 'priority', rows),
        with_tests: withTests,
        test_coverage_ratio: rows.length === 0 ? 0 : Math.round((withTests / rows.length) * 10000) / 10000,
      };
    }
    case 'test': {
      const rows = await liveValues(s, 'test_req', ['status', 'priority'], []);
      return {
        total_count: rows.length,
        status_breakdown: breakdown('test_req', 'status', rows),
        priority_breakdown: breakdown('test_req', 'priority', rows),
      };
    }
  }
}

export const analyzeOperation = defineOperation({
  name: 'analyze',
  description:
    'Structure analysis per entity type over what you can see: organizations (members and projects per organization), projects (documents and requirements per project, complexity buckets <10 / 10–49 / ≥50 requirements), documents (requirements per document), requirements (status and priority distribution, share with at least one linked test), tests (status, priority).',
  mutating: false,
  input: z.object({ entities: entitiesParam }),
  output: z.object({
    query_type: z.literal('analyze'),
    entities_searched: z.array(z.string()),
    results: z.record(z.string(), z.record(z.string(), z.unknown())),
  }),
  async handler(args, ctx) {
    const results = await ctx.asUser(async (s) => {
      const out: Record<string, Record<string, unknown>> = {};
      for (const entity of args.entities) out[entity] = await analyzeEntity(s, entity);
      return out;
    });
    return { query_type: 'analyze' as const, entities_searched: args.entities, results };
  },
});
