import type { RateLimitDecision, RateLimiter } from './rate-limiter.js';

export interface MemoryRateLimiterOptions {
  readonly limit: number;
  readonly windowMs?: number;
  /** Keys kept at most; the least recently used are dropped beyond it. Default 100,000. */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

interface Window {
  start: number;
  count: number;
  previous: number;
}

/**
 * Sliding-window counter in one process (the previous window's count weighted by its remaining overlap plus the
 * current one): smooth at window edges, O(1) memory per key. The fallback everywhere a shared store is absent or
 * down; bounded in keys so an attacker rotating identities cannot grow it without limit.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  constructor(options: MemoryRateLimiterOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError('limit must be a positive integer');
    this.limit = options.limit;
    this.windowMs = options.windowMs ?? 60_000;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  async consume(key: string): Promise<RateLimitDecision> {
    const now = this.#now();
    const start = now - (now % this.windowMs);
    let window = this.#windows.get(key);
    if (window) this.#windows.delete(key);
    if (!window) window = { start, count: 0, previous: 0 };
    else if (window.start !== start) {
      window.previous = window.start === start - this.windowMs ? window.count : 0;
      window.start = start;
      window.count = 0;
    }
    this.#windows.set(key, window); // re-inserted: Map order is the LRU order
    if (this.#windows.size > this.#maxKeys) this.#windows.delete(this.#windows.keys().next().value as string);

    const overlap = 1 - (now - start) / this.windowMs;
    const used = window.previous * overlap + window.count;
    const resetMs = start + this.windowMs - now;
    if (used + 1 > this.limit) {
      return { allowed: false, limit: this.limit, remaining: 0, resetMs: Math.max(1, resetMs) };
    }
    window.count += 1;
    return { allowed: true, limit: this.limit, remaining: Math.max(0, Math.floor(this.limit - used - 1)), resetMs };
  }
}
