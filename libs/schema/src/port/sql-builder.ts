import type { ColumnMeta } from '../models/column.js';
import type { RelationInfo } from '../models/metadata.js';
import type { CheckedFilter, CheckedOrder } from './validate.js';

/**
 * Builds parameterized SQL from already-validated requests. Identifiers come only from the column metadata and
 * are quoted; every value is a `$n` parameter.
 */

export interface SqlStatement {
  text: string;
  params: unknown[];
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const qualified = (meta: RelationInfo): string => `public.${quoteIdent(meta.name)}`;

/** How a JS value travels as a parameter for a column of this type. */
export function serializeValue(column: Pick<ColumnMeta, 'type'>, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (column.type === 'jsonb' || column.type === 'json') return JSON.stringify(value);
  // Arrays travel as Postgres array literals in text: both drivers pass text through unchanged, while their own
  // array serialisation differs (PGlite has none for float8[]).
  if ((column.type === 'vector' || column.type.startsWith('_')) && Array.isArray(value)) return arrayLiteral(value);
  return value;
}

/** `['a', 'b"c', null]` -> `{"a","b\"c",NULL}`: every element quoted, so commas, braces and quotes are safe. */
export function arrayLiteral(values: readonly unknown[]): string {
  const element = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v);
    const text = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  };
  return `{${values.map(element).join(',')}}`;
}

/**
 * The placeholder for a written value. Embeddings travel as `double precision[]`: that is the column type where
 * pgvector is absent, and pgvector casts it to `vector` on assignment, so one statement fits both schemas.
 */
function placeholder(column: ColumnMeta, param: string): string {
  return column.type === 'vector' ? `${param}::float8[]` : param;
}

