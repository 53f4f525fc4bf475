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

interface Entry {
  readonly json: string;
  readonly version: number;
  readonly expiresAt: number;
  readonly ref: RecordRef;
}

export interface MemoryStoreOptions {
  /** Clock for expiry (epoch ms); defaults to `Date.now`. */
  readonly now?: () => number;
}

/**
 * In-process store: the embedded single-process default and the reference implementation of the contract. Values
 * are kept as JSON text so callers can never mutate stored state by reference. Each method runs synchronously up to
 * its result, so every operation is atomic with respect to the others.
 */
export class MemoryStore implements StateStore {
  readonly kind = 'memory';
  readonly #records = new Map<string, Entry>();
  readonly #owners = new Map<string, Set<string>>();
  readonly #counters = new Map<string, { value: number; expiresAt: number }>();
  readonly #now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async get<T extends object>(ref: RecordRef): Promise<VersionedRecord<T> | null> {
    assertRef(ref);
    const entry = this.#live(recordKey(ref));
    return entry ? { value: JSON.parse(entry.json) as T, version: entry.version } : null;
  }

  async create<T extends object>(ref: RecordRef, value: T, ttlMs: number): Promise<boolean> {
    assertRef(ref);
    assertTtl(ttlMs);
    const json = assertValue(value);
    const key = recordKey(ref);
    if (this.#live(key)) return false;
    this.#write(key, ref, json, 1, ttlMs);
    return true;
  }

  async replace<T extends object>(ref: RecordRef, expectedVersion: number, value: T, ttlMs: number): Promise<boolean> {
    assertRef(ref);
    assertTtl(ttlMs);
    const json = assertValue(value);
    const key = recordKey(ref);
    const entry = this.#live(key);
    if (!entry || entry.version !== expectedVersion) return false;
    this.#write(key, ref, json, entry.version + 1, ttlMs);
    return true;
  }

  async delete(ref: RecordRef): Promise<boolean> {
    assertRef(ref);
    const key = recordKey(ref);
    const live = this.#live(key) !== undefined;
    this.#remove(key);
    return live;
  }

  async list<T extends object>(ns: string, owner: string): Promise<ListedRecord<T>[]> {
    assertNamespace(ns);
    assertId('record owner', owner);
    const out: ListedRecord<T>[] = [];
    for (const key of [...(this.#owners.get(ownerKey(ns, owner)) ?? [])]) {
      const entry = this.#live(key);
      if (entry) out.push({ id: entry.ref.id, value: JSON.parse(entry.json) as T, version: entry.version });
    }
    return out;
  }

  async deleteAll(ns: string, owner: string): Promise<number> {
    assertNamespace(ns);
    assertId('record owner', owner);
    let removed = 0;
    for (const key of [...(this.#owners.get(ownerKey(ns, owner)) ?? [])]) {
      if (this.#live(key)) removed++;
      this.#remove(key);
    }
    return removed;
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    assertId('counter key', key);
    assertTtl(ttlMs);
    const now = this.#now();
    const current = this.#counters.get(key);
    const next =
      current && current.expiresAt > now
        ? { value: current.value + 1, expiresAt: current.expiresAt }
        : { value: 1, expiresAt: now + wholeMs(ttlMs) };
    this.#counters.set(key, next);
    return next.value;
  }

  async counter(key: string): Promise<number> {
    assertId('counter key', key);
    const current = this.#counters.get(key);
    return current && current.expiresAt > this.#now() ? current.value : 0;
  }

  async purgeExpired(): Promise<number> {
    const now = this.#now();
    let purged = 0;
    for (const [key, entry] of this.#records) {
      if (entry.expiresAt <= now) {
        this.#remove(key);
        purged++;
      }
    }
    for (const [key, counter] of this.#counters) {
      if (counter.expiresAt <= now) {
        this.#counters.delete(key);
        purged++;
      }
    }
    return purged;
  }

  /** Number of entries held, expired ones included (for tests and capacity checks). */
  get size(): number {
    return this.#records.size + this.#counters.size;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#records.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > this.#now()) return entry;
    this.#remove(key);
    return undefined;
  }

  #write(key: string, ref: RecordRef, json: string, version: number, ttlMs: number): void {
    this.#records.set(key, { json, version, expiresAt: this.#now() + wholeMs(ttlMs), ref });
    if (ref.owner !== undefined) {
      const index = ownerKey(ref.ns, ref.owner);
      let keys = this.#owners.get(index);
      if (!keys) this.#owners.set(index, (keys = new Set()));
      keys.add(key);
    }
  }

  #remove(key: string): void {
    const entry = this.#records.get(key);
    if (!entry) return;
    this.#records.delete(key);
    if (entry.ref.owner !== undefined) {
      const index = ownerKey(entry.ref.ns, entry.ref.owner);
      const keys = this.#owners.get(index);
      keys?.delete(key);
      if (keys?.size === 0) this.#owners.delete(index);
    }
  }
}

function ownerKey(ns: string, owner: string): string {
  return `${ns}\u0000${owner}`;
}
