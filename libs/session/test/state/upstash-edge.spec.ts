/** @jest-environment @edge-runtime/jest-environment */
// The Upstash entry inside the edge-runtime VM, talking REST with the VM's own `fetch` to the test bridge in front
// of the real local Redis (the bridge and its ioredis connection are test scaffolding on the host).
import { Redis as UpstashRedis } from '@upstash/redis';
import { createUpstashStore } from '../../src/upstash/index.js';
import { RefreshTokenService, SessionManager } from '../../src/index.js';
import { connectRedis } from './support/services.js';
import { startUpstashBridge, type UpstashBridge } from './support/upstash-rest-bridge.js';

describe('Upstash store in the Edge runtime (through the Upstash REST test bridge to the real local Redis)', () => {
  let bridge: UpstashBridge;
  let cleanup: () => Promise<void>;
  let prefix: string;

  beforeAll(async () => {
    const redis = await connectRedis();
    cleanup = redis.cleanup;
    prefix = redis.prefix;
    bridge = await startUpstashBridge(redis.redis);
  });
  afterAll(async () => {
    await bridge.close();
    await cleanup();
  });

  it('runs sessions and a 50-way rotation race in the edge-runtime VM', async () => {
    expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('string');
    const store = createUpstashStore(
      new UpstashRedis({ url: bridge.url, token: bridge.token, enableTelemetry: false }),
      {
        prefix,
      },
    );
    const sessions = new SessionManager({ store });
    const { sessionId } = await sessions.create('edge-user');
    expect((await sessions.touch('edge-user', sessionId))?.userId).toBe('edge-user');
    const refresh = new RefreshTokenService({ store, sessions });
    const { token } = await refresh.issue({ userId: 'edge-user', sessionId });
    const results = await Promise.all(Array.from({ length: 50 }, () => refresh.rotate(token)));
    expect(new Set(results.map((r) => r.token)).size).toBe(1);
    expect(results.filter((r) => !r.fromOverlap)).toHaveLength(1);
    expect(bridge.commands.get('evalsha') ?? 0).toBeGreaterThan(50);
  });
});
