import { invalidArgument } from '../errors.js';

/**
 * Where a record lives. `ns` groups records of one kind (`session`, `refresh`, `family`, ...). When `owner` (a user
 * id) is given it is part of the record's identity — the key is scoped `<owner>:<id>`, so an id presented under
 * another user finds nothing — and the record is listed by `list(ns, owner)`.
 */
export interface RecordRef {
  readonly ns: string;
  readonly id: string;
  readonly owner?: string;
}

/** A stored value with its version: every successful write bumps it, `replace` compares it (compare-and-set). */
export interface VersionedRecord<T> {
  readonly value: T;
  readonly version: number;
}

export interface ListedRecord<T> extends VersionedRecord<T> {
  readonly id: string;
}

/**
 * The one interface every store implements. Values are JSON objects. Every method is atomic on its own in every
 * store (Lua scripts in Redis/Upstash, single statements in Postgres, synchronous sections in memory); the
 * services above build rotation, eviction and revocation from `create` (insert-if-absent) and `replace`
 * (compare-and-set on the version). TTLs are durations measured by the store's own clock and only decide when a
 * record physically disappears; business timeouts are checked by the services against their injected clock.
 */
export interface StateStore {
  /** Short name for errors and benchmarks: `memory`, `redis`, `upstash`, `postgres`. */
  readonly kind: string;
  /** The live record, or null when absent or expired. */
  get<T extends object>(ref: RecordRef): Promise<VersionedRecord<T> | null>;
  /** Inserts at version 1 unless a live record exists; true when inserted. */
  create<T extends object>(ref: RecordRef, value: T, ttlMs: number): Promise<boolean>;
  /** Writes `value` (version + 1) only if the live record is at `expectedVersion`; true when written. */
  replace<T extends object>(ref: RecordRef, expectedVersion: number, value: T, ttlMs: number): Promise<boolean>;
  /** Removes the record; true when a live record was removed. */
  delete(ref: RecordRef): Promise<boolean>;
  /** Live records of one owner in a namespace, in no particular order. */
  list<T extends object>(ns: string, owner: string): Promise<ListedRecord<T>[]>;
  /** Removes every record of one owner in a namespace; returns how many live ones were removed. */
  deleteAll(ns: string, owner: string): Promise<number>;
  /** Adds 1 to a counter and returns the new value; a new (or expired) counter starts at 1 and lives `ttlMs`. */
  increment(key: string, ttlMs: number): Promise<number>;
  /** Current value of a counter (0 when absent or expired). */
  counter(key: string): Promise<number>;
  /** Physically removes expired data the store does not drop by itself; returns how many entries went. */
  purgeExpired(): Promise<number>;
}

const NAMESPACE = /^[a-z][a-z0-9-]{0,31}$/;
const MAX_ID_LENGTH = 512;

/** Refuses malformed references before any store is touched (bad input changes nothing). */
export function assertRef(ref: RecordRef): void {
  if (!NAMESPACE.test(ref.ns)) throw invalidArgument(`record namespace must match ${NAMESPACE}, got ${ref.ns}`);
  assertId('record id', ref.id);
  if (ref.owner !== undefined) assertId('record owner', ref.owner);
}

export function assertNamespace(ns: string): void {
  if (!NAMESPACE.test(ns)) throw invalidArgument(`record namespace must match ${NAMESPACE}, got ${ns}`);
}

export function assertId(what: string, id: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw invalidArgument(`${what} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`);
  }
}

export function assertTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs < 1) throw invalidArgument(`ttlMs must be a finite number >= 1, got ${ttlMs}`);
}

export function assertValue(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument('record value must be a JSON object');
  }
  return JSON.stringify(value);
}

/** TTLs are whole milliseconds everywhere (Redis PX needs integers). */
export function wholeMs(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}

/** The canonical text key of a record: `<ns>:<owner>:<id>` with each part escaped so ':' cannot collide. */
export function recordKey(ref: RecordRef): string {
  const owner = ref.owner === undefined ? '' : encodeURIComponent(ref.owner);
  return `${ref.ns}:${owner}:${encodeURIComponent(ref.id)}`;
}
