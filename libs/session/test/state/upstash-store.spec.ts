import { Redis as UpstashRedis } from '@upstash/redis';
import { createUpstashStore } from '../../src/upstash/index.js';
import type { StateStore } from '../../src/sessions/stores/state-store.js';
import { connectRedis } from './support/services.js';
import { startUpstashBridge, type UpstashBridge } from './support/upstash-rest-bridge.js';
import { describeStoreContract } from './support/store-contract.js';
import { describeJwksCacheContract, describeServiceContract } from './support/service-contract.js';

describe('Upstash REST store (@upstash/redis through a test bridge speaking Upstash REST to the real local Redis)', () => {
  let store: StateStore;
  let bridge: UpstashBridge;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const redis = await connectRedis();
    cleanup = redis.cleanup;
    bridge = await startUpstashBridge(redis.redis);
    store = createUpstashStore(new UpstashRedis({ url: bridge.url, token: bridge.token, enableTelemetry: false }), {
      prefix: redis.prefix,
    });
  });
  afterAll(async () => {
    await bridge.close();
    await cleanup();
  });

  const fixture = () => ({ store, newOwner: async () => crypto.randomUUID(), selfExpiring: true });
  describeStoreContract(fixture);
  describeServiceContract(fixture);
  describeJwksCacheContract(fixture);

  it('really went through the REST protocol (EVALSHA/EVAL commands reached the bridge)', () => {
    expect((bridge.commands.get('evalsha') ?? 0) + (bridge.commands.get('eval') ?? 0)).toBeGreaterThan(10);
  });
});
