import { Redis } from 'ioredis';
import { MemoryStore, type StateStore } from '@atoms/session';
import { createRedisStore } from '@atoms/session/redis';
import { createInsuredRateLimiter, MemoryRateLimiter, type RateLimiter } from '@atoms/server';
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
  const limit = config.env.RATE_LIMIT_REQUESTS_PER_MINUTE;
  if (!config.redisUrl) {
    return {
      store: new MemoryStore(),
      rateLimiter: config.env.RATE_LIMIT_ENABLED ? new MemoryRateLimiter({ limit }) : false,
      close: async () => undefined,
    };
  }
  // No offline queue: while Redis is down calls fail at once and the configured fail policy decides.
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
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
    rateLimiter: config.env.RATE_LIMIT_ENABLED
      ? createInsuredRateLimiter({
          primary: createRedisRateLimiter({ redis, limit, keyPrefix: `${prefix}rl` }),
          insurance: new MemoryRateLimiter({ limit }),
          failPolicy: config.env.RATE_LIMIT_FAIL_POLICY,
        })
      : false,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
