import type { PGlite } from '@electric-sql/pglite';
import type { Database, Session, UserContext } from '@atoms/schema';
import { cloneMigratedDatabase, openMigratedPglite, type ClonedDatabase } from '@atoms/schema/migrate';
import { pgDatabase, pgliteDatabase } from '@atoms/schema/node';
import pg from 'pg';
import { SqlRollbackScope } from '../harmful/rollback.js';
import type { DatabaseProvider } from '../modes/environment.js';
import { ModeConfigurationError } from '../modes/mode.js';
import { rollbackablePglite } from './rollbackable-pglite.js';
import { savepointPool } from './savepoint-pool.js';

export type DatabaseBackend = 'pglite' | 'postgres';

/** Raw SQL as the database owner (no RLS): for assertions and probes, never for the behaviour under test. */
export interface OwnerSql {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
}

export interface AtomsTestDatabase {
  readonly backend: DatabaseBackend;
  /** The schema's database port, as the server factory takes it (units run as the user, RLS applies). */
  readonly database: Database;
  /** A transaction around a test (`transaction_rollback`): while open, every unit of work is a savepoint in it. */
  readonly rollback: SqlRollbackScope;
  readonly sql: OwnerSql;
  /** postgres only: this clone's URL. */
  readonly url?: string;
  /** Closes connections and drops the clone (postgres) or the instance (PGlite). */
  close(): Promise<void>;
}

export interface OpenTestDatabaseOptions {
  /** Default: `ATOMS_TEST_DATABASE` (`pglite` or `postgres`), else `pglite`. */
  backend?: DatabaseBackend;
  /** postgres: the server to clone on; default `DATABASE_URL`, else postgres://postgres@127.0.0.1:5432/postgres. */
  databaseUrl?: string;
  env?: Record<string, string | undefined>;
}

// Units set role and claims transaction-locally; inside a savepoint that lasts until the outer transaction ends.
const RESET_AFTER_UNIT =
  "SELECT set_config('role', 'none', true), set_config('request.jwt.claims', '', true), " +
  "set_config('request.jwt.claim.sub', '', true), set_config('request.jwt.claim.role', '', true), " +
  "set_config('statement_timeout', '0', true)";

/** The backend for this run: `ATOMS_TEST_DATABASE`, default `pglite` (no server needed). */
export function testDatabaseBackend(env: Record<string, string | undefined> = process.env): DatabaseBackend {
  const value = env['ATOMS_TEST_DATABASE']?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'pglite') return 'pglite';
  if (value === 'postgres' || value === 'postgresql') return 'postgres';
  throw new ModeConfigurationError(`ATOMS_TEST_DATABASE must be pglite or postgres; got ${JSON.stringify(value)}`);
}

/**
 * A fresh, fully migrated Atoms database for one test file: PGlite loaded from the migrated snapshot (about half a
 * second), or a clone of the migrated template on PostgreSQL (`atoms_test_framework_t_*`, dropped on close). An
 * unreachable PostgreSQL is an error, loudly.
 */
export async function openAtomsTestDatabase(options: OpenTestDatabaseOptions = {}): Promise<AtomsTestDatabase> {
  const env = options.env ?? process.env;
  const backend = options.backend ?? testDatabaseBackend(env);
  return backend === 'pglite'
    ? openPglite()
    : openPostgres(options.databaseUrl ?? env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
}

async function openPglite(): Promise<AtomsTestDatabase> {
  const instance: PGlite = await openMigratedPglite();
  const rollback = new SqlRollbackScope(instance, { resetAfterUnit: RESET_AFTER_UNIT });
  const database = pgliteDatabase(rollbackablePglite(instance, rollback), { ownsInstance: false });
  return {
    backend: 'pglite',
    database,
    rollback,
    sql: {
      query: async <T>(text: string, params: readonly unknown[] = []) => ({
        rows: (await instance.query<T>(text, [...params])).rows,
      }),
    },
    close: async () => {
      await database.close();
      await instance.close();
    },
  };
}

async function openPostgres(adminUrl: string): Promise<AtomsTestDatabase> {
  let clone: ClonedDatabase;
  try {
    clone = await cloneMigratedDatabase({ adminUrl, prefix: 'atoms_test_framework' });
  } catch (error) {
    const where = new URL(adminUrl);
    where.password = where.password ? '***' : '';
    throw new Error(`PostgreSQL at ${where.toString()} is required and failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const client = new pg.Client({ connectionString: clone.url, application_name: 'atoms-test-framework' });
  await client.connect();
  const rollback = new SqlRollbackScope(client, { resetAfterUnit: RESET_AFTER_UNIT });
  const pooled = pgDatabase({ connectionString: clone.url, max: 4, applicationName: 'atoms-test-framework' });
  const inScope = pgDatabase({ pool: savepointPool(client, rollback) });
  // Outside a rollback scope units use the pool (concurrency as in production); inside, the scope's connection.
  const pick = () => (rollback.active ? inScope : pooled);
  const database: Database = {
    kind: 'pg',
    transactional: true,
    asUser: <T>(user: UserContext, work: (session: Session) => Promise<T>) => pick().asUser(user, work),
    asService: (work, opts) => pick().asService(work, opts),
    asAnonymous: (work) => pick().asAnonymous(work),
    close: () => pooled.close(),
  };
  return {
    backend: 'postgres',
    database,
    rollback,
    url: clone.url,
    sql: {
      query: async <T>(text: string, params: readonly unknown[] = []) => ({
        rows: (await client.query(text, [...params])).rows as T[],
      }),
    },
    close: async () => {
      await pooled.close();
      await client.end();
      await clone.drop();
    },
  };
}

/** A COLD-mode provider: each environment gets its own migrated database, with its rollback scope. */
export function atomsDatabaseProvider(options: OpenTestDatabaseOptions = {}): DatabaseProvider<Database> & {
  /** The databases handed out and not yet released (for owner-level assertions). */
  readonly open: ReadonlySet<AtomsTestDatabase>;
} {
  const open = new Set<AtomsTestDatabase>();
  return {
    open,
    acquire: async () => {
      const testDb = await openAtomsTestDatabase(options);
      open.add(testDb);
      return {
        database: testDb.database,
        rollback: testDb.rollback,
        release: async () => {
          open.delete(testDb);
          await testDb.close();
        },
      };
    },
  };
}
