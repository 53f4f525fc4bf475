import { enumValues, metadata, parseFilters, type EnumName, type Filter, type Session } from '@atoms/schema';
import { z } from 'zod';
import { defineOperation } from '../core/tool-definition.js';
import { validationError } from '../core/tool-error.js';
import { entitiesParam, QUERY_ENTITY_TABLES, type QueryEntity } from './entity-types.js';

type Table = (typeof QUERY_ENTITY_TABLES)[QueryEntity];
const RECENT_DAYS = 30;

/** Count of live rows of a table matching `filters`, as the caller. */
export async function countRows(session: Session, table: Table, filters: readonly Filter[]): Promise<number> {
  const { count } = await session.select(table, {
    columns: ['id'],
    filters: [{ column: 'is_deleted', op: 'neq', value: true }, ...filters] as Filter<Table>[],
    limit: 1,
    count: 'exact',
  });
  return count ?? 0;
}

/** Rows per value of an enum column (every label listed, zeros included), by one count per label. */
export async function enumBreakdown(
  session: Session,
  table: Table,
  column: string,
  filters: readonly Filter[],
): Promise<Record<string, number> | undefined> {
  const meta = (metadata[table].columns as Record<string, { enum: EnumName | undefined } | undefined>)[column];
  if (!meta?.enum) return undefined;
  const out: Record<string, number> = {};
  for (const value of enumValues[meta.enum]) {
    out[value] = await countRows(session, table, [...filters, { column, op: 'eq', value } as Filter]);
  }
  return out;
}

export function conditionsFor(table: Table, conditions: unknown): Filter[] {
  if (conditions === undefined) return [];
  try {
    return parseFilters(table, conditions);
  } catch (error) {
    throw validationError(`Invalid conditions for ${table}: ${(error as Error).message}`, {
      issues: (error as { issues?: unknown }).issues,
    });
  }
}

export const aggregateOperation = defineOperation({
  name: 'aggregate',
  description: `Counts per entity type: total, created in the last ${RECENT_DAYS} days, and a breakdown by status (and priority) where the type has one; optional conditions (same syntax as entity_tool filters).`,
  mutating: false,
  input: z.object({
    entities: entitiesParam,
    conditions: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'Filters applied to every entity type: {col: value} or {col: {op: value}}; columns must exist on each.',
      ),
  }),
  output: z.object({
    query_type: z.literal('aggregate'),
    entities_searched: z.array(z.string()),
    results: z.record(
      z.string(),
      z.object({
        total_count: z.number().int(),
        recent_count: z.number().int(),
        status_breakdown: z.record(z.string(), z.number().int()).optional(),
        priority_breakdown: z.record(z.string(), z.number().int()).optional(),
      }),
    ),
  }),
  async handler(args, ctx) {
    const filtersByEntity = new Map(
      args.entities.map((e) => [e, conditionsFor(QUERY_ENTITY_TABLES[e], args.conditions)] as const),
    );
    const since = new Date(Date.now() - RECENT_DAYS * 86_400_000);
    const results = await ctx.asUser(async (s) => {
      const out: Record<string, Record<string, unknown>> = {};
      for (const entity of args.entities) {
        const table = QUERY_ENTITY_TABLES[entity];
        const filters = filtersByEntity.get(entity) ?? [];
        const status = await enumBreakdown(s, table, 'status', filters);
        const priority = await enumBreakdown(s, table, 'priority', filters);
        out[entity] = {
          total_count: await countRows(s, table, filters),
          recent_count: await countRows(s, table, [...filters, { column: 'created_at', op: 'gte', value: since }]),
          ...(status ? { status_breakdown: status } : {}),
          ...(priority ? { priority_breakdown: priority } : {}),
        };
      }
      return out;
    });
    return { query_type: 'aggregate' as const, entities_searched: args.entities, results } as never;
  },
});
