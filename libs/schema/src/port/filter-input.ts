import { z } from 'zod';
import { FILTER_OPERATORS, type Filter, type FilterOperator, type OrderBy } from './types.js';
import { checkFilters, checkOrder, invalid, relationMeta } from './validate.js';

/**
 * Tool-facing shapes of filters and sort orders (tools.md: "`filters` as equality map or `{col: {op: value}}`",
 * "`order_by` as `col` / `col:desc` or a list"), turned into the port's Filter/OrderBy lists with every column
 * checked against the table's metadata. Errors are `validation` DatabaseErrors naming the bad part.
 */

const operatorObject = z
  .record(z.string(), z.unknown())
  .refine(
    (o) =>
      Object.keys(o).length > 0 && Object.keys(o).every((k) => (FILTER_OPERATORS as readonly string[]).includes(k)),
  );

/** JSON Schema-friendly zod schema of the `filters` parameter. */
export const filtersInputSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), operatorObject]),
);
export type FiltersInput = z.infer<typeof filtersInputSchema>;

/** zod schema of the `order_by` parameter. */
export const orderInputSchema = z.union([z.string(), z.array(z.string())]);
export type OrderInput = z.infer<typeof orderInputSchema>;

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.keys(value).every((k) => (FILTER_OPERATORS as readonly string[]).includes(k))
  );
}

/**
 * `{status: 'active', priority: {in: ['high', 'critical']}, deleted_at: null}` -> Filter list. A bare value means
 * `eq`, a bare `null` means `is_null: true`, an array means `in`; on jsonb columns an object is a value to compare,
 * not operators, unless every key is an operator name.
 */
export function parseFilters(table: string, input: unknown): Filter[] {
  if (input === undefined || input === null) return [];
  if (typeof input !== 'object' || Array.isArray(input))
    throw invalid('filters must be an object of column: condition');
  const meta = relationMeta(table);
  const filters: Filter[] = [];
  for (const [column, condition] of Object.entries(input)) {
    if (condition === null) filters.push({ column, op: 'is_null', value: true } as Filter);
    else if (isOperatorObject(condition)) {
      for (const [op, value] of Object.entries(condition))
        filters.push({ column, op: op as FilterOperator, value } as Filter);
    } else if (Array.isArray(condition) && meta.columns[column]?.type !== 'jsonb') {
      filters.push({ column, op: 'in', value: condition } as Filter);
    } else filters.push({ column, op: 'eq', value: condition } as Filter);
  }
  checkFilters(meta, filters);
  return filters;
}

/** `'name'`, `'created_at:desc'`, `['priority:desc', 'name']` -> OrderBy list. */
export function parseOrder(table: string, input: unknown): OrderBy[] {
  if (input === undefined || input === null || input === '') return [];
  const items = Array.isArray(input) ? input : [input];
  const order = items.map((item, i) => {
    if (typeof item !== 'string') throw invalid(`order_by[${i}] must be "column" or "column:asc|desc"`);
    const [column = '', direction = 'asc', ...rest] = item.split(':').map((p) => p.trim());
    if (rest.length > 0 || !['asc', 'desc'].includes(direction.toLowerCase())) {
      throw invalid(`order_by "${item}": expected "column" or "column:asc|desc"`);
    }
    return { column, ascending: direction.toLowerCase() === 'asc' } as OrderBy;
  });
  checkOrder(relationMeta(table), order);
  return order;
}
