import { Redis } from 'ioredis';
import {
  createJwksVerifier,
  DevIssuer,
  MemoryJwksCache,
  publicSigningKeys,
  RemoteJwks,
  TokenConfigError,
  type JwksCache,
  type JwksCacheEntry,
  type JwksEvent,
} from '../../src/index.js';
import { sendJson, startHttpFixture, type HttpFixture } from './http-fixture.js';

const AUDIENCE = 'https://mcp.example.com/api/mcp';
const JWKS_PATH = '/.well-known/jwks.json';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A test clock for the key source (token validity keeps using real time). */
function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RemoteJwks + createJwksVerifier against a real HTTP JWKS endpoint serving the DevIssuer', () => {
  let server: HttpFixture;
  let issuer: DevIssuer;
  let status = 200;
  let delayMs = 0;
  const fetches = () => server.requests.filter((r) => r.url === JWKS_PATH).length;

  beforeAll(async () => {
    server = await startHttpFixture(async (request, response) => {
      if (request.url !== JWKS_PATH) return sendJson(response, 404, {});
      if (delayMs > 0) await sleep(delayMs);
      if (status !== 200) return sendJson(response, status, { error: 'down' });
      // Exactly what the app's route does: the issuer's own Response, streamed back.
      const jwks = issuer.jwksResponse();
      response.writeHead(200, { 'content-type': jwks.headers.get('content-type') ?? '' });
      response.end(await jwks.text());
    });
    issuer = await DevIssuer.create({ issuer: server.origin, audience: AUDIENCE, algorithm: 'ES256' });
  });
  beforeEach(() => {
    server.requests.length = 0;
    status = 200;
    delayMs = 0;
  });
  afterAll(() => server.close());

  const verifierWith = (remote: ConstructorParameters<typeof RemoteJwks>[0]) =>
    createJwksVerifier({ issuer: server.origin, audience: AUDIENCE, jwks: new RemoteJwks(remote) });

  it('verifies DevIssuer tokens exactly as it would a production issuer', async () => {
    for (const algorithm of ['RS256', 'ES256'] as const) {
      issuer = await DevIssuer.create({ issuer: server.origin, audience: AUDIENCE, algorithm });
      const verifier = createJwksVerifier({
        issuer: server.origin,
        audience: AUDIENCE,
        jwks: `${server.origin}${JWKS_PATH}`,
        remote: { cache: new MemoryJwksCache() },
      });
      const minted = await issuer.mintAccessToken({ sub: 'user-7', email: 'u7@example.com', scopes: ['tools:read'] });
      await expect(verifier.verify(minted.token, { requiredScopes: ['tools:read'] })).resolves.toMatchObject({
        sub: 'user-7',
        iss: server.origin,
        aud: [AUDIENCE],
        email: 'u7@example.com',
        scopes: ['tools:read'],
        jti: minted.jti,
        exp: minted.expiresAt,
      });
    }
  });

  it('single-flight: 50 concurrent verifications on a cold cache make one fetch', async () => {
    delayMs = 50;
    const verifier = verifierWith({ uri: `${server.origin}${JWKS_PATH}`, cache: new MemoryJwksCache() });
    const { token } = await issuer.mintAccessToken({ sub: 'u' });
    const results = await Promise.all(Array.from({ length: 50 }, () => verifier.verify(token)));
    expect(results.every((r) => r.sub === 'u')).toBe(true);
    expect(fetches()).toBe(1);
    // And later requests are served from memory.
    await verifier.verify(token);
    expect(fetches()).toBe(1);
  });

  it('shares fetched key sets between instances through a shared cache (real Redis)', async () => {
    const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
    const prefix = `test:session-tokens:${crypto.randomUUID()}:`;
    // The 10-line adapter the README shows: JSON in, JSON out, TTL in milliseconds.
    const shared: JwksCache = {
      async get(uri) {
        const raw = await redis.get(`${prefix}${uri}`);
        return raw === null ? undefined : (JSON.parse(raw) as JwksCacheEntry);
      },
      async set(uri, entry, ttlMs) {
        await redis.set(`${prefix}${uri}`, JSON.stringify(entry), 'PX', ttlMs);
      },
    };
    try {
      const { token } = await issuer.mintAccessToken({ sub: 'u' });
      const instanceA = verifierWith({ uri: `${server.origin}${JWKS_PATH}`, cache: shared });
      const instanceB = verifierWith({ uri: `${server.origin}${JWKS_PATH}`, cache: shared });
      await instanceA.verify(token);
      await instanceB.verify(token);
      expect(fetches()).toBe(1);
      expect(await redis.pttl(`${prefix}${server.origin}${JWKS_PATH}`)).toBeGreaterThan(0);
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('a failing shared cache is reported and treated as a miss, never as a refusal', async () => {
    const events: JwksEvent[] = [];
    const broken: JwksCache = {
      get: () => Promise.reject(new Error('cache down')),
      set: () => {
        throw new Error('cache read-only');
      },
    };
    const verifier = verifierWith({
      uri: `${server.origin}${JWKS_PATH}`,
      cache: broken,
      onEvent: (e) => events.push(e),
    });
    await expect(verifier.verify((await issuer.mintAccessToken({ sub: 'u' })).token)).resolves.toMatchObject({
      sub: 'u',
    });
    expect(events).toContainEqual({
      type: 'cache_error',
      uri: `${server.origin}${JWKS_PATH}`,
      operation: 'get',
      error: 'cache down',
    });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'cache_error', operation: 'set', error: 'cache read-only' }),
    );
  });

  it('MemoryJwksCache drops entries after their TTL', () => {
    const clock = manualClock();
    const cache = new MemoryJwksCache({ clock: clock.now });
    const entry = { jwks: { keys: [] }, fetchedAt: clock.now() };
    cache.set('u', entry, 1000);
    expect(cache.get('u')).toBe(entry);
    clock.advance(1000);
    expect(cache.get('u')).toBeUndefined();
  });

  it('picks up a rotated key through a cooldown-gated refetch on the unknown kid', async () => {
    const clock = manualClock();
    const events: JwksEvent[] = [];
    const verifier = verifierWith({
      uri: `${server.origin}${JWKS_PATH}`,
      cache: new MemoryJwksCache({ clock: clock.now }),
      clock: clock.now,
      cooldownMs: 30_000,
      onEvent: (e) => events.push(e),
    });
    await verifier.verify((await issuer.mintAccessToken({ sub: 'u' })).token);
    await issuer.rotateKey();
    const rotated = (await issuer.mintAccessToken({ sub: 'u' })).token;
    // Within the cooldown of the first fetch: refused without asking the issuer.
    await expect(verifier.verify(rotated)).rejects.toMatchObject({ reason: 'unknown_kid' });
    expect(fetches()).toBe(1);
    expect(events.some((e) => e.type === 'refresh_throttled')).toBe(true);
    clock.advance(30_000);
    await expect(verifier.verify(rotated)).resolves.toMatchObject({ sub: 'u' });
    expect(fetches()).toBe(2);
  });

  it('refetches after maxAge, and serves the last good key set while the issuer is down', async () => {
    const clock = manualClock();
    const events: JwksEvent[] = [];
    const verifier = verifierWith({
      uri: `${server.origin}${JWKS_PATH}`,
      cache: new MemoryJwksCache({ clock: clock.now }),
      clock: clock.now,
      maxAgeMs: 60_000,
      maxStaleMs: 3_600_000,
      onEvent: (e) => events.push(e),
    });
    const { token } = await issuer.mintAccessToken({ sub: 'u' });
    await verifier.verify(token);
    clock.advance(61_000);
    await verifier.verify(token);
    expect(fetches()).toBe(2);
    status = 503;
    clock.advance(61_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'u' });
    expect(events).toContainEqual(expect.objectContaining({ type: 'fetch_failed', servingStale: true }));
    // Beyond the stale horizon the verifier stops trusting the old set.
    clock.advance(3_600_000);
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'jwks_unavailable', temporary: true });
  });

  it('an unreachable issuer on a cold start: jwks_unavailable, then no refetch until the cooldown has passed', async () => {
    const clock = manualClock();
    status = 500;
    const verifier = verifierWith({
      uri: `${server.origin}${JWKS_PATH}`,
      cache: new MemoryJwksCache({ clock: clock.now }),
      clock: clock.now,
      cooldownMs: 10_000,
    });
    const { token } = await issuer.mintAccessToken({ sub: 'u' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'jwks_unavailable' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'jwks_unavailable' });
    expect(fetches()).toBe(1);
    status = 200;
    clock.advance(10_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'u' });
    expect(fetches()).toBe(2);
  });

  it('times out a hanging JWKS endpoint', async () => {
    delayMs = 2_000;
    const verifier = verifierWith({
      uri: `${server.origin}${JWKS_PATH}`,
      cache: new MemoryJwksCache(),
      timeoutMs: 100,
    });
    const { token } = await issuer.mintAccessToken({ sub: 'u' });
    const started = Date.now();
    await expect(verifier.verify(token)).rejects.toMatchObject({
      reason: 'jwks_unavailable',
      message: expect.stringContaining('timed out after 100 ms'),
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('refuses an oversized JWKS document', async () => {
    const verifier = verifierWith({
      uri: `${server.origin}${JWKS_PATH}`,
      cache: new MemoryJwksCache(),
      maxResponseBytes: 64,
    });
    const { token } = await issuer.mintAccessToken({ sub: 'u' });
    await expect(verifier.verify(token)).rejects.toMatchObject({
      reason: 'jwks_unavailable',
      message: expect.stringContaining('exceeds 64 bytes'),
    });
  });

  it('drops symmetric and private keys from a published key set', () => {
    const filtered = publicSigningKeys({
      keys: [
        { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
        { kty: 'RSA', n: 'x', e: 'AQAB', d: 'private', kid: 'leaked' },
        { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'enc', use: 'enc' },
        { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'ok' },
      ],
    });
    expect(filtered.keys.map((k) => k.kid)).toEqual(['ok']);
    expect(() => publicSigningKeys({ keys: [{ kty: 'oct', k: 'x' }] })).toThrow(/no usable/);
    expect(() => publicSigningKeys({ nope: 1 })).toThrow(/keys/);
  });

  it('refuses plain-http JWKS URLs except on loopback', () => {
    expect(() => new RemoteJwks({ uri: 'http://issuer.example.com/jwks' })).toThrow(TokenConfigError);
    expect(() => new RemoteJwks({ uri: 'not a url' })).toThrow(TokenConfigError);
    expect(new RemoteJwks({ uri: 'http://localhost:1/jwks' }).uri).toBe('http://localhost:1/jwks');
  });
});
