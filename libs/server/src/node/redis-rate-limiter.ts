import type { Redis, Cluster } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';

export interface RedisRateLimiterOptions {
  /** An ioredis client; create it with `enableOfflineQueue: false` so calls fail fast while Redis is down. */
  readonly redis: Redis | Cluster;
  /** Requests per window (`RATE_LIMIT_REQUESTS_PER_MINUTE`). */
  readonly limit: number;
  /** Default 60 s. */
  readonly windowSeconds?: number;
  /** Key prefix; default `atoms:rl`. */
  readonly keyPrefix?: string;
}

/**
 * A limiter shared by every instance: rate-limiter-flexible's atomic Redis counter (one Lua call per request).
 * Store errors are thrown; wrap it in `createInsuredRateLimiter` to choose what happens then.
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const windowSeconds = options.windowSeconds ?? 60;
  const limiter = new RateLimiterRedis({
    storeClient: options.redis,
    keyPrefix: options.keyPrefix ?? 'atoms:rl',
    points: options.limit,
    duration: windowSeconds,
  });
  return {
    limit: options.limit,
    windowMs: windowSeconds * 1000,
    async consume(key) {
      try {
        const res = await limiter.consume(key, 1);
        return { allowed: true, limit: options.limit, remaining: res.remainingPoints, resetMs: res.msBeforeNext };
      } catch (rejection) {
        // rate-limiter-flexible rejects with a RateLimiterRes when the limit is hit, with an Error when Redis fails.
        if (rejection instanceof RateLimiterRes) {
          return { allowed: false, limit: options.limit, remaining: 0, resetMs: Math.max(1, rejection.msBeforeNext) };
        }
        throw rejection;
      }
    },
    async ping() {
      await options.redis.ping();
    },
  };
}
