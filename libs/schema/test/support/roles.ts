import type { Queryable, TestDatabase } from './database.js';

/** JWT claims as PostgREST would set them; `sub` is the profile id that auth.uid() returns. */
export interface Claims {
  readonly sub: string;
  readonly email?: string;
  readonly role?: string;
  readonly [claim: string]: unknown;
}

export interface RunOptions {
  /** Roll back instead of committing (probe a permission without changing anything). Default false. */
  readonly rollback?: boolean;
}

/**
 * Runs `fn` as an authenticated user, the way PostgREST and the database port do: inside one transaction,
 * `SET LOCAL ROLE authenticated` and `request.jwt.claims` set transaction-locally, so row-level security
 * applies and nothing leaks into the next transaction. An error rolls back and is rethrown unchanged.
 */
export function asUser<T>(
  db: TestDatabase,
  claims: Claims | string,
  fn: (tx: Queryable) => Promise<T>,
  options: RunOptions = {},
): Promise<T> {
  const full: Claims = typeof claims === 'string' ? { sub: claims } : claims;
  return inRole(db, 'authenticated', { role: 'authenticated', ...full }, fn, options);
}

/** Runs `fn` as `service_role` (bypasses RLS, as the Supabase service key does). */
export function asService<T>(
  db: TestDatabase,
  fn: (tx: Queryable) => Promise<T>,
  options: RunOptions = {},
): Promise<T> {
  return inRole(db, 'service_role', { role: 'service_role' }, fn, options);
}

/** Runs `fn` as `anon` (a request without a token). */
export function asAnon<T>(db: TestDatabase, fn: (tx: Queryable) => Promise<T>, options: RunOptions = {}): Promise<T> {
  return inRole(db, 'anon', { role: 'anon' }, fn, options);
}

async function inRole<T>(
  db: TestDatabase,
  role: 'authenticated' | 'service_role' | 'anon',
  claims: Record<string, unknown>,
  fn: (tx: Queryable) => Promise<T>,
  options: RunOptions,
): Promise<T> {
  await db.exec('begin');
  try {
    // One round trip, as the database port does: set_config('role', …, true) is SET LOCAL ROLE.
    await db.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [
      role,
      JSON.stringify(claims),
    ]);
    const result = await fn(db);
    await db.exec(options.rollback ? 'rollback' : 'commit');
    return result;
  } catch (error) {
    await db.exec('rollback');
    throw error;
  }
}

/**
 * Runs `fn` and returns the Postgres error it raised (or null), rolling back to a savepoint so the enclosing
 * transaction stays usable. For asserting refusals inside asUser/asService.
 */
export async function pgError(tx: Queryable, fn: () => Promise<unknown>): Promise<PgErrorFields | null> {
  await tx.query('savepoint atoms_probe');
  try {
    await fn();
    await tx.query('release savepoint atoms_probe');
    return null;
  } catch (error) {
    await tx.query('rollback to savepoint atoms_probe');
    const e = error as { code?: string; message: string } & Partial<Record<(typeof OPTIONAL_FIELDS)[number], string>>;
    if (!e.code) throw error;
    const out: PgErrorFields = { code: e.code, message: e.message };
    for (const key of OPTIONAL_FIELDS) if (e[key]) out[key] = e[key];
    return out;
  }
}

const OPTIONAL_FIELDS = ['constraint', 'column', 'detail', 'hint'] as const;

/** The fields of a Postgres error the suites assert on (the optional ones only when Postgres set them). */
export interface PgErrorFields {
  code: string;
  message: string;
  constraint?: string;
  column?: string;
  detail?: string;
  hint?: string;
}
