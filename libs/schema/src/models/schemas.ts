import { z } from 'zod';
import type { Columns, InsertOf, RowOf, RowValue, UpdateOf, WriteValue } from './column.js';
import { metadata, relationNames } from './metadata.js';
import type { RelationName, Relations, TableName } from './tables.js';
import { valueSchema } from './values.js';

type ColumnsOf<N extends RelationName> = Relations[N]['columns'];

/** A row as read from the database (every column; `select` with `fields` returns a subset). */
export type Row<N extends RelationName> = RowOf<ColumnsOf<N>>;
/** What an insert may write: required columns must be present, generated columns are refused. */
export type Insert<N extends TableName> = InsertOf<ColumnsOf<N>>;
/** What an update may write: any writable column except the primary key. */
export type Update<N extends TableName> = UpdateOf<ColumnsOf<N>>;

type Optional<T> = z.ZodOptional<z.ZodType<T, unknown>>;
type RowShape<C extends Columns> = { [K in keyof C]: z.ZodType<RowValue<C[K]>, unknown> };
type InsertShape<C extends Columns, T = InsertOf<C>> = {
  [K in keyof T]-?: undefined extends T[K] ? Optional<Exclude<T[K], undefined>> : z.ZodType<T[K], unknown>;
};
type UpdateShape<C extends Columns> = { [K in keyof UpdateOf<C>]-?: Optional<WriteValue<C[K & keyof C]>> };

export interface TableSchemas<N extends TableName> {
  readonly row: z.ZodObject<RowShape<ColumnsOf<N>>>;
  /** Strict: unknown or generated columns are a validation error, never silently dropped. */
  readonly insert: z.ZodObject<InsertShape<ColumnsOf<N>>, z.core.$strict>;
  readonly update: z.ZodObject<UpdateShape<ColumnsOf<N>>, z.core.$strict>;
}
export interface ViewSchemas<N extends RelationName> {
  readonly row: z.ZodObject<RowShape<ColumnsOf<N>>>;
}
export type RelationSchemas<N extends RelationName> = N extends TableName ? TableSchemas<N> : ViewSchemas<N>;

function build(name: RelationName): { row: z.ZodObject; insert?: z.ZodObject; update?: z.ZodObject } {
  const meta = metadata[name];
  const columns = Object.values(meta.columns);
  const row = z.object(Object.fromEntries(columns.map((c) => [c.name, valueSchema(c, 'read')])));
  if (meta.kind === 'view') return { row };
  const insertable = columns.filter((c) => !c.generated);
  const insert = z.strictObject(
    Object.fromEntries(
      insertable.map((c) => {
        const value = valueSchema(c, 'write');
        return [c.name, c.nullable || c.hasDefault ? value.optional() : value];
      }),
    ),
  );
  const update = z.strictObject(
    Object.fromEntries(
      insertable.filter((c) => !c.primaryKey).map((c) => [c.name, valueSchema(c, 'write').optional()]),
    ),
  );
  return { row, insert, update };
}

/** Row, Insert and Update zod schemas of every relation (views have Row only), keyed by name. */
export const schemas = Object.freeze(Object.fromEntries(relationNames.map((name) => [name, build(name)]))) as {
  readonly [N in RelationName]: RelationSchemas<N>;
};
