/** One consumption's outcome. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Requests allowed per window. */
  readonly limit: number;
  readonly remaining: number;
  /** Milliseconds until the window frees capacity again. */
  readonly resetMs: number;
  /** True when the shared store failed and the insurance limiter (or the fail-open policy) answered. */
  readonly degraded?: boolean;
}

/**
 * The contract the handler rate-limits through. Implementations: {@link MemoryRateLimiter} (isomorphic),
 * `createRedisRateLimiter` (rate-limiter-flexible on Redis, `@atoms/server/node`), and
 * {@link createInsuredRateLimiter} around either.
 */
export interface RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  consume(key: string): Promise<RateLimitDecision>;
  /** Throws when the backing store is unreachable (health check). */
  ping?(): Promise<void>;
}

export class RateLimiterUnavailableError extends Error {
  constructor(cause: unknown) {
    super('rate limiter store unavailable', { cause });
    this.name = 'RateLimiterUnavailableError';
  }
}
