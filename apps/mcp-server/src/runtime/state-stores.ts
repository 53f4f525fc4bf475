import { Redis } from 'ioredis';
import { MemoryStore, type StateStore } from '@atoms/session';
import { createRedisStore } from '@atoms/session/redis';
import {
  BURST_WINDOW_FACTOR,
  createBurstyRateLimiter,
  createInsuredRateLimiter,
  MemoryRateLimiter,
  type RateLimiter,
} from '@atoms/server';
import { createRedisRateLimiter } from '@atoms/server/node';
import type { Logger } from '@atoms/observability';
import type { AppConfig } from '../config/index.js';

export interface StateBackends {
  readonly store: StateStore;
  readonly rateLimiter: RateLimiter | false;
  close(): Promise<void>;
}

/** Redis (shared by every instance) when REDIS_URL is set, else memory (this process only). */
export function openStateBackends(config: AppConfig, logger: Logger): StateBackends {
  const { enabled, perMinute, burst, failPolicy } = config.rateLimit;
  if (!config.redisUrl) {
    return {
      store: new MemoryStore(),
      rateLimiter: enabled ? memoryLimiter(perMinute, burst) : false,
      close: async () => undefined,
    };
  }
  // No offline queue: while Redis is down calls fail at once and the configured fail policy decides. Auto-pipelining
  // sends the commands of concurrent requests issued in one tick as one write (fewer syscalls under load).
  const redis = new Redis(config.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
    enableAutoPipelining: true,
  });
  let lastError = '';
  redis.on('error', (error: Error) => {
    if (error.message !== lastError) logger.warn({ error: error.message }, 'redis connection error');
    lastError = error.message;
  });
  redis.on('ready', () => {
    if (lastError) logger.info('redis connection restored');
    lastError = '';
  });
  const prefix = config.env.REDIS_KEY_PREFIX;
  return {
    store: createRedisStore(redis, { prefix: `${prefix}state:` }),
    rateLimiter: enabled
      ? createInsuredRateLimiter({
          primary: withBurst(
            createRedisRateLimiter({ redis, limit: perMinute, keyPrefix: `${prefix}rl` }),
            burst,
            (l) =>
              createRedisRateLimiter({
                redis,
                limit: l,
                windowSeconds: 60 * BURST_WINDOW_FACTOR,
                keyPrefix: `${prefix}rl-burst`,
              }),
          ),
          insurance: memoryLimiter(perMinute, burst),
          failPolicy,
        })
      : false,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The sustained limiter, plus the burst allowance above it when the burst size exceeds the per-minute limit. */
function withBurst(sustained: RateLimiter, burst: number, allowance: (limit: number) => RateLimiter): RateLimiter {
  return burst > sustained.limit
    ? createBurstyRateLimiter({ sustained, burst: allowance(burst - sustained.limit) })
    : sustained;
}

function memoryLimiter(perMinute: number, burst: number): RateLimiter {
  return withBurst(
    new MemoryRateLimiter({ limit: perMinute }),
    burst,
    (limit) => new MemoryRateLimiter({ limit, windowMs: 60_000 * BURST_WINDOW_FACTOR }),
  );
}