/** Names reaching the builder were validated already; a miss here is a bug, not bad input. */
function columnOf(meta: RelationInfo, name: string): ColumnMeta {
  const column = meta.columns[name];
  if (!column) throw new Error(`unvalidated column ${meta.name}.${name}`);
  return column;
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function whereClause(filters: CheckedFilter[], params: Params): string {
  if (filters.length === 0) return '';
  const parts = filters.map(({ column, op, value }) => {
    const ident = quoteIdent(column.name);
    switch (op) {
      case 'eq':
        return `${ident} = ${params.add(serializeValue(column, value))}`;
      case 'neq':
        return `${ident} <> ${params.add(serializeValue(column, value))}`;
      case 'gt':
        return `${ident} > ${params.add(serializeValue(column, value))}`;
      case 'gte':
        return `${ident} >= ${params.add(serializeValue(column, value))}`;
      case 'lt':
        return `${ident} < ${params.add(serializeValue(column, value))}`;
      case 'lte':
        return `${ident} <= ${params.add(serializeValue(column, value))}`;
      // Enums and other non-text columns match by their text form, as PostgREST does.
      case 'like':
        return `${ident}::text LIKE ${params.add(value)}`;
      case 'ilike':
        return `${ident}::text ILIKE ${params.add(value)}`;
      case 'in':
        return `${ident} = ANY(${params.add(arrayLiteral((value as unknown[]).map((v) => serializeValue(column, v))))})`;
      case 'not_in':
        return `${ident} <> ALL(${params.add(arrayLiteral((value as unknown[]).map((v) => serializeValue(column, v))))})`;
      case 'is_null':
        return `${ident} IS ${value ? '' : 'NOT '}NULL`;
    }
    throw new Error(`unhandled operator ${String(op)}`);
  });
  return ` WHERE ${parts.join(' AND ')}`;
}

const columnsSql = (columns: ColumnMeta[]): string => columns.map((c) => quoteIdent(c.name)).join(', ');

export interface SelectRequest {
  meta: RelationInfo;
  columns: ColumnMeta[];
  filters: CheckedFilter[];
  order: CheckedOrder[];
  limit: number | undefined;
  offset: number | undefined;
}

export function selectSql(req: SelectRequest): SqlStatement {
  const params = new Params();
  let text = `SELECT ${columnsSql(req.columns)} FROM ${qualified(req.meta)}${whereClause(req.filters, params)}`;
  const order = [...req.order];
  // Paging needs a total order, or rows can repeat or vanish between pages: break ties on the primary key.
  if (req.limit !== undefined || req.offset !== undefined) {
    for (const pk of req.meta.primaryKey) {
      if (!order.some((o) => o.column.name === pk)) {
        order.push({ column: columnOf(req.meta, pk), ascending: true, nullsFirst: undefined });
      }
    }
  }
  if (order.length > 0) {
    text += ` ORDER BY ${order
      .map(
        (o) =>
          `${quoteIdent(o.column.name)} ${o.ascending ? 'ASC' : 'DESC'}` +
          (o.nullsFirst === undefined ? '' : o.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'),
      )
      .join(', ')}`;
  }
  if (req.limit !== undefined) text += ` LIMIT ${params.add(req.limit)}`;
  if (req.offset !== undefined) text += ` OFFSET ${params.add(req.offset)}`;
  return { text, params: params.values };
}

export function countSql(meta: RelationInfo, filters: CheckedFilter[]): SqlStatement {
  const params = new Params();
  return {
    text: `SELECT count(*) AS count FROM ${qualified(meta)}${whereClause(filters, params)}`,
    params: params.values,
  };
}

const returningSql = (columns: ColumnMeta[]): string => ` RETURNING ${columnsSql(columns)}`;

export interface InsertRequest {
  meta: RelationInfo;
  rows: Record<string, unknown>[];
  returning: ColumnMeta[];
  onConflict: { columns: ColumnMeta[]; ignoreDuplicates: boolean } | undefined;
}

export function insertSql(req: InsertRequest): SqlStatement {
  const params = new Params();
  const names = [...new Set(req.rows.flatMap((r) => Object.keys(r)))];
  const columns = names.map((n) => columnOf(req.meta, n));
  let text: string;
  if (columns.length === 0) {
    text = `INSERT INTO ${qualified(req.meta)} DEFAULT VALUES`;
    if (req.rows.length > 1) throw new Error('multi-row insert of defaults only is not supported');
  } else {
    const values = req.rows.map(
      (row) =>
        `(${columns
          .map((c) =>
            Object.prototype.hasOwnProperty.call(row, c.name)
              ? placeholder(c, params.add(serializeValue(c, row[c.name])))
              : 'DEFAULT',
          )
          .join(', ')})`,
    );
    text = `INSERT INTO ${qualified(req.meta)} (${columnsSql(columns)}) VALUES ${values.join(', ')}`;
  }
  if (req.onConflict) {
    const target = `(${columnsSql(req.onConflict.columns)})`;
    const conflictNames = new Set(req.onConflict.columns.map((c) => c.name));
    const updates = columns.filter((c) => !conflictNames.has(c.name));
    text +=
      req.onConflict.ignoreDuplicates || updates.length === 0
        ? ` ON CONFLICT ${target} DO NOTHING`
        : ` ON CONFLICT ${target} DO UPDATE SET ${updates.map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`).join(', ')}`;
  }
  return { text: text + returningSql(req.returning), params: params.values };
}

export function updateSql(
  meta: RelationInfo,
  patch: Record<string, unknown>,
  filters: CheckedFilter[],
  returning: ColumnMeta[],
): SqlStatement {
  const params = new Params();
  const sets = Object.entries(patch).map(([name, value]) => {
    const column = columnOf(meta, name);
    return `${quoteIdent(name)} = ${placeholder(column, params.add(serializeValue(column, value)))}`;
  });
  const text = `UPDATE ${qualified(meta)} SET ${sets.join(', ')}${whereClause(filters, params)}${returningSql(returning)}`;
  return { text, params: params.values };
}

export function deleteSql(meta: RelationInfo, filters: CheckedFilter[], returning: ColumnMeta[]): SqlStatement {
  const params = new Params();
  return {
    text: `DELETE FROM ${qualified(meta)}${whereClause(filters, params)}${returningSql(returning)}`,
    params: params.values,
  };
}
