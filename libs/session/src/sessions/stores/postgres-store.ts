import { SessionError, invalidArgument } from '../errors.js';
import { uuidFromKey } from '../crypto.js';
import {
  assertId,
  assertNamespace,
  assertRef,
  assertTtl,
  assertValue,
  recordKey,
  wholeMs,
  type ListedRecord,
  type RecordRef,
  type StateStore,
  type VersionedRecord,
} from './state-store.js';

/**
 * The one thing this store needs from a database client: run one parameterized statement. `pg`'s
 * `pool.query.bind(pool)` fits as is, as do Neon's serverless driver and PGlite's `query`. Each call must be
 * autocommitted (every operation here is one statement, so none needs a transaction).
 */
export type SqlQuery = (
  sql: string,
  params: readonly unknown[],
) => Promise<{ rows: readonly Record<string, unknown>[] }>;

export interface PostgresStoreOptions {
  readonly query: SqlQuery;
  /** Table name, optionally schema-qualified; default `atoms_sessions`. */
  readonly table?: string;
}

/**
 * The seed checklist's DDL for `atoms_sessions`, verbatim except the user table it references (`profiles` in the
 * Atoms schema, `atoms_users` in the seed). The Atoms migrations create it; this is for standalone users and tests.
 */
export function atomsSessionsDdl(userTable = 'profiles'): string {
  assertIdentifier(userTable);
  return `CREATE TABLE atoms_sessions (
    id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
    user_id UUID REFERENCES ${userTable}(id),
    token_hash TEXT NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    last_activity TIMESTAMP WITH TIME ZONE DEFAULT NOW(),
    metadata JSONB DEFAULT '{}'
);
CREATE INDEX idx_sessions_user_id ON atoms_sessions(user_id);
CREATE INDEX idx_sessions_token_hash ON atoms_sessions(token_hash);
CREATE INDEX idx_sessions_expires_at ON atoms_sessions(expires_at);`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const COUNTER_NS = 'counter';

/**
 * A StateStore on the `atoms_sessions` table exactly as the seed defines it (no extra column, index or
 * constraint). Mapping of a record to a row:
 * - `id` = a UUID derived from SHA-256 of the record key, so the primary key is the uniqueness every atomic
 *   operation relies on (`INSERT … ON CONFLICT (id)`; `UPDATE … WHERE id = … AND version = …`);
 * - `user_id` = the record owner (must be a profile UUID; records without owner, e.g. revocations, leave it NULL);
 * - `token_hash` = the record id (for sessions and refresh tokens, the SHA-256 hex of the secret);
 * - `expires_at` = now() + ttl (the database clock); `last_activity` = last write; `created_at` = insert time;
 * - `metadata` = `{"ns": namespace, "v": version, "data": value}` (a session's device, IP prefix, user agent and
 *   last-seen live in `data`).
 * Expired rows are invisible to every read and removed by `purgeExpired()` (index on `expires_at`).
 */
export class PostgresStore implements StateStore {
  readonly kind = 'postgres';
  readonly #query: SqlQuery;
  readonly #table: string;

  constructor(options: PostgresStoreOptions) {
    if (typeof options?.query !== 'function') throw invalidArgument('PostgresStore needs a query function');
    this.#query = options.query;
    this.#table = options.table ?? 'atoms_sessions';
    assertIdentifier(this.#table);
  }

  async get<T extends object>(ref: RecordRef): Promise<VersionedRecord<T> | null> {
    assertRef(ref);
    const { rows } = await this.#run(`SELECT metadata FROM ${this.#table} WHERE id = $1 AND expires_at > now()`, [
      await rowId(ref),
    ]);
    const row = rows[0];
    if (!row) return null;
    const metadata = readMetadata(row['metadata']);
    return { value: metadata.data as T, version: metadata.v };
  }

  async create<T extends object>(ref: RecordRef, value: T, ttlMs: number): Promise<boolean> {
    assertRef(ref);
    assertTtl(ttlMs);
    const json = assertValue(value);
    const owner = ownerColumn(ref.owner);
    const t = this.#table;
    // An expired row with the same id is taken over; a live one makes the upsert's WHERE false (no row returned).
    const { rows } = await this.#run(
      `INSERT INTO ${t} AS s (id, user_id, token_hash, expires_at, created_at, last_activity, metadata)
       VALUES ($1, $2, $3, now() + $4::double precision * interval '1 millisecond', now(), now(),
               jsonb_build_object('ns', $5::text, 'v', 1, 'data', $6::jsonb))
       ON CONFLICT (id) DO UPDATE SET user_id = EXCLUDED.user_id, token_hash = EXCLUDED.token_hash,
         expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at,
         last_activity = EXCLUDED.last_activity, metadata = EXCLUDED.metadata
       WHERE s.expires_at <= now()
       RETURNING s.id`,
      [await rowId(ref), owner, ref.id, wholeMs(ttlMs), ref.ns, json],
    );
    return rows.length === 1;
  }

  async replace<T extends object>(ref: RecordRef, expectedVersion: number, value: T, ttlMs: number): Promise<boolean> {
    assertRef(ref);
    assertTtl(ttlMs);
    const json = assertValue(value);
    if (!Number.isSafeInteger(expectedVersion)) throw invalidArgument('expectedVersion must be an integer');
    // Row locking makes concurrent compare-and-sets on one row serialize; the loser re-checks the version
    // (READ COMMITTED re-evaluates the WHERE clause on the updated row) and updates nothing.
    const { rows } = await this.#run(
      `UPDATE ${this.#table}
       SET metadata = jsonb_build_object('ns', $3::text, 'v', $2::bigint + 1, 'data', $4::jsonb),
           expires_at = now() + $5::double precision * interval '1 millisecond', last_activity = now()
       WHERE id = $1 AND expires_at > now() AND (metadata->>'v')::bigint = $2::bigint
       RETURNING id`,
      [await rowId(ref), expectedVersion, ref.ns, json, wholeMs(ttlMs)],
    );
    return rows.length === 1;
  }

  async delete(ref: RecordRef): Promise<boolean> {
    assertRef(ref);
    const { rows } = await this.#run(`DELETE FROM ${this.#table} WHERE id = $1 RETURNING expires_at > now() AS live`, [
      await rowId(ref),
    ]);
    return rows.some((row) => row['live'] === true);
  }

  async list<T extends object>(ns: string, owner: string): Promise<ListedRecord<T>[]> {
    assertNamespace(ns);
    assertId('record owner', owner);
    const { rows } = await this.#run(
      `SELECT token_hash, metadata FROM ${this.#table}
       WHERE user_id = $1 AND metadata->>'ns' = $2 AND expires_at > now()`,
      [ownerColumn(owner), ns],
    );
    return rows.map((row) => {
      const metadata = readMetadata(row['metadata']);
      return { id: String(row['token_hash']), version: metadata.v, value: metadata.data as T };
    });
  }

  async deleteAll(ns: string, owner: string): Promise<number> {
    assertNamespace(ns);
    assertId('record owner', owner);
    const { rows } = await this.#run(
      `WITH gone AS (DELETE FROM ${this.#table} WHERE user_id = $1 AND metadata->>'ns' = $2
                     RETURNING expires_at > now() AS live)
       SELECT count(*) FILTER (WHERE live)::int AS n FROM gone`,
      [ownerColumn(owner), ns],
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    assertId('counter key', key);
    assertTtl(ttlMs);
    const t = this.#table;
    const { rows } = await this.#run(
      `INSERT INTO ${t} AS s (id, user_id, token_hash, expires_at, created_at, last_activity, metadata)
       VALUES ($1, NULL, $2, now() + $3::double precision * interval '1 millisecond', now(), now(),
               jsonb_build_object('ns', '${COUNTER_NS}', 'v', 1, 'data', jsonb_build_object('n', 1)))
       ON CONFLICT (id) DO UPDATE SET
         metadata = CASE WHEN s.expires_at <= now() THEN EXCLUDED.metadata
                         ELSE jsonb_set(s.metadata, '{data,n}', to_jsonb((s.metadata #>> '{data,n}')::bigint + 1)) END,
         expires_at = CASE WHEN s.expires_at <= now() THEN EXCLUDED.expires_at ELSE s.expires_at END,
         created_at = CASE WHEN s.expires_at <= now() THEN now() ELSE s.created_at END,
         last_activity = now()
       RETURNING (s.metadata #>> '{data,n}')::bigint AS n`,
      [await counterId(key), key, wholeMs(ttlMs)],
    );
    return Number(rows[0]?.['n']);
  }

  async counter(key: string): Promise<number> {
    assertId('counter key', key);
    const { rows } = await this.#run(
      `SELECT (metadata #>> '{data,n}')::bigint AS n FROM ${this.#table} WHERE id = $1 AND expires_at > now()`,
      [await counterId(key)],
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async purgeExpired(): Promise<number> {
    const { rows } = await this.#run(
      `WITH gone AS (DELETE FROM ${this.#table} WHERE expires_at <= now() RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [],
    );
    return Number(rows[0]?.['n'] ?? 0);
  }

  async #run(sql: string, params: readonly unknown[]): Promise<{ rows: readonly Record<string, unknown>[] }> {
    try {
      return await this.#query(sql, params);
    } catch (error) {
      throw new SessionError('store_unavailable', `postgres store: query on ${this.#table} failed`, { cause: error });
    }
  }
}

function assertIdentifier(name: string): void {
  if (!IDENTIFIER.test(name)) throw invalidArgument(`not a plain SQL identifier: ${name}`);
}

function ownerColumn(owner: string | undefined): string | null {
  if (owner === undefined) return null;
  if (!UUID.test(owner)) {
    throw invalidArgument('the postgres store keys records by user UUID (atoms_sessions.user_id is a UUID)');
  }
  return owner.toLowerCase();
}

function rowId(ref: RecordRef): Promise<string> {
  if (ref.owner !== undefined) ownerColumn(ref.owner);
  return uuidFromKey(recordKey(ref.owner === undefined ? ref : { ...ref, owner: ref.owner.toLowerCase() }));
}

function counterId(key: string): Promise<string> {
  return uuidFromKey(`${COUNTER_NS}:${encodeURIComponent(key)}`);
}

function readMetadata(raw: unknown): { v: number; data: object } {
  const metadata = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { v?: unknown; data?: unknown } | null;
  if (!metadata || typeof metadata.data !== 'object' || metadata.data === null) {
    throw new SessionError('store_unavailable', 'postgres store: a row has no record in metadata.data');
  }
  return { v: Number(metadata.v), data: metadata.data };
}
