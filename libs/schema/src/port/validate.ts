import type { z } from 'zod';
import { DatabaseError } from '../errors/database-error.js';
import type { ColumnMeta } from '../models/column.js';
import { isRelationName, metadata, type RelationInfo } from '../models/metadata.js';
import { schemas } from '../models/schemas.js';
import type { RelationName, TableName } from '../models/tables.js';
import { FILTER_OPERATORS, type Filter, type FilterOperator, type OrderBy } from './types.js';

/**
 * Request checks shared by every adapter: nothing reaches the database (or PostgREST) unless every identifier is
 * a known relation/column and every value has the right shape. Failures are `validation` DatabaseErrors.
 */

export function invalid(message: string, issues?: { path: string; message: string }[]): DatabaseError {
  return new DatabaseError('validation', message, issues ? { issues } : {});
}

export function relationMeta(name: unknown): RelationInfo {
  if (typeof name !== 'string' || !isRelationName(name)) throw invalid(`Unknown table: ${String(name)}`);
  return metadata[name];
}

export function tableMeta(name: unknown): RelationInfo & { name: TableName } {
  const meta = relationMeta(name);
  if (meta.kind !== 'table') throw invalid(`${meta.name} is a view: it cannot be written`);
  return meta as RelationInfo & { name: TableName };
}

export function columnMeta(meta: RelationInfo, column: unknown): ColumnMeta {
  const found =
    typeof column === 'string' && Object.prototype.hasOwnProperty.call(meta.columns, column)
      ? meta.columns[column]
      : undefined;
  if (!found) throw invalid(`Unknown column ${meta.name}.${String(column)}`);
  return found;
}

export function columnList(meta: RelationInfo, columns: readonly unknown[] | undefined, what: string): ColumnMeta[] {
  if (columns === undefined) return Object.values(meta.columns);
  if (!Array.isArray(columns) || columns.length === 0) throw invalid(`${what} must be a non-empty list of columns`);
  return [...new Set(columns)].map((c) => columnMeta(meta, c));
}

export interface CheckedFilter {
  column: ColumnMeta;
  op: FilterOperator;
  value: unknown;
}

export function checkFilters(meta: RelationInfo, filters: readonly Filter[] | undefined): CheckedFilter[] {
  if (filters === undefined) return [];
  if (!Array.isArray(filters)) throw invalid('filters must be a list');
  return filters.map((f: Filter, i) => {
    if (typeof f !== 'object' || f === null) throw invalid(`filters[${i}] must be an object`);
    const column = columnMeta(meta, f.column);
    const op = f.op;
    if (!(FILTER_OPERATORS as readonly string[]).includes(op)) {
      throw invalid(`filters[${i}]: unknown operator ${String(op)} (expected one of ${FILTER_OPERATORS.join(', ')})`);
    }
    const value: unknown = f.value;
    if (op === 'in' || op === 'not_in') {
      if (!Array.isArray(value)) throw invalid(`filters[${i}]: ${op} on ${column.name} needs a list of values`);
      if (value.some((v) => v === null || v === undefined)) {
        throw invalid(`filters[${i}]: ${op} values cannot be null (use is_null)`);
      }
    } else if (op === 'is_null') {
      if (typeof value !== 'boolean') throw invalid(`filters[${i}]: is_null on ${column.name} needs true or false`);
    } else if (op === 'like' || op === 'ilike') {
      if (typeof value !== 'string') throw invalid(`filters[${i}]: ${op} on ${column.name} needs a string pattern`);
    } else if (value === undefined || value === null) {
      throw invalid(`filters[${i}]: ${op} on ${column.name} needs a value (use is_null for NULL)`);
    }
    if (column.large && op !== 'is_null')
      throw invalid(`filters[${i}]: ${column.name} can only be tested with is_null`);
    return { column, op, value };
  });
}

export interface CheckedOrder {
  column: ColumnMeta;
  ascending: boolean;
  nullsFirst: boolean | undefined;
}

export function checkOrder(meta: RelationInfo, order: readonly OrderBy[] | undefined): CheckedOrder[] {
  if (order === undefined) return [];
  if (!Array.isArray(order)) throw invalid('order must be a list');
  return order.map((o: OrderBy, i) => {
    const column = columnMeta(meta, o?.column);
    if (o.ascending !== undefined && typeof o.ascending !== 'boolean')
      throw invalid(`order[${i}].ascending must be a boolean`);
    if (o.nullsFirst !== undefined && typeof o.nullsFirst !== 'boolean')
      throw invalid(`order[${i}].nullsFirst must be a boolean`);
    if (column.large) throw invalid(`order[${i}]: cannot sort by ${column.name}`);
    return { column, ascending: o.ascending ?? true, nullsFirst: o.nullsFirst };
  });
}

export function checkCount(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0) throw invalid(`${name} must be a non-negative integer`);
  return value;
}

function issuesOf(error: z.ZodError, prefix: string): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

/** Validates insert rows against the table's Insert schema; returns the parsed rows. */
export function checkInsertRows(meta: RelationInfo & { name: TableName }, rows: unknown): Record<string, unknown>[] {
  const list = Array.isArray(rows) ? rows : [rows];
  if (list.length === 0) throw invalid('Nothing to insert');
  const schema = schemas[meta.name].insert as z.ZodType<Record<string, unknown>>;
  const issues: { path: string; message: string }[] = [];
  const parsed = list.map((row, i) => {
    const result = schema.safeParse(row);
    if (!result.success) issues.push(...issuesOf(result.error, Array.isArray(rows) ? `[${i}]` : ''));
    return result.success ? result.data : {};
  });
  if (issues.length > 0) throw invalid(`Invalid ${meta.name} row: ${describeIssues(issues)}`, issues);
  return parsed;
}

export function checkUpdatePatch(meta: RelationInfo & { name: TableName }, patch: unknown): Record<string, unknown> {
  const schema = schemas[meta.name].update as z.ZodType<Record<string, unknown>>;
  const result = schema.safeParse(patch);
  if (!result.success) {
    const issues = issuesOf(result.error, '');
    throw invalid(`Invalid ${meta.name} update: ${describeIssues(issues)}`, issues);
  }
  const data = Object.fromEntries(Object.entries(result.data).filter(([, v]) => v !== undefined));
  if (Object.keys(data).length === 0) throw invalid(`Nothing to update in ${meta.name}`);
  return data;
}

function describeIssues(issues: { path: string; message: string }[]): string {
  const shown = issues.slice(0, 5).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  return shown.join('; ') + (issues.length > 5 ? `; and ${issues.length - 5} more` : '');
}

export function requireFilters(filters: CheckedFilter[], what: string): void {
  if (filters.length === 0) throw invalid(`${what} needs at least one filter`);
}

export const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Function and argument names for `rpc`: plain lower-case SQL identifiers only. */
export function checkIdentifier(kind: string, name: unknown): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) throw invalid(`Invalid ${kind} name: ${String(name)}`);
  return name;
}

export type { RelationName };
