import type { ColumnMeta } from './column.js';
import { relations, type RelationName, type Relations } from './tables.js';

/** Plain-data description of a table or view, untyped by name. */
export interface RelationInfo {
  readonly name: RelationName;
  readonly kind: 'table' | 'view';
  readonly columns: { readonly [column: string]: ColumnMeta };
  readonly columnNames: readonly string[];
  readonly defaultColumns: readonly string[];
  readonly primaryKey: readonly string[];
  readonly softDelete: boolean;
  readonly versioned: boolean;
}

/** Plain-data description of a table or view: what the port validates identifiers against. */
export interface RelationMeta<N extends RelationName = RelationName> extends RelationInfo {
  readonly name: N;
  readonly kind: 'table' | 'view';
  readonly columns: { readonly [K in ColumnName<N>]: ColumnMeta };
  /** Column names in declaration order. */
  readonly columnNames: readonly ColumnName<N>[];
  /** Columns a default listing returns: every column except the large ones (embeddings, full-text vectors). */
  readonly defaultColumns: readonly ColumnName<N>[];
  readonly primaryKey: readonly ColumnName<N>[];
  /** Has `is_deleted` (soft delete). */
  readonly softDelete: boolean;
  /** Has an integer `version` bumped by the database on every update. */
  readonly versioned: boolean;
}

export type ColumnName<N extends RelationName> = Extract<keyof Relations[N]['columns'], string>;

function describe<N extends RelationName>(name: N): RelationMeta<N> {
  const def = relations[name];
  const columns = Object.fromEntries(
    Object.entries(def.columns).map(([column, c]) => [column, Object.freeze({ name: column, ...c.spec })]),
  ) as Record<string, ColumnMeta>;
  const columnNames = Object.keys(columns) as ColumnName<N>[];
  return Object.freeze({
    name,
    kind: def.kind,
    columns: Object.freeze(columns) as RelationMeta<N>['columns'],
    columnNames: Object.freeze(columnNames),
    defaultColumns: Object.freeze(columnNames.filter((c) => !columns[c]?.large)),
    primaryKey: Object.freeze(columnNames.filter((c) => columns[c]?.primaryKey)),
    softDelete: columns['is_deleted']?.type === 'bool',
    versioned: columns['version']?.type === 'int4',
  });
}

export const relationNames = Object.keys(relations) as RelationName[];

/** Metadata of every relation, keyed by name. */
export const metadata = Object.freeze(Object.fromEntries(relationNames.map((name) => [name, describe(name)]))) as {
  readonly [N in RelationName]: RelationMeta<N>;
};

export function isRelationName(name: string): name is RelationName {
  return Object.prototype.hasOwnProperty.call(relations, name);
}
