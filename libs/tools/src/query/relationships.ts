import type { Filter, Session } from '@atoms/schema';
import { z } from 'zod';
import { defineOperation } from '../core/tool-definition.js';
import { uuid } from './entity-types.js';

/** Link tables, the columns shown in samples, and the columns that point at an entity. */
const LINK_TABLES = {
  organization_members: {
    columns: ['id', 'organization_id', 'user_id', 'role', 'status', 'created_at'],
    ends: ['organization_id', 'user_id'],
    soft: true,
  },
  project_members: {
    columns: ['id', 'project_id', 'user_id', 'role', 'status', 'created_at'],
    ends: ['project_id', 'user_id'],
    soft: true,
  },
  trace_links: {
    columns: ['id', 'source_id', 'source_type', 'target_id', 'target_type', 'link_type', 'created_at'],
    ends: ['source_id', 'target_id'],
    soft: true,
  },
  assignments: {
    columns: ['id', 'entity_id', 'entity_type', 'assignee_id', 'role', 'status', 'created_at'],
    ends: ['entity_id', 'assignee_id'],
    soft: true,
  },
  requirement_tests: {
    columns: ['id', 'requirement_id', 'test_id', 'execution_status', 'executed_at', 'created_at'],
    ends: ['requirement_id', 'test_id'],
    soft: false,
  },
} as const;
type LinkTable = keyof typeof LINK_TABLES;
const LINK_TABLE_NAMES = Object.keys(LINK_TABLES) as LinkTable[];

async function linkSummary(session: Session, table: LinkTable, entityId: string | undefined, samples: number) {
  const spec = LINK_TABLES[table];
  const base: Filter[] = spec.soft ? [{ column: 'is_deleted', op: 'neq', value: true } as Filter] : [];
  // "touching entity X" is an OR over the end columns: one query per end, de-duplicated.
  const variants: Filter[][] = entityId
    ? spec.ends.map((end) => [...base, { column: end, op: 'eq', value: entityId } as Filter])
    : [base];
  let total = 0;
  const rows = new Map<string, Record<string, unknown>>();
  for (const filters of variants) {
    const page = await session.select(table, {
      columns: spec.columns as never,
      filters: filters as never,
      order: [{ column: 'created_at', ascending: false }] as never,
      limit: samples,
      count: 'exact',
    });
    total += page.count ?? 0;
    for (const r of page.rows as Record<string, unknown>[]) rows.set(r['id'] as string, r);
  }
  const sample = [...rows.values()]
    .sort((a, b) => String(b['created_at']).localeCompare(String(a['created_at'])))
    .slice(0, samples);
  return { total, samples: sample };
}

export const relationshipsOperation = defineOperation({
  name: 'relationships',
  description:
    'Counts and the most recent samples of each kind of link (organization/project members, trace links, assignments, requirement-test links) visible to you, optionally only those touching one entity.',
  mutating: false,
  input: z.object({
    entities: z
      .array(z.string())
      .optional()
      .describe('Accepted for compatibility; link kinds are chosen with `types`.'),
    types: z
      .array(z.enum(LINK_TABLE_NAMES as [LinkTable, ...LinkTable[]]))
      .min(1)
      .optional(),
    entity_id: uuid.optional().describe('Only links with this entity at either end.'),
    limit: z.number().int().min(0).max(100).default(10).describe('Samples per link kind (default 10).'),
  }),
  output: z.object({
    query_type: z.literal('relationships'),
    entity_id: z.string().optional(),
    relationships: z.record(
      z.string(),
      z.object({ total: z.number().int(), samples: z.array(z.record(z.string(), z.unknown())) }),
    ),
  }),
  async handler(args, ctx) {
    const types = args.types ?? LINK_TABLE_NAMES;
    const relationships = await ctx.asUser(async (s) => {
      const out: Record<string, { total: number; samples: Record<string, unknown>[] }> = {};
      for (const table of types) out[table] = await linkSummary(s, table, args.entity_id, Math.max(args.limit, 1));
      if (args.limit === 0) for (const v of Object.values(out)) v.samples = [];
      return out;
    });
    return {
      query_type: 'relationships' as const,
      ...(args.entity_id ? { entity_id: args.entity_id } : {}),
      relationships,
    };
  },
});
