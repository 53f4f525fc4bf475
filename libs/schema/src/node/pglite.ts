import { types, type PGliteInterface, type Transaction } from '@electric-sql/pglite';
import { fromPostgresError } from '../errors/from-postgres.js';
import { DEFAULT_STATEMENT_TIMEOUT_MS, roleSetup, userClaims, type DatabaseRole } from '../port/roles.js';
import { SqlSession, type FunctionCatalog } from '../port/sql-session.js';
import { ARRAY_ELEMENT_OIDS, TEXT_PARSERS } from '../port/text-values.js';
import type { Claims, Database, Session, UserContext } from '../port/types.js';
import { scopedExecutor } from './unit-of-work.js';

export interface PgliteDatabaseOptions {
  /** Per-statement limit inside every unit of work (default 15 s). */
  statementTimeoutMs?: number;
  /** Close the PGlite instance on `close()` (default true). */
  ownsInstance?: boolean;
}

const parsers: Record<number, (text: string) => unknown> = { ...TEXT_PARSERS };
for (const [arrayOid, elementOid] of Object.entries(ARRAY_ELEMENT_OIDS)) {
  const element = TEXT_PARSERS[elementOid] as (text: string) => unknown;
  parsers[Number(arrayOid)] = (text) => types.arrayParser(text, element, Number(arrayOid));
}

/**
 * The embedded adapter: a PGlite instance (Postgres in WebAssembly). PGlite has one connection, so units of work
 * run one after another, each in its own transaction.
 */
export function pgliteDatabase(pg: PGliteInterface, options: PgliteDatabaseOptions = {}): Database {
  const timeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const catalog: FunctionCatalog = new Map();

  async function unit<T>(role: DatabaseRole, claims: Claims | undefined, work: (s: Session) => Promise<T>): Promise<T> {
    let setupDone = false;
    try {
      return await pg.transaction(async (tx: Transaction) => {
        const { executor, end } = scopedExecutor({
          query: async (text, params) => tx.query<Record<string, unknown>>(text, params, { parsers }),
        });
        try {
          const setup = roleSetup(role, claims, timeout);
          await tx.query(setup.text, setup.params);
          setupDone = true;
          return await work(new SqlSession(executor, catalog));
        } finally {
          end();
        }
      });
    } catch (error) {
      // Errors of the work itself (already classified, or the caller's own) pass through unchanged.
      if (setupDone) throw error;
      throw fromPostgresError(error);
    }
  }

  return {
    kind: 'pglite',
    transactional: true,
    asUser: async (user: UserContext, work) => unit('authenticated', userClaims(user?.claims), work),
    asService: (work, opts) => unit('service_role', { ...opts?.claims, role: 'service_role' } as Claims, work),
    asAnonymous: (work) => unit('anon', undefined, work),
    close: async () => {
      if (options.ownsInstance !== false && !pg.closed) await pg.close();
    },
  };
}

export interface OpenPgliteOptions extends PgliteDatabaseOptions {
  /** Directory of the data files; in memory when absent. */
  dataDir?: string;
  /** A dump (`dumpDataDir()`) to start from, e.g. a migrated template. */
  loadDataDir?: Blob | File;
}

/**
 * Opens a PGlite instance with the extensions the migrations expect (pgvector, pg_trgm: a database must be
 * reopened with the set it was migrated with) and wraps it as a Database.
 */
export async function openPglite(options: OpenPgliteOptions = {}): Promise<{ pg: PGliteInterface; db: Database }> {
  const { openPglite: open } = await import('../migrate/pglite.js');
  const pg = await open(options.dataDir, {
    ...(options.loadDataDir !== undefined && { loadDataDir: options.loadDataDir }),
  });
  return { pg, db: pgliteDatabase(pg, options) };
}
