import { enumNames, enumValues } from './enums.js';
import { metadata, relationNames } from './metadata.js';

/**
 * Drift detection between the zod models and a live database: every relation, column, type, nullability,
 * generated column, primary key and enum label is compared in both directions. The parity test runs it against
 * a freshly migrated database; a server can run it at startup to refuse a database it does not match.
 */

export type Query = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;

export interface SchemaSnapshot {
  relations: { name: string; kind: 'table' | 'view' }[];
  columns: {
    relation: string;
    column: string;
    udt: string;
    nullable: boolean;
    generated: boolean;
    hasDefault: boolean;
  }[];
  primaryKeys: { relation: string; columns: string[] }[];
  enums: { name: string; labels: string[] }[];
}

const relationsSql = `
SELECT table_name AS name, table_type AS type FROM information_schema.tables
WHERE table_schema = 'public' ORDER BY table_name`;

const columnsSql = `
SELECT table_name AS relation, column_name AS column, udt_name AS udt, is_nullable AS nullable,
       is_generated AS generated, column_default IS NOT NULL AS has_default
FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`;

const primaryKeysSql = `
SELECT c.relname AS relation, array_agg(a.attname::text ORDER BY k.ord) AS columns
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE n.nspname = 'public' AND con.contype = 'p'
GROUP BY c.relname ORDER BY c.relname`;

const enumsSql = `
SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = 'public'
GROUP BY t.typname ORDER BY t.typname`;

/** Reads what the migrations actually created in the `public` schema. */
export async function introspectSchema(query: Query): Promise<SchemaSnapshot> {
  // One after another: the query function may be a single connection.
  const relations = await query(relationsSql);
  const columns = await query(columnsSql);
  const primaryKeys = await query(primaryKeysSql);
  const enums = await query(enumsSql);
  return {
    relations: relations.rows.map((r) => ({
      name: String(r['name']),
      kind: r['type'] === 'VIEW' ? 'view' : 'table',
    })),
    columns: columns.rows.map((r) => ({
      relation: String(r['relation']),
      column: String(r['column']),
      udt: String(r['udt']),
      nullable: r['nullable'] === 'YES',
      generated: r['generated'] === 'ALWAYS',
      hasDefault: r['has_default'] === true,
    })),
    primaryKeys: primaryKeys.rows.map((r) => ({ relation: String(r['relation']), columns: r['columns'] as string[] })),
    enums: enums.rows.map((r) => ({ name: String(r['name']), labels: r['labels'] as string[] })),
  };
}

/** Types the database may use for a model type: embeddings fall back to `double precision[]` without pgvector. */
const acceptedTypes: Record<string, readonly string[]> = { vector: ['vector', '_float8'] };

/** Every difference between the models and the snapshot, as readable lines; empty when they agree. */
export function compareSchema(snapshot: SchemaSnapshot): string[] {
  const problems: string[] = [];
  const dbRelations = new Map(snapshot.relations.map((r) => [r.name, r]));
  for (const name of relationNames) {
    const db = dbRelations.get(name);
    if (!db) problems.push(`${name}: in the models, missing from the database`);
    else if (db.kind !== metadata[name].kind)
      problems.push(`${name}: a ${metadata[name].kind} in the models, a ${db.kind} in the database`);
  }
  for (const r of snapshot.relations) {
    if (!(r.name in metadata)) problems.push(`${r.name}: in the database, missing from the models`);
  }

  const dbColumns = new Map<string, SchemaSnapshot['columns'][number]>();
  for (const c of snapshot.columns) dbColumns.set(`${c.relation}.${c.column}`, c);
  for (const name of relationNames) {
    if (!dbRelations.has(name)) continue;
    const meta = metadata[name];
    for (const column of Object.values(meta.columns)) {
      const key = `${name}.${column.name}`;
      const db = dbColumns.get(key);
      if (!db) {
        problems.push(`${key}: in the models, missing from the database`);
        continue;
      }
      const accepted = acceptedTypes[column.type] ?? [column.type];
      if (!accepted.includes(db.udt))
        problems.push(`${key}: type ${column.type} in the models, ${db.udt} in the database`);
      if (db.nullable !== column.nullable) {
        problems.push(
          `${key}: ${column.nullable ? 'nullable' : 'not null'} in the models, ${db.nullable ? 'nullable' : 'not null'} in the database`,
        );
      }
      // What an insert may omit: a NOT NULL column is optional in the models exactly when the database fills it.
      if (meta.kind === 'table' && !column.nullable && !column.generated && !column.filledByTrigger) {
        if (column.hasDefault && !db.hasDefault)
          problems.push(`${key}: defaulted in the models, no default in the database`);
        if (!column.hasDefault && db.hasDefault)
          problems.push(`${key}: required in the models, has a default in the database`);
      }
      if (meta.kind === 'table' && db.generated !== column.generated) {
        problems.push(
          `${key}: ${column.generated ? '' : 'not '}generated in the models, ${db.generated ? '' : 'not '}generated in the database`,
        );
      }
    }
  }
  for (const c of snapshot.columns) {
    if (c.relation in metadata && !(c.column in metadata[c.relation as keyof typeof metadata].columns)) {
      problems.push(`${c.relation}.${c.column}: in the database, missing from the models`);
    }
  }

  const dbKeys = new Map(snapshot.primaryKeys.map((k) => [k.relation, k.columns]));
  for (const name of relationNames) {
    if (metadata[name].kind !== 'table' || !dbRelations.has(name)) continue;
    const model = [...metadata[name].primaryKey].sort().join(', ');
    const db = [...(dbKeys.get(name) ?? [])].sort().join(', ');
    if (model !== db) problems.push(`${name}: primary key (${model}) in the models, (${db}) in the database`);
  }

  const dbEnums = new Map(snapshot.enums.map((e) => [e.name, e.labels]));
  for (const name of enumNames) {
    const labels = dbEnums.get(name);
    if (!labels) problems.push(`enum ${name}: in the models, missing from the database`);
    else if (labels.join(',') !== enumValues[name].join(',')) {
      problems.push(
        `enum ${name}: [${enumValues[name].join(', ')}] in the models, [${labels.join(', ')}] in the database`,
      );
    }
  }
  for (const e of snapshot.enums) {
    if (!(e.name in enumValues)) problems.push(`enum ${e.name}: in the database, missing from the models`);
  }
  return problems;
}

/** Introspects and compares in one call. */
export async function schemaDrift(query: Query): Promise<string[]> {
  return compareSchema(await introspectSchema(query));
}
