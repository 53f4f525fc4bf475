import pg from 'pg';
import { fromPostgresError } from '../errors/from-postgres.js';
import { DEFAULT_STATEMENT_TIMEOUT_MS, roleSetupText, userClaims, type DatabaseRole } from '../port/roles.js';
import { SqlSession, type FunctionCatalog } from '../port/sql-session.js';
import { ARRAY_ELEMENT_OIDS, TEXT_PARSERS } from '../port/text-values.js';
import type { Claims, Database, Session, UserContext } from '../port/types.js';
import { scopedExecutor } from './unit-of-work.js';

export interface PgDatabaseOptions {
  /** `postgres://…` (default `DATABASE_URL`); ignored when `pool` is given. */
  connectionString?: string;
  /** An existing pool to use (then `close()` leaves it open). */
  pool?: pg.Pool;
  /** Pool size (default 10). */
  max?: number;
  /** Per-statement limit inside every unit of work (default 15 s). */
  statementTimeoutMs?: number;
  /** How long to wait for a pooled connection (default 10 s). */
  connectionTimeoutMs?: number;
  applicationName?: string;
  /** Called when an idle pooled connection fails (the pool drops it; the next unit of work gets a new one). */
  onIdleError?: (error: Error) => void;
}

const SETUP_CACHE_SIZE = 1024;

const textArray = pg.types.getTypeParser(1009 as never, 'text') as (text: string) => (string | null)[];

/** Per-query type parsing (never the process-global `pg.types`, which other code may rely on). */
const customTypes = {
  getTypeParser(oid: number, format?: string) {
    const parser = TEXT_PARSERS[oid];
    if (parser && format !== 'binary') return parser;
    const element = ARRAY_ELEMENT_OIDS[oid];
    if (element !== undefined && format !== 'binary') {
      const parse = TEXT_PARSERS[element] as (text: string) => unknown;
      return (text: string) => textArray(text).map((v) => (v === null ? null : parse(v)));
    }
    return pg.types.getTypeParser(oid as never, format as 'text');
  },
} as pg.CustomTypesConfig;

/**
 * PostgreSQL (or Supabase's direct/pooler connection) over a `pg` pool. Each unit of work takes a connection,
 * runs in one transaction with the role and claims set transaction-locally, and gives the connection back.
 */
export function pgDatabase(options: PgDatabaseOptions = {}): Database {
  const ownsPool = !options.pool;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString:
        options.connectionString ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      application_name: options.applicationName ?? 'atoms',
    });
  // An idle client losing its connection must not crash the process (an unhandled 'error' event would); the pool
  // drops it and the next checkout gets a fresh one. The caller decides whether to log it.
  if (ownsPool) pool.on('error', (error) => options.onIdleError?.(error));
  const timeout = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const catalog: FunctionCatalog = new Map();
  // A user's claims repeat on every unit of work, and pg's escapeLiteral builds its result a character at a time:
  // the setup text of the last SETUP_CACHE_SIZE (role, claims) pairs is kept.
  const setups = new Map<string, string>();
  const setupText = (client: pg.PoolClient, role: DatabaseRole, claims: Claims | undefined): string => {
    const key = `${role}\u0000${JSON.stringify(claims ?? null)}`;
    let text = setups.get(key);
    if (text === undefined) {
      text = `BEGIN; ${roleSetupText(role, claims, timeout, (v) => client.escapeLiteral(v))}`;
      if (setups.size >= SETUP_CACHE_SIZE) setups.delete(setups.keys().next().value as string);
      setups.set(key, text);
    }
    return text;
  };

  async function unit<T>(role: DatabaseRole, claims: Claims | undefined, work: (s: Session) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw fromPostgresError(error);
    }
    let broken: Error | undefined;
    const { executor, end } = scopedExecutor({
      query: async (text, values) => {
        const result = await client.query<Record<string, unknown>>({ text, values, types: customTypes });
        return { rows: result.rows };
      },
    });
    let inWork = false;
    try {
      // One round trip: the simple-query protocol takes both statements, the values escaped by pg itself.
      await client.query(setupText(client, role, claims));
      inWork = true;
      const result = await work(new SqlSession(executor, catalog));
      inWork = false;
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError as Error;
      }
      // Errors of the work itself (already classified, or the caller's own) pass through unchanged.
      throw inWork ? error : fromPostgresError(error);
    } finally {
      end();
      client.release(broken);
    }
  }

  return {
    kind: 'pg',
    transactional: true,
    asUser: async (user: UserContext, work) => unit('authenticated', userClaims(user?.claims), work),
    asService: (work, opts) => unit('service_role', { ...opts?.claims, role: 'service_role' } as Claims, work),
    asAnonymous: (work) => unit('anon', undefined, work),
    close: async () => {
      if (ownsPool && !pool.ended) await pool.end();
    },
  };
}
