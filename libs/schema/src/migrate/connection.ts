/**
 * The two things the runner needs from a database: run SQL with parameters, and run one statement verbatim.
 * Adapters for a `pg` client and a PGlite instance; `openMigrationTarget` opens either from a URL or a path.
 */
export interface MigrationConnection {
  /** Parameterised query; returns rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Executes SQL without parameters (simple protocol), as written in a migration file. */
  exec(sql: string): Promise<void>;
  /** Releases what `openMigrationTarget` opened. A connection wrapping a caller's client does nothing. */
  close(): Promise<void>;
  /** `postgres` (pg) or `pglite`, for messages. */
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` alone among the runners sharing this database handle. PGlite has a single session, where an
   * advisory lock is re-entrant and would not keep two in-process runners apart; PostgreSQL needs nothing here
   * (each runner has its own session and the advisory lock serialises them).
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

const pgliteQueues = new WeakMap<object, Promise<unknown>>();

/** Structural types so this module does not import `pg` or PGlite at load time. */
interface PgLikeClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}
interface PgliteLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  exec(text: string): Promise<unknown>;
}

export function pgConnection(client: PgLikeClient, onClose?: () => Promise<void>): MigrationConnection {
  return {
    kind: 'postgres',
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, [...params]);
      return result.rows as T[];
    },
    async exec(sql: string) {
      await client.query(sql);
    },
    async close() {
      await onClose?.();
    },
    exclusive: (fn) => fn(),
  };
}

export function pgliteConnection(db: PgliteLike, onClose?: () => Promise<void>): MigrationConnection {
  return {
    kind: 'pglite',
    async query<T>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query(sql, [...params]);
      return result.rows as T[];
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async close() {
      await onClose?.();
    },
    exclusive<T>(fn: () => Promise<T>): Promise<T> {
      const previous = pgliteQueues.get(db) ?? Promise.resolve();
      const run = previous.then(fn, fn);
      pgliteQueues.set(
        db,
        run.catch(() => undefined),
      );
      return run;
    },
  };
}

/** True for `postgres://` / `postgresql://` URLs; anything else is a PGlite data directory. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/**
 * Opens a connection: a `postgres://` URL through `pg` (one dedicated client, so the advisory lock and each
 * migration's transaction share a session), or a PGlite data directory (created if absent) with the pgvector and
 * pg_trgm extensions loaded, as the embedded server opens it.
 */
export async function openMigrationTarget(target: string): Promise<MigrationConnection> {
  if (isPostgresUrl(target)) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: target, application_name: 'atoms-migrate' });
    await client.connect();
    return pgConnection(client, () => client.end());
  }
  // PGlite creates its data directory but not the parents (`.atoms/` on a fresh clone).
  const { mkdir } = await import('node:fs/promises');
  await mkdir(target, { recursive: true });
  const { openPglite } = await import('./pglite.js');
  const db = await openPglite(target);
  return pgliteConnection(db, () => db.close());
}
