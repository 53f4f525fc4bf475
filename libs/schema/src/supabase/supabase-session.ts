import type { SupabaseClient } from '@supabase/supabase-js';
import { DatabaseError } from '../errors/database-error.js';
import { fromPostgrestError, type PostgrestErrorLike } from '../errors/from-postgrest.js';
import type { ColumnMeta } from '../models/column.js';
import type { RelationInfo } from '../models/metadata.js';
import { parseVector } from '../models/values.js';
import type { Session } from '../port/types.js';
import {
  checkCount,
  checkFilters,
  checkIdentifier,
  checkInsertRows,
  checkOrder,
  checkUpdatePatch,
  columnList,
  invalid,
  relationMeta,
  requireFilters,
  tableMeta,
  type CheckedFilter,
  type CheckedOrder,
} from '../port/validate.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClient = SupabaseClient<any, any, any>;

/** The parts of supabase-js' filter builder this session uses (kept structural: its generics are heavy). */
interface FilterBuilder {
  filter(column: string, operator: string, value: unknown): FilterBuilder;
  order(column: string, options: { ascending: boolean; nullsFirst?: boolean }): FilterBuilder;
  range(from: number, to: number): FilterBuilder;
  limit(count: number): FilterBuilder;
  select(columns?: string): FilterBuilder;
  then: PromiseLike<PostgrestResponse>['then'];
}

interface PostgrestResponse {
  data: unknown;
  error: PostgrestErrorLike | null;
  count?: number | null;
  status: number;
}

// PostgREST has no offset without a range end; this bounds "everything after offset".
const UNBOUNDED = 2 ** 31 - 2;

