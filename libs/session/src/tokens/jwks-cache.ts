import type { JSONWebKeySet } from 'jose';

/** One fetched key set. JSON-safe, so a shared cache (Redis, Upstash, KV) can store it as is. */
export interface JwksCacheEntry {
  readonly jwks: JSONWebKeySet;
  /** When it was fetched from the issuer, epoch milliseconds. Freshness is judged from this, not the cache TTL. */
  readonly fetchedAt: number;
}

/**
 * Where fetched key sets are shared between requests and, with a shared backend, between instances (serverless
 * functions start cold; one instance's fetch saves the others theirs). Errors thrown by a cache are treated as misses.
 */
export interface JwksCache {
  get(uri: string): Promise<JwksCacheEntry | undefined> | JwksCacheEntry | undefined;
  /** `ttlMs` is how long the entry may still be useful (its stale-if-error horizon). */
  set(uri: string, entry: JwksCacheEntry, ttlMs: number): Promise<void> | void;
}

/** Process-local cache: shares key sets between every verifier of the process. */
export class MemoryJwksCache implements JwksCache {
  readonly #entries = new Map<string, { entry: JwksCacheEntry; expiresAt: number }>();
  readonly #clock: () => number;

  constructor(options: { clock?: () => number } = {}) {
    this.#clock = options.clock ?? Date.now;
  }

  get(uri: string): JwksCacheEntry | undefined {
    const hit = this.#entries.get(uri);
    if (!hit) return undefined;
    if (hit.expiresAt <= this.#clock()) {
      this.#entries.delete(uri);
      return undefined;
    }
    return hit.entry;
  }

  set(uri: string, entry: JwksCacheEntry, ttlMs: number): void {
    this.#entries.set(uri, { entry, expiresAt: this.#clock() + ttlMs });
  }
}
