import { z } from 'zod';
import type { ColumnMeta } from './column.js';
import { enumSchemas } from './enums.js';

/** pgvector's text form `[1,2,3]` (what PostgREST and the SQL adapters return) as numbers. */
export function parseVector(text: string): number[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((n) => typeof n === 'number')) {
    throw new Error('not a vector literal');
  }
  return parsed as number[];
}

export const EMBEDDING_DIMENSIONS = 768;

const int4 = z.number().int().min(-2147483648).max(2147483647);
const vectorText = z.string().transform((text, ctx) => {
  try {
    return parseVector(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'Invalid vector' });
    return z.NEVER;
  }
});

/** Schemas for values read from the database, by type. */
const readers: Record<string, () => z.ZodType> = {
  uuid: () => z.guid(),
  text: () => z.string(),
  int4: () => int4,
  int8: () => z.number().int(),
  float8: () => z.number(),
  bool: () => z.boolean(),
  timestamptz: () => z.iso.datetime({ offset: true }),
  date: () => z.iso.date(),
  jsonb: () => z.json(),
  _text: () => z.array(z.string()),
  _uuid: () => z.array(z.guid()),
  inet: () => z.string(),
  interval: () => z.string(),
  vector: () => z.union([z.array(z.number()), vectorText]),
  tsvector: () => z.string(),
};

/** Schemas for values an insert or update may write, where they differ from what is read. */
const writers: Record<string, () => z.ZodType> = {
  int8: () => z.number().int().refine(Number.isSafeInteger, 'Integer out of safe range'),
  timestamptz: () => z.union([z.iso.datetime({ offset: true }), z.date()]),
  inet: () => z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]),
  vector: () => z.array(z.number()).length(EMBEDDING_DIMENSIONS),
  tsvector: () => z.never(),
};

function baseSchema(column: ColumnMeta, mode: 'read' | 'write'): z.ZodType {
  if (column.enum) return enumSchemas[column.enum];
  const make = (mode === 'write' ? writers[column.type] : undefined) ?? readers[column.type];
  if (!make) throw new Error(`no schema for column type ${column.type}`);
  return make();
}

/** The zod schema of one column's value (`null` included when the column is nullable). */
export function valueSchema(column: ColumnMeta, mode: 'read' | 'write'): z.ZodType {
  const schema = baseSchema(column, mode);
  return column.nullable ? schema.nullable() : schema;
}
