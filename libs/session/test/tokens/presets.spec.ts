import {
  createAuthKitVerifier,
  createMultiIssuerVerifier,
  createSupabaseVerifier,
  DevIssuer,
  MemoryJwksCache,
  TokenConfigError,
} from '../../src/index.js';
import { sendJson, startHttpFixture, type HttpFixture } from './http-fixture.js';
import { claims, sign, testKey, type TestKey } from './signing.js';

const SUPABASE_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
const secretBytes = new TextEncoder().encode(SUPABASE_SECRET);

/** One real HTTP server playing both a Supabase project and an AuthKit domain (their JWKS paths differ). */
describe('Supabase and AuthKit presets, multi-issuer routing', () => {
  let server: HttpFixture;
  let supabaseKey: TestKey;
  let authkitKey: TestKey;

  beforeAll(async () => {
    supabaseKey = await testKey('ES256', 'supabase-key');
    authkitKey = await testKey('RS256', 'authkit-key');
    server = await startHttpFixture((request, response) => {
      if (request.url === '/auth/v1/.well-known/jwks.json')
        return sendJson(response, 200, { keys: [supabaseKey.publicJwk] });
      if (request.url === '/oauth2/jwks') return sendJson(response, 200, { keys: [authkitKey.publicJwk] });
      return sendJson(response, 404, {});
    });
  });
  afterAll(() => server.close());

  const supabaseIssuer = () => `${server.origin}/auth/v1`;
  /** The claims Supabase Auth puts in a user access token. */
  const supabaseClaims = (overrides: Record<string, unknown> = {}) =>
    claims(supabaseIssuer(), 'authenticated', {
      role: 'authenticated',
      email: 'ada@example.com',
      session_id: 'b5a1c3f0-0000-4000-8000-000000000001',
      is_anonymous: false,
      jti: undefined,
      nbf: undefined,
      ...overrides,
    });

  it('Supabase HS256 with SUPABASE_JWT_SECRET', async () => {
    const verifier = createSupabaseVerifier({ url: `${server.origin}/`, jwtSecret: SUPABASE_SECRET });
    const identity = await verifier.verify(await sign(supabaseClaims(), secretBytes, { alg: 'HS256', typ: 'JWT' }));
    expect(identity).toMatchObject({
      sub: 'user-1',
      iss: supabaseIssuer(),
      aud: ['authenticated'],
      email: 'ada@example.com',
      sessionId: 'b5a1c3f0-0000-4000-8000-000000000001',
    });
    expect(identity.claims['role']).toBe('authenticated');
    expect(verifier.issuers).toEqual([supabaseIssuer()]);
  });

  it('Supabase anon / service_role API keys are not user tokens', async () => {
    const verifier = createSupabaseVerifier({ url: server.origin, jwtSecret: SUPABASE_SECRET });
    const serviceRole = await sign(
      { iss: 'supabase', ref: 'abcd', role: 'service_role', iat: Math.floor(Date.now() / 1000), exp: 2_000_000_000 },
      secretBytes,
      {
        alg: 'HS256',
      },
    );
    // Real API keys carry no aud: refused before the issuer is even compared.
    await expect(verifier.verify(serviceRole)).rejects.toMatchObject({ reason: 'missing_claim' });
    const dressedUp = await sign({ ...supabaseClaims(), iss: 'supabase', role: 'service_role' }, secretBytes, {
      alg: 'HS256',
    });
    await expect(verifier.verify(dressedUp)).rejects.toMatchObject({ reason: 'wrong_issuer' });
  });

  it('Supabase signing keys via <SUPABASE_URL>/auth/v1/.well-known/jwks.json', async () => {
    const verifier = createSupabaseVerifier({ url: server.origin, jwks: { cache: new MemoryJwksCache() } });
    const token = await sign(supabaseClaims(), supabaseKey.privateKey, { alg: 'ES256', kid: supabaseKey.kid });
    await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'user-1' });
    // Without a secret, HS256 is simply not allowed.
    await expect(verifier.verify(await sign(supabaseClaims(), secretBytes, { alg: 'HS256' }))).rejects.toMatchObject({
      reason: 'alg_not_allowed',
    });
  });

  it('Supabase during a key migration: secret and JWKS together, routed by alg', async () => {
    const verifier = createSupabaseVerifier({
      url: server.origin,
      jwtSecret: SUPABASE_SECRET,
      jwks: { cache: new MemoryJwksCache() },
    });
    const legacy = await sign(supabaseClaims(), secretBytes, { alg: 'HS256' });
    const modern = await sign(supabaseClaims(), supabaseKey.privateKey, { alg: 'ES256', kid: supabaseKey.kid });
    await expect(verifier.verify(legacy)).resolves.toMatchObject({ sub: 'user-1' });
    await expect(verifier.verify(modern)).resolves.toMatchObject({ sub: 'user-1' });
    await expect(verifier.verify('garbage')).rejects.toMatchObject({ reason: 'malformed' });
    await expect(verifier.verify(`${legacy}${'A'.repeat(9000)}`)).rejects.toMatchObject({ reason: 'too_large' });
  });

  it('Supabase wrong audience (e.g. a token minted for another audience)', async () => {
    const verifier = createSupabaseVerifier({ url: server.origin, jwtSecret: SUPABASE_SECRET });
    const token = await sign(supabaseClaims({ aud: 'anon' }), secretBytes, { alg: 'HS256' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ reason: 'wrong_audience' });
  });

  it('WorkOS AuthKit: RS256 via <AUTHKIT_DOMAIN>/oauth2/jwks, issuer = the domain', async () => {
    const verifier = createAuthKitVerifier({
      domain: server.origin,
      audience: 'client_01ABC',
      remote: { cache: new MemoryJwksCache() },
    });
    const token = await sign(
      claims(server.origin, 'client_01ABC', { org_id: 'org_1', scope: 'openid profile' }),
      authkitKey.privateKey,
      {
        alg: 'RS256',
        kid: authkitKey.kid,
      },
    );
    await expect(verifier.verify(token)).resolves.toMatchObject({ iss: server.origin, scopes: ['openid', 'profile'] });
    const es = await sign(claims(server.origin, 'client_01ABC'), supabaseKey.privateKey, {
      alg: 'ES256',
      kid: authkitKey.kid,
    });
    await expect(verifier.verify(es)).rejects.toMatchObject({ reason: 'alg_not_allowed' });
  });

  it('AuthKit domain without a scheme means https', () => {
    expect(createAuthKitVerifier({ domain: 'example.authkit.app', audience: 'x' }).issuers).toEqual([
      'https://example.authkit.app',
    ]);
    expect(() => createSupabaseVerifier({ url: 'https://x.supabase.co', jwks: false })).toThrow(TokenConfigError);
  });

  it('multi-issuer: routes by iss, refuses unknown issuers, and a forged iss only selects who refuses', async () => {
    const dev = await DevIssuer.create({
      issuer: 'http://localhost:8000',
      audience: 'client_01ABC',
      algorithm: 'ES256',
    });
    const verifier = createMultiIssuerVerifier([
      createSupabaseVerifier({ url: server.origin, jwtSecret: SUPABASE_SECRET }),
      createAuthKitVerifier({
        domain: server.origin,
        audience: 'client_01ABC',
        remote: { cache: new MemoryJwksCache() },
      }),
      dev.accessTokenVerifier(),
    ]);
    const supabase = await sign(supabaseClaims(), secretBytes, { alg: 'HS256' });
    const authkit = await sign(claims(server.origin, 'client_01ABC'), authkitKey.privateKey, {
      alg: 'RS256',
      kid: authkitKey.kid,
    });
    const local = (await dev.mintAccessToken({ sub: 'dev-user' })).token;
    await expect(verifier.verify(supabase)).resolves.toMatchObject({ iss: supabaseIssuer() });
    await expect(verifier.verify(authkit)).resolves.toMatchObject({ iss: server.origin });
    await expect(verifier.verify(local)).resolves.toMatchObject({ sub: 'dev-user', iss: 'http://localhost:8000' });
    const stranger = await sign(claims('https://evil.example.com', 'client_01ABC'), authkitKey.privateKey, {
      alg: 'RS256',
    });
    await expect(verifier.verify(stranger)).rejects.toMatchObject({ reason: 'wrong_issuer' });
    // An RS256 token claiming the Supabase issuer lands on the HS256 verifier, which refuses its algorithm.
    const forged = await sign(supabaseClaims(), authkitKey.privateKey, { alg: 'RS256', kid: authkitKey.kid });
    await expect(verifier.verify(forged)).rejects.toMatchObject({ reason: 'alg_not_allowed' });
    await expect(verifier.verify('x'.repeat(10_000))).rejects.toMatchObject({ reason: 'too_large' });
    await expect(verifier.verify('not-a-jwt')).rejects.toMatchObject({ reason: 'malformed' });
    expect(() => createMultiIssuerVerifier([dev.accessTokenVerifier(), dev.accessTokenVerifier()])).toThrow(
      /two verifiers/,
    );
  });
});
