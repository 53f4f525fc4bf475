import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { cloneMigratedDatabase, openMigratedPglite } from '../../src/migrate/index.js';

export type Backend = 'pglite' | 'postgres';

/** Rows come back as plain objects on both backends; errors are the backend's own (code, constraint, …). */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
}

/** `rowCount`: rows returned, or rows affected by INSERT/UPDATE/DELETE without RETURNING. */
export interface QueryResult<T> {
  readonly rows: T[];
  readonly rowCount: number;
}

export interface TestDatabase extends Queryable {
  readonly backend: Backend;
  /** Multi-statement SQL without parameters. */
  exec(sql: string): Promise<void>;
  /** postgres only: URL of this file's own database (e.g. to open a pool in adapter tests). */
  readonly url?: string;
  /** pglite only: the instance (e.g. to build a PGlite adapter on it). */
  readonly pglite?: PGlite;
  /** Closes the connection and drops the database. */
  close(): Promise<void>;
}

/** Every backend the suites run on. Both always: a missing PostgreSQL server fails the run, loudly. */
export const BACKENDS: readonly Backend[] = ['pglite', 'postgres'];

export function databaseUrl(): string {
  return process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/**
 * An isolated, fully migrated database for one test file: a clone of the migrated template database on
 * PostgreSQL (at DATABASE_URL), or a PGlite instance loaded from the migrated snapshot. Open it in `beforeAll`,
 * close it in `afterAll`.
 */
export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  return backend === 'pglite' ? openPgliteTestDatabase() : openPostgresTestDatabase();
}

async function openPgliteTestDatabase(): Promise<TestDatabase> {
  const db = await openMigratedPglite();
  return {
    backend: 'pglite',
    pglite: db,
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<T>(sql, [...params]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async close() {
      await db.close();
    },
  };
}

async function openPostgresTestDatabase(): Promise<TestDatabase> {
  let clone;
  try {
    clone = await cloneMigratedDatabase({ adminUrl: databaseUrl() });
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${redact(databaseUrl())} is required for these tests and failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const client = new pg.Client({ connectionString: clone.url, application_name: 'atoms-schema-test' });
  await client.connect();
  return {
    backend: 'postgres',
    url: clone.url,
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, [...params]);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async close() {
      await client.end();
      await clone.drop();
    },
  };
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