/** A filter value in PostgREST's query-string syntax. */
function filterText(column: ColumnMeta, value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (column.type === 'jsonb' && typeof value !== 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** An `in.(…)` list: every element double-quoted with `"` and `\` escaped, so commas and parentheses are safe. */
function listText(column: ColumnMeta, values: readonly unknown[]): string {
  return `(${values.map((v) => `"${filterText(column, v).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')})`;
}

function applyFilters<B extends FilterBuilder>(builder: B, filters: CheckedFilter[]): B {
  let b: FilterBuilder = builder;
  for (const { column, op, value } of filters) {
    const name = column.name;
    switch (op) {
      case 'in':
        b = b.filter(name, 'in', listText(column, value as unknown[]));
        break;
      case 'not_in':
        b = b.filter(name, 'not.in', listText(column, value as unknown[]));
        break;
      case 'is_null':
        b = b.filter(name, value ? 'is' : 'not.is', 'null');
        break;
      default:
        b = b.filter(name, op, filterText(column, value));
    }
  }
  return b as B;
}

function withStableOrder(meta: RelationInfo, order: CheckedOrder[], paging: boolean): CheckedOrder[] {
  const out = [...order];
  if (!paging) return out;
  for (const pk of meta.primaryKey) {
    const column = meta.columns[pk];
    if (column && !out.some((o) => o.column.name === pk)) out.push({ column, ascending: true, nullsFirst: undefined });
  }
  return out;
}

function normalizeRows(columns: ColumnMeta[], rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const vectors = columns.filter((c) => c.type === 'vector').map((c) => c.name);
  if (vectors.length === 0) return rows;
  for (const row of rows) {
    for (const name of vectors) {
      if (typeof row[name] === 'string') row[name] = parseVector(row[name]);
    }
  }
  return rows;
}

const selectList = (columns: ColumnMeta[]): string => columns.map((c) => c.name).join(',');

function toWire(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
}

/**
 * A Session over supabase-js: every call is one PostgREST request carrying the unit of work's token, so
 * PostgREST (and row-level security) sees the user. Calls are not one transaction: atomic multi-step work
 * belongs in a SQL function called through `rpc`.
 */
export class SupabaseSession implements Session {
  constructor(
    private readonly client: AnyClient,
    private readonly isOpen: () => boolean,
  ) {}

  private async run(request: PromiseLike<PostgrestResponse>): Promise<PostgrestResponse> {
    if (!this.isOpen()) throw new DatabaseError('internal', 'Session used after its unit of work ended');
    let response: PostgrestResponse;
    try {
      response = await request;
    } catch (error) {
      throw fromPostgrestError({ message: (error as Error)?.message ?? String(error) }, 0);
    }
    if (response.error) throw fromPostgrestError(response.error, response.status);
    return response;
  }

  private table(name: string) {
    return this.client.from(name);
  }

  async select(relation: string, options: Parameters<Session['select']>[1] = {}) {
    const meta = relationMeta(relation);
    const columns = columnList(meta, options.columns, 'columns');
    const filters = checkFilters(meta, options.filters);
    const limit = checkCount('limit', options.limit);
    const offset = checkCount('offset', options.offset);
    const order = withStableOrder(meta, checkOrder(meta, options.order), limit !== undefined || offset !== undefined);
    if (options.count !== undefined && options.count !== 'exact') throw invalid("count must be 'exact'");
    let query = this.table(meta.name).select(
      selectList(columns),
      options.count === 'exact' ? { count: 'exact' } : {},
    ) as unknown as FilterBuilder;
    query = applyFilters(query, filters);
    for (const o of order) {
      query = query.order(o.column.name, {
        ascending: o.ascending,
        ...(o.nullsFirst !== undefined && { nullsFirst: o.nullsFirst }),
      });
    }
    if (limit === 0) {
      // PostgREST cannot express LIMIT 0 through a range; ask for the count only.
      query = query.limit(0);
    } else if (limit !== undefined || offset !== undefined) {
      const from = offset ?? 0;
      query = query.range(from, limit === undefined ? UNBOUNDED : from + limit - 1);
    }
    const response = await this.run(query);
    const rows = normalizeRows(columns, (response.data as Record<string, unknown>[] | null) ?? []);
    if (options.count !== 'exact') return { rows } as never;
    return { rows, count: response.count ?? 0 } as never;
  }

  async insert(table: string, rows: unknown, options: Parameters<Session['insert']>[2] = {}) {
    const meta = tableMeta(table);
    const parsed = checkInsertRows(meta, rows).map(toWire);
    const returning = columnList(meta, options.returning, 'returning');
    let request;
    if (options.onConflict) {
      const conflict = columnList(meta, options.onConflict.columns, 'onConflict.columns');
      request = this.table(meta.name).upsert(parsed, {
        onConflict: conflict.map((c) => c.name).join(','),
        ignoreDuplicates: options.onConflict.ignoreDuplicates === true,
        defaultToNull: false,
      });
    } else {
      request = this.table(meta.name).insert(parsed, { defaultToNull: false });
    }
    const response = await this.run(request.select(selectList(returning)) as unknown as FilterBuilder);
    return normalizeRows(returning, (response.data as Record<string, unknown>[] | null) ?? []) as never;
  }

  async update(table: string, patch: unknown, options: Parameters<Session['update']>[2]) {
    const meta = tableMeta(table);
    const data = toWire(checkUpdatePatch(meta, patch));
    const filters = checkFilters(meta, options?.filters);
    requireFilters(filters, `Update of ${meta.name}`);
    const returning = columnList(meta, options.returning, 'returning');
    const query = applyFilters(this.table(meta.name).update(data) as unknown as FilterBuilder, filters);
    const response = await this.run(query.select(selectList(returning)));
    return normalizeRows(returning, (response.data as Record<string, unknown>[] | null) ?? []) as never;
  }

  async delete(table: string, options: Parameters<Session['delete']>[1]) {
    const meta = tableMeta(table);
    const filters = checkFilters(meta, options?.filters);
    requireFilters(filters, `Delete from ${meta.name}`);
    const returning = columnList(meta, options.returning, 'returning');
    const query = applyFilters(this.table(meta.name).delete() as unknown as FilterBuilder, filters);
    const response = await this.run(query.select(selectList(returning)));
    return normalizeRows(returning, (response.data as Record<string, unknown>[] | null) ?? []) as never;
  }

  async rpc<T = unknown>(fn: string, args: Record<string, unknown> = {}): Promise<T> {
    const name = checkIdentifier('function', fn);
    if (typeof args !== 'object' || args === null || Array.isArray(args))
      throw invalid('rpc arguments must be an object');
    for (const arg of Object.keys(args)) checkIdentifier('argument', arg);
    const response = await this.run(this.client.rpc(name, toWire(args)) as unknown as PromiseLike<PostgrestResponse>);
    return (response.data ?? null) as T;
  }
}
