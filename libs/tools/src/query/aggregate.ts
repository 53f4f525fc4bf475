import { enumValues, metadata, parseFilters, type EnumName, type Filter, type Session } from '@atoms/schema';
import { z } from 'zod';
import { defineOperation } from '../core/tool-definition.js';
import { validationError } from '../core/tool-error.js';
import { entitiesParam, QUERY_ENTITY_TABLES, type QueryEntity } from './entity-types.js';

type Table = (typeof QUERY_ENTITY_TABLES)[QueryEntity];
const RECENT_DAYS = 30;

/** The enum of a column, when it has one. */
function enumOf(table: Table, column: string): EnumName | undefined {
  return (metadata[table].columns as Record<string, { enum: EnumName | undefined } | undefined>)[column]?.enum;
}

/**
 * Live rows' values of a few columns, in one pass. Counting in one select costs one row-level-security check per
 * row, where one `count` query per enum label would repeat them for every label.
 */
export async function liveValues(
  session: Session,
  table: Table,
  columns: readonly string[],
  filters: readonly Filter[],
): Promise<Record<string, unknown>[]> {
  const { rows } = await session.select(table, {
    columns: ['id', ...columns] as never,
    filters: [{ column: 'is_deleted', op: 'neq', value: true }, ...filters] as Filter<Table>[],
  });
  return rows as Record<string, unknown>[];
}

/** Rows per label of an enum column: every label listed (zeros included), in the enum's order. */
export function breakdown(
  table: Table,
  column: string,
  rows: readonly Record<string, unknown>[],
): Record<string, number> | undefined {
  const name = enumOf(table, column);
  if (!name) return undefined;
  const out: Record<string, number> = Object.fromEntries(enumValues[name].map((v) => [v, 0]));
  for (const row of rows) {
    const value = row[column];
    if (typeof value === 'string' && value in out) out[value] = (out[value] ?? 0) + 1;
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
        const columns = ['created_at', ...['status', 'priority'].filter((c) => enumOf(table, c))];
        const rows = await liveValues(s, table, columns, filters);
        const status = breakdown(table, 'status', rows);
        const priority = breakdown(table, 'priority', rows);
        out[entity] = {
          total_count: rows.length,
          recent_count: rows.filter((r) => Date.parse(String(r['created_at'])) >= since.getTime()).length,
          ...(status ? { status_breakdown: status } : {}),
          ...(priority ? { priority_breakdown: priority } : {}),
        };
      }
      return out;
    });
    return { query_type: 'aggregate' as const, entities_searched: args.entities, results } as never;
  },
});
