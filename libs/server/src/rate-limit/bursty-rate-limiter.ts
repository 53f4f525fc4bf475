import type { RateLimitDecision, RateLimiter } from './rate-limiter.js';

/** How much wider than the sustained window the burst allowance refills (10 minutes for a 60 s window). */
export const BURST_WINDOW_FACTOR = 10;

export interface BurstyRateLimiterOptions {
  /** The sustained limit (`RATE_LIMIT_REQUESTS_PER_MINUTE` per window). */
  readonly sustained: RateLimiter;
  /**
   * The extra allowance drawn on only when `sustained` refuses (`RATE_LIMIT_BURST_SIZE` minus the sustained
   * limit, per a window {@link BURST_WINDOW_FACTOR} times wider), so a client may make up to the burst size of
   * requests at once while its average over the wider window stays near the sustained rate.
   */
  readonly burst: RateLimiter;
}

/**
 * rate-limiter-flexible's BurstyRateLimiter scheme (two limiters, the second consulted only when the first refuses),
 * over our `RateLimiter` contract so either store (memory, Redis) and the insurance wrapper compose with it.
 * Decisions report the sustained policy: `remaining` is the sustained window's, 0 while the burst is being used.
 */
export function createBurstyRateLimiter(options: BurstyRateLimiterOptions): RateLimiter {
  const { sustained, burst } = options;
  return {
    limit: sustained.limit,
    windowMs: sustained.windowMs,
    ...(sustained.ping || burst.ping
      ? {
          ping: async () => {
            await sustained.ping?.();
            await burst.ping?.();
          },
        }
      : {}),
    async consume(key) {
      const first = await sustained.consume(key);
      if (first.allowed) return first;
      const extra = await burst.consume(key);
      const decision: RateLimitDecision = {
        allowed: extra.allowed,
        limit: first.limit,
        remaining: 0,
        // Refused: the sooner of the two to free capacity; allowed: when the sustained window frees again.
        resetMs: extra.allowed ? first.resetMs : Math.min(first.resetMs, extra.resetMs),
        ...(first.degraded || extra.degraded ? { degraded: true } : {}),
      };
      return decision;
    },
  };
}
