import { fromPostgresError } from '../errors/from-postgres.js';
import { DatabaseError } from '../errors/database-error.js';
import type { RelationInfo } from '../models/metadata.js';
import type { ColumnMeta } from '../models/column.js';
import { parseVector } from '../models/values.js';
import {
  countSql,
  deleteSql,
  insertSql,
  arrayLiteral,
  quoteIdent,
  selectSql,
  serializeValue,
  updateSql,
  type SqlStatement,
} from './sql-builder.js';
import type { Session } from './types.js';
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
} from './validate.js';

/** The one thing a SQL adapter provides: run a parameterized statement on the unit of work's connection. */
export interface SqlExecutor {
  query(text: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What `rpc` needs to know about a function: its return shape and the types of its named arguments. */
export interface FunctionInfo {
  returns: 'rows' | 'row' | 'scalar' | 'void';
  argTypes: Record<string, string>;
}

/** Per-database cache of function signatures (functions change only with migrations). */
export type FunctionCatalog = Map<string, FunctionInfo>;

// Postgres' protocol allows at most 65535 parameters per statement.
const MAX_PARAMS = 65535;

const functionInfoSql = `
SELECT p.proretset AS retset, t.typtype AS typtype, t.typname AS typname,
       coalesce(p.proargnames, '{}'::text[]) AS argnames,
       coalesce(p.proargmodes::text[], '{}'::text[]) AS argmodes,
       array(SELECT format_type(a, NULL) FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) a) AS argtypes
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_type t ON t.oid = p.prorettype
WHERE n.nspname = 'public' AND p.proname = $1`;

interface FunctionRow {
  retset: boolean;
  typtype: string;
  typname: string;
  argnames: string[];
  argmodes: string[];
  argtypes: string[];
}

/** A Session over one SQL connection inside one transaction (pg and PGlite adapters). */
export class SqlSession implements Session {
  constructor(
    private readonly executor: SqlExecutor,
    private readonly catalog: FunctionCatalog,
  ) {}

  private async run(statement: SqlStatement): Promise<Record<string, unknown>[]> {
    if (statement.params.length > MAX_PARAMS) {
      throw invalid(`Too many values in one statement (${statement.params.length}); split the batch`);
    }
    try {
      return (await this.executor.query(statement.text, statement.params)).rows;
    } catch (error) {
      throw fromPostgresError(error);
    }
  }

  async select(relation: string, options: Parameters<Session['select']>[1] = {}) {
    const meta = relationMeta(relation);
    const columns = columnList(meta, options.columns, 'columns');
    const filters = checkFilters(meta, options.filters);
    const order = checkOrder(meta, options.order);
    const limit = checkCount('limit', options.limit);
    const offset = checkCount('offset', options.offset);
    if (options.count !== undefined && options.count !== 'exact') throw invalid("count must be 'exact'");
    const rows = normalizeRows(columns, await this.run(selectSql({ meta, columns, filters, order, limit, offset })));
    if (options.count !== 'exact') return { rows } as never;
    const [counted] = await this.run(countSql(meta, filters));
    return { rows, count: Number(counted?.['count'] ?? 0) } as never;
  }

  async insert(table: string, rows: unknown, options: Parameters<Session['insert']>[2] = {}) {
    const meta = tableMeta(table);
    const parsed = checkInsertRows(meta, rows);
    const returning = columnList(meta, options.returning, 'returning');
    let onConflict: { columns: ColumnMeta[]; ignoreDuplicates: boolean } | undefined;
    if (options.onConflict) {
      onConflict = {
        columns: columnList(meta, options.onConflict.columns, 'onConflict.columns'),
        ignoreDuplicates: options.onConflict.ignoreDuplicates === true,
      };
    }
    if (parsed.length > 1 && parsed.every((r) => Object.keys(r).length === 0)) {
      // INSERT ... DEFAULT VALUES takes one row: insert them one by one.
      const out: Record<string, unknown>[] = [];
      for (const row of parsed) out.push(...(await this.run(insertSql({ meta, rows: [row], returning, onConflict }))));
      return normalizeRows(returning, out) as never;
    }
    return normalizeRows(returning, await this.run(insertSql({ meta, rows: parsed, returning, onConflict }))) as never;
  }

  async update(table: string, patch: unknown, options: Parameters<Session['update']>[2]) {
    const meta = tableMeta(table);
    const data = checkUpdatePatch(meta, patch);
    const filters = checkFilters(meta, options?.filters);
    requireFilters(filters, `Update of ${meta.name}`);
    const returning = columnList(meta, options.returning, 'returning');
    return normalizeRows(returning, await this.run(updateSql(meta, data, filters, returning))) as never;
  }

  async delete(table: string, options: Parameters<Session['delete']>[1]) {
    const meta = tableMeta(table);
    const filters = checkFilters(meta, options?.filters);
    requireFilters(filters, `Delete from ${meta.name}`);
    const returning = columnList(meta, options.returning, 'returning');
    return normalizeRows(returning, await this.run(deleteSql(meta, filters, returning))) as never;
  }

  async rpc<T = unknown>(fn: string, args: Record<string, unknown> = {}): Promise<T> {
    const name = checkIdentifier('function', fn);
    if (typeof args !== 'object' || args === null || Array.isArray(args))
      throw invalid('rpc arguments must be an object');
    const info = await this.functionInfo(name);
    const params: unknown[] = [];
    const named = Object.entries(args)
      .filter(([, v]) => v !== undefined)
      .map(([arg, value]) => {
        checkIdentifier('argument', arg);
        const type = info.argTypes[arg];
        if (type === undefined) throw invalid(`Function ${name} has no argument ${arg}`);
        params.push(serializeArgument(type, value));
        return `${quoteIdent(arg)} => $${params.length}`;
      });
    const call = `public.${quoteIdent(name)}(${named.join(', ')})`;
    switch (info.returns) {
      case 'rows':
        return (await this.run({ text: `SELECT * FROM ${call}`, params })) as T;
      case 'row':
        return ((await this.run({ text: `SELECT * FROM ${call}`, params }))[0] ?? null) as T;
      case 'void':
        await this.run({ text: `SELECT ${call}`, params });
        return null as T;
      case 'scalar':
        return ((await this.run({ text: `SELECT ${call} AS value`, params }))[0]?.['value'] ?? null) as T;
    }
  }

  private async functionInfo(name: string): Promise<FunctionInfo> {
    const cached = this.catalog.get(name);
    if (cached) return cached;
    const rows = (await this.run({ text: functionInfoSql, params: [name] })) as unknown as FunctionRow[];
    if (rows.length === 0) throw new DatabaseError('not_found', `Unknown function: ${name}`, { sqlState: '42883' });
    const argTypes: Record<string, string> = {};
    let returns: FunctionInfo['returns'] = 'scalar';
    for (const row of rows) {
      row.argnames.forEach((arg, i) => {
        const mode = row.argmodes[i] ?? 'i';
        if (arg && (mode === 'i' || mode === 'b' || mode === 'v')) argTypes[arg] = row.argtypes[i] ?? 'unknown';
      });
      if (row.retset) returns = 'rows';
      else if (row.typname === 'void') returns = 'void';
      else if (row.typtype === 'c' || row.typname === 'record') returns = 'row';
    }
    const info = { returns, argTypes };
    this.catalog.set(name, info);
    return info;
  }
}

function serializeArgument(type: string, value: unknown): unknown {
  if (type === 'jsonb' || type === 'json') return value === null ? null : JSON.stringify(value);
  // pgvector parses its own text form `[1,2,3]`, not an array literal.
  if (/(^|\.)vector\b/.test(type) && Array.isArray(value)) return `[${value.join(',')}]`;
  if (type.endsWith('[]') && Array.isArray(value)) return arrayLiteral(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    return JSON.stringify(value);
  }
  return serializeValue({ type }, value);
}

/** Vectors come back in pgvector's text form; rows carry them as number arrays. */
function normalizeRows(columns: ColumnMeta[], rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const vectors = columns.filter((c) => c.type === 'vector').map((c) => c.name);
  if (vectors.length === 0) return rows;
  for (const row of rows) {
    for (const name of vectors) {
      const value = row[name];
      if (typeof value === 'string') row[name] = parseVector(value);
    }
  }
  return rows;
}

export type { RelationInfo };
