import type { JwksCache, JwksCacheEntry } from '../tokens/jwks-cache.js';
import type { StateStore } from './stores/state-store.js';

const JWKS_NS = 'jwks';
const WRITE_ATTEMPTS = 3;

/**
 * A `JwksCache` (the remote-JWKS verifiers' shared cache) on any StateStore, so every instance behind one Redis,
 * Upstash or Postgres shares fetched key sets. Newer entries win; an older `fetchedAt` never overwrites a fresher
 * one written by another instance.
 */
export class StateStoreJwksCache implements JwksCache {
  readonly #store: StateStore;

  constructor(store: StateStore) {
    this.#store = store;
  }

  async get(uri: string): Promise<JwksCacheEntry | undefined> {
    return (await this.#store.get<JwksCacheEntry>({ ns: JWKS_NS, id: uri }))?.value ?? undefined;
  }

  async set(uri: string, entry: JwksCacheEntry, ttlMs: number): Promise<void> {
    const ref = { ns: JWKS_NS, id: uri };
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const current = await this.#store.get<JwksCacheEntry>(ref);
      if (!current) {
        if (await this.#store.create(ref, entry, ttlMs)) return;
      } else {
        if (current.value.fetchedAt >= entry.fetchedAt) return;
        if (await this.#store.replace(ref, current.version, entry, ttlMs)) return;
      }
    }
    // Three lost races mean other instances are writing this key right now: theirs is as good as ours.
  }
}
