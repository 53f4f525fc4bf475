import {
  createDevIssuer,
  MemorySigningKeyStore,
  RefreshTokenService,
  RevocationService,
  SessionManager,
  type DevIssuer,
  type StateStore,
} from '@atoms/session';
import { createRedisStore } from '@atoms/session/redis';
import { createEdgeObservability } from '@atoms/observability';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Redis } from 'ioredis';
import {
  createAtomsHandler,
  createBurstyRateLimiter,
  createInsuredRateLimiter,
  MemoryRateLimiter,
  type AtomsHandler,
  type RateLimitFailPolicy,
} from '../src/index.js';
import { createRedisRateLimiter } from '../src/node/index.js';
import { MCP_HEADERS, rpc, startHttp, testMcpServer } from './support/harness.js';

const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PREFIX = `test:server:${crypto.randomUUID().slice(0, 8)}:`;
const ALICE = '44444444-4444-4444-8444-444444444444';
const BOB = '55555555-5555-4555-8555-555555555555';

const quiet = () => createEdgeObservability({ service: 'redis-test', version: '1', log: { level: 'silent' } });

/** Two "instances": separate Redis connections, stores, limiters and handlers, behind one URL with a switch. */
describe('two handler instances sharing Redis', () => {
  const clients: Redis[] = [];
  let http: Awaited<ReturnType<typeof startHttp>>;
  let issuer: DevIssuer;
  const instances: AtomsHandler[] = [];
  const served = [0, 0];
  let target = 0;

  const connect = async (): Promise<Redis> => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    clients.push(redis);
    await redis.ping(); // fails the suite loudly when Redis is missing
    return redis;
  };

  beforeAll(async () => {
    http = await startHttp();
    const keyStore = new MemorySigningKeyStore();
    issuer = await createDevIssuer({ issuer: http.url, audience: `${http.url}/api/mcp`, keyStore });
    for (let i = 0; i < 2; i++) {
      const redis = await connect();
      const store: StateStore = createRedisStore(redis, { prefix: `${PREFIX}s:` });
      const sessions = new SessionManager({ store });
      const refreshTokens = new RefreshTokenService({ store, sessions });
      const local = await createDevIssuer({ issuer: http.url, audience: `${http.url}/api/mcp`, keyStore });
      instances.push(
        createAtomsHandler({
          publicUrl: http.url,
          createMcpServer: testMcpServer,
          auth: {
            verifier: local.accessTokenVerifier(),
            revocation: new RevocationService({ store, sessions, refreshTokens }),
          },
          sessions,
          devIssuer: { issuer: local, sessions, refreshTokens },
          stateful: { store },
          rateLimiter: createInsuredRateLimiter({
            primary: createRedisRateLimiter({ redis, limit: 6, keyPrefix: `${PREFIX}rl` }),
            insurance: new MemoryRateLimiter({ limit: 6 }),
            failPolicy: 'insurance',
          }),
          observability: quiet(),
        }),
      );
    }
    http.setHandler((request, info) => {
      served[target]! += 1;
      return (instances[target] as AtomsHandler)(request, info);
    });
  });

  afterAll(async () => {
    await http?.close();
    const redis = clients[0];
    if (redis) {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 500);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      if (keys.length > 0) await redis.del(...keys);
    }
    await Promise.all(clients.map((c) => c.quit()));
  });

  const on = (index: number) => {
    target = index;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('share sessions: issued on A, listed and revoked on B, refused on A', async () => {
    on(0);
    const issue = instances[0]?.issueDevTokens as NonNullable<AtomsHandler['issueDevTokens']>;
    const tokens = await issue({ userId: ALICE });
    on(1);
    const listed = (await (
      await fetch(`${http.url}/api/sessions`, { headers: bearer(tokens.accessToken) })
    ).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    expect(listed.sessions).toEqual([expect.objectContaining({ id: tokens.sessionHandle, current: true })]);
    const revoked = await fetch(`${http.url}/api/sessions/${tokens.sessionHandle}`, {
      method: 'DELETE',
      headers: bearer(tokens.accessToken),
    });
    expect(revoked.status).toBe(204);
    on(0);
    const refused = await fetch(`${http.url}/api/sessions`, { headers: bearer(tokens.accessToken) });
    expect(refused.status).toBe(401);
  });

  it('share rate limits: the budget spent on A is gone on B', async () => {
    const token = (await issuer.mintAccessToken({ sub: BOB })).token;
    on(0);
    const transport = new StreamableHTTPClientTransport(new URL(`${http.url}/api/mcp`), {
      requestInit: { headers: bearer(token) },
    });
    const client = new Client({ name: 'limits', version: '1.0.0' });
    await client.connect(transport);
    const outcomes: string[] = [];
    for (const index of [0, 1, 0, 1, 0, 1, 0]) {
      on(index);
      outcomes.push(
        await client.callTool({ name: 'echo', arguments: { text: 'x' } }).then(
          () => 'ok',
          (error: Error) => error.message,
        ),
      );
    }
    expect(outcomes.slice(0, 6)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(outcomes[6]).toContain('Rate limit exceeded for echo');
    await client.close();
  });

  it('share stateful MCP sessions: created on A, continued on B, closed on B, gone on A; no other user may use it', async () => {
    const token = (await issuer.mintAccessToken({ sub: ALICE })).token;
    on(0);
    const transport = new StreamableHTTPClientTransport(new URL(`${http.url}/api/mcp`), {
      requestInit: { headers: bearer(token) },
    });
    const client = new Client({ name: 'stateful', version: '1.0.0' });
    await client.connect(transport);
    const sessionId = transport.sessionId as string;
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{16,}$/);

    on(1);
    // Concurrent first requests on B share one rebuilt copy of the session.
    const concurrent = await Promise.all(
      [1, 2].map((id) =>
        fetch(`${http.url}/api/mcp`, {
          method: 'POST',
          headers: {
            ...MCP_HEADERS,
            ...bearer(token),
            'mcp-session-id': sessionId,
            'mcp-protocol-version': transport.protocolVersion as string,
          },
          body: rpc('tools/list', {}, id),
        }),
      ),
    );
    expect(concurrent.map((r) => r.status)).toEqual([200, 200]);
    const before = served[1] as number;
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['echo', 'whoami']);
    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'from B' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'from B' }]);
    expect(served[1]).toBeGreaterThan(before);

    const bobToken = (await issuer.mintAccessToken({ sub: BOB })).token;
    for (const index of [0, 1]) {
      on(index);
      const hijack = await fetch(`${http.url}/api/mcp`, {
        method: 'POST',
        headers: {
          ...MCP_HEADERS,
          ...bearer(bobToken),
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-06-18',
        },
        body: rpc('tools/list'),
      });
      expect(hijack.status).toBe(404);
    }

    on(1);
    await transport.terminateSession();
    on(0);
    const after = await fetch(`${http.url}/api/mcp`, {
      method: 'POST',
      headers: { ...MCP_HEADERS, ...bearer(token), 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
      body: rpc('tools/list'),
    });
    expect(after.status).toBe(404);
    await client.close();
  });
});

