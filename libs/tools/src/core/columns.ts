import { parseFilters, parseOrder, type Filter, type OrderBy, type TableName } from '@atoms/schema';
import { isDatabaseError } from '@atoms/schema';
import { z } from 'zod';
import { tableInfo } from './entity-types.js';
import { validationError } from './tool-error.js';

export const fieldsInput = z
  .array(z.string().min(1))
  .min(1)
  .max(100)
  .optional()
  .describe('Columns to return (default: every column except embeddings and full-text vectors).');

/**
 * The columns to select: the requested ones (checked against the table; large columns refused, they are never
 * returned), else the table's default columns. `always` columns (e.g. id) are added when missing.
 */
export function selectColumns(
  table: TableName,
  fields: readonly string[] | undefined,
  always: string[] = [],
): string[] {
  const info = tableInfo(table);
  if (!fields) return [...info.defaultColumns];
  const unknown = fields.filter((f) => !info.columnNames.includes(f));
  if (unknown.length > 0) {
    throw validationError(`Unknown field(s) for ${table}: ${unknown.join(', ')}.`, {
      unknown,
      available: info.defaultColumns,
    });
  }
  const large = fields.filter((f) => info.columns[f]?.large);
  if (large.length > 0) {
    throw validationError(`Field(s) ${large.join(', ')} are never returned (embeddings, full-text vectors).`, {
      large,
    });
  }
  const columns = [...new Set(fields)];
  for (const column of always) if (info.columnNames.includes(column) && !columns.includes(column)) columns.push(column);
  return columns;
}

/** The tool's `filters` parameter as port filters, every column checked before any query is built. */
export function toolFilters(table: TableName, filters: unknown): Filter[] {
  try {
    return parseFilters(table, filters);
  } catch (error) {
    throw asValidation(error, 'filters', table);
  }
}

/** The tool's `order_by` parameter as port orders (`col`, `col:desc` or a list). */
export function toolOrder(table: TableName, orderBy: unknown, fallback: OrderBy[] = []): OrderBy[] {
  try {
    const order = parseOrder(table, orderBy);
    return order.length > 0 ? order : fallback;
  } catch (error) {
    throw asValidation(error, 'order_by', table);
  }
}

function asValidation(error: unknown, parameter: string, table: TableName): unknown {
  if (isDatabaseError(error) && error.code === 'validation') {
    return validationError(`Invalid ${parameter}: ${error.message}`, {
      ...(error.issues ? { issues: error.issues } : {}),
      available: tableInfo(table).defaultColumns,
    });
  }
  return error;
}

export const filtersInput = z
  .record(z.string(), z.unknown())
  .optional()
  .describe(
    'Equality map {column: value}, or {column: {op: value}} with op eq, neq, gt, gte, lt, lte, like, ilike, in, not_in, is_null; null means IS NULL.',
  );
export const orderByInput = z
  .union([z.string(), z.array(z.string()).max(10)])
  .optional()
  .describe('"column", "column:desc", or a list of them.');
