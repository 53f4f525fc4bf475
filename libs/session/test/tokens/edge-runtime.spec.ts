/** @jest-environment @edge-runtime/jest-environment */
// Runs inside the `edge-runtime` package's EdgeVM (the Vercel Edge runtime emulation): no Node built-ins, no
// `eval`, only web APIs. Everything below is the isomorphic entry, imported as shipped.
import {
  createDevIssuer,
  createHmacVerifier,
  createJwksVerifier,
  createMultiIssuerVerifier,
  MemoryJwksCache,
  RemoteJwks,
  TokenManager,
  TokenVerificationError,
} from '../../src/index.js';
// Test scaffolding only (a real HTTP server on the host); the code under test never imports it.
import { startHttpFixture } from './http-fixture.js';

const ISSUER = 'https://atoms.example.com';
const AUDIENCE = 'https://atoms.example.com/api/mcp';
const SECRET = 'edge-runtime-hmac-secret-of-at-least-32-bytes';

describe('token verification and the dev issuer inside the Edge runtime VM', () => {
  it('really runs inside EdgeVM', () => {
    expect((globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('edge-runtime');
    // The edge runtime forbids code generation from strings.
    expect(() => eval('1 + 1')).toThrow();
    expect(typeof crypto.subtle.importKey).toBe('function');
  });

  it('the dev issuer generates keys, mints tokens and serves a JWKS the verifiers accept', async () => {
    for (const algorithm of ['ES256', 'RS256'] as const) {
      const issuer = await createDevIssuer({ issuer: ISSUER, audience: AUDIENCE, algorithm });
      const { token } = await issuer.mintAccessToken({ sub: 'edge-user', scopes: ['tools:read'] });
      const verifier = createJwksVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks() });
      await expect(verifier.verify(token, { requiredScopes: ['tools:read'] })).resolves.toMatchObject({
        sub: 'edge-user',
        scopes: ['tools:read'],
      });
      const refresh = await issuer.mintRefreshToken({ sub: 'edge-user' });
      await expect(issuer.verifyRefreshToken(refresh.token)).resolves.toMatchObject({ sub: 'edge-user' });
    }
  });

  it('RemoteJwks fetches through the edge fetch API (the issuer Response as the endpoint)', async () => {
    const issuer = await createDevIssuer({ issuer: ISSUER, audience: AUDIENCE, algorithm: 'ES256' });
    let fetches = 0;
    const jwks = new RemoteJwks({
      uri: `${ISSUER}/.well-known/jwks.json`,
      cache: new MemoryJwksCache(),
      fetch: async () => {
        fetches += 1;
        return issuer.jwksResponse();
      },
    });
    const verifier = createJwksVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks });
    const { token } = await issuer.mintAccessToken({ sub: 'u' });
    await Promise.all(Array.from({ length: 10 }, () => verifier.verify(token)));
    expect(fetches).toBe(1);
  });

  it("RemoteJwks fetches a real HTTP endpoint with the edge runtime's own fetch", async () => {
    const issuer = await createDevIssuer({ issuer: ISSUER, audience: AUDIENCE, algorithm: 'ES256' });
    const server = await startHttpFixture(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/jwk-set+json' });
      response.end(JSON.stringify(issuer.jwks()));
    });
    try {
      const verifier = createJwksVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwks: `${server.origin}/.well-known/jwks.json`,
        remote: { cache: new MemoryJwksCache() },
      });
      const { token } = await issuer.mintAccessToken({ sub: 'u' });
      await expect(verifier.verify(token)).resolves.toMatchObject({ sub: 'u' });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('HMAC verification, multi-issuer routing and typed refusals', async () => {
    const issuer = await createDevIssuer({ issuer: ISSUER, audience: AUDIENCE, algorithm: 'ES256' });
    const hmac = createHmacVerifier({
      issuer: 'https://x.supabase.co/auth/v1',
      audience: 'authenticated',
      secret: SECRET,
    });
    const verifier = createMultiIssuerVerifier([hmac, issuer.accessTokenVerifier()]);
    const { token } = await issuer.mintAccessToken({ sub: 'u' });
    await expect(verifier.verify(token)).resolves.toMatchObject({ iss: ISSUER });
    const tampered = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(86)}`;
    const error = await verifier.verify(tampered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenVerificationError);
    expect(error).toMatchObject({ reason: 'bad_signature' });
  });

  it('TokenManager refreshes through an edge fetch', async () => {
    let calls = 0;
    const manager = new TokenManager({
      tokenEndpoint: `${ISSUER}/auth/token`,
      tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() + 60_000 },
      fetch: async (_input, init) => {
        calls += 1;
        const body = new URLSearchParams(String(init?.body));
        expect(body.get('grant_type')).toBe('refresh_token');
        return Response.json({ access_token: 'new', token_type: 'Bearer', expires_in: 900, refresh_token: 'r2' });
      },
    });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => manager.getAccessToken()));
    expect(new Set(tokens)).toEqual(new Set(['new']));
    expect(calls).toBe(1);
  });
});
