import { createRedisStore } from '../../src/node/redis/index.js';
import type { StateStore } from '../../src/sessions/stores/state-store.js';
import { connectRedis } from './support/services.js';
import { describeStoreContract } from './support/store-contract.js';
import { describeJwksCacheContract, describeServiceContract } from './support/service-contract.js';

describe('Redis store (ioredis, real Redis)', () => {
  let store: StateStore;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const redis = await connectRedis();
    cleanup = redis.cleanup;
    store = createRedisStore(redis.redis, { prefix: redis.prefix });
  });
  afterAll(() => cleanup());

  const fixture = () => ({ store, newOwner: async () => crypto.randomUUID(), selfExpiring: true });
  describeStoreContract(fixture);
  describeServiceContract(fixture);
  describeJwksCacheContract(fixture);
});