describe('the rate limiter when Redis is down', () => {
  let redis: Redis;
  beforeAll(() => {
    // Nothing listens on port 1: every command fails at once (no offline queue), as while Redis is restarting.
    redis = new Redis({
      host: '127.0.0.1',
      port: 1,
      enableOfflineQueue: false,
      retryStrategy: () => 2000,
      lazyConnect: false,
    });
    redis.on('error', () => undefined);
  });
  afterAll(() => redis.disconnect());

  const limiter = (failPolicy: RateLimitFailPolicy, errors: unknown[] = []) =>
    createInsuredRateLimiter({
      primary: createRedisRateLimiter({ redis, limit: 2, keyPrefix: `${PREFIX}down` }),
      insurance: new MemoryRateLimiter({ limit: 2 }),
      failPolicy,
      onStoreError: (error) => errors.push(error),
    });

  it('keeps limiting on the in-memory insurance limiter under the insurance policy, reporting each failure', async () => {
    const errors: unknown[] = [];
    const insured = limiter('insurance', errors);
    const decisions = [await insured.consume('u:t'), await insured.consume('u:t'), await insured.consume('u:t')];
    expect(decisions.map((d) => [d.allowed, d.degraded])).toEqual([
      [true, true],
      [true, true],
      [false, true],
    ]);
    expect(errors).toHaveLength(3);
  });

  it('answers 503 with Retry-After through the handler under the closed policy', async () => {
    const http = await startHttp();
    try {
      const issuer = await createDevIssuer({ issuer: http.url, audience: `${http.url}/api/mcp` });
      http.setHandler(
        createAtomsHandler({
          publicUrl: http.url,
          createMcpServer: testMcpServer,
          auth: { verifier: issuer.accessTokenVerifier() },
          rateLimiter: limiter('closed'),
          observability: quiet(),
        }),
      );
      const token = (await issuer.mintAccessToken({ sub: ALICE })).token;
      const response = await fetch(`${http.url}/api/mcp`, {
        method: 'POST',
        headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
        body: rpc('tools/list'),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
    } finally {
      await http.close();
    }
  });
});

describe('the burst allowance on Redis', () => {
  it('is shared by every instance: the sustained budget and the burst above it are spent once across both', async () => {
    const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    try {
      const prefix = `${PREFIX}bursty`;
      const [a, b] = connections.map((redis) =>
        createBurstyRateLimiter({
          sustained: createRedisRateLimiter({ redis, limit: 2, keyPrefix: `${prefix}rl` }),
          burst: createRedisRateLimiter({ redis, limit: 1, windowSeconds: 600, keyPrefix: `${prefix}rl-burst` }),
        }),
      );
      const decisions = [await a!.consume('u:t'), await b!.consume('u:t'), await a!.consume('u:t')];
      expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
        [true, 1],
        [true, 0],
        [true, 0], // the burst allowance
      ]);
      const refused = await b!.consume('u:t');
      expect(refused.allowed).toBe(false);
      expect(refused.resetMs).toBeGreaterThan(0);
      expect(refused.resetMs).toBeLessThanOrEqual(60_000);
      await expect(a!.ping?.()).resolves.toBeUndefined();
    } finally {
      for (const redis of connections) redis.disconnect();
    }
  });
});
