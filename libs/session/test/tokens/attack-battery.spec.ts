import { createPublicKey } from 'node:crypto';
import { exportSPKI, type JWK } from 'jose';
import {
  createHmacVerifier,
  createJwksVerifier,
  MemoryJwksCache,
  TokenVerificationError,
  type TokenErrorReason,
  type TokenVerifier,
} from '../../src/index.js';
import { sendJson, startHttpFixture, type HttpFixture } from './http-fixture.js';
import { b64url, claims, nowSeconds, sign, testKey, type TestKey } from './signing.js';

const AUDIENCE = 'https://mcp.example.com/api/mcp';
const SECRET = 'an-hmac-secret-of-more-than-thirty-two-bytes!';

async function refusal(verifier: TokenVerifier, token: string): Promise<TokenErrorReason> {
  try {
    await verifier.verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(TokenVerificationError);
    // Refusals never echo the token.
    expect((error as Error).message).not.toContain(token);
    return (error as TokenVerificationError).reason;
  }
  throw new Error('the token was accepted');
}

describe('JWT attack battery (RS256 issuer behind a real JWKS endpoint)', () => {
  let server: HttpFixture;
  let key: TestKey;
  let attacker: TestKey;
  let issuer: string;
  let verifier: TokenVerifier;
  const revoked = new Set<string>();
  const queries: unknown[] = [];

  beforeAll(async () => {
    key = await testKey('RS256', 'key-1');
    attacker = await testKey('RS256', 'attacker-key');
    server = await startHttpFixture((request, response) => {
      if (request.url === '/jwks.json') return sendJson(response, 200, { keys: [key.publicJwk] });
      return sendJson(response, 404, {});
    });
    issuer = server.origin;
    verifier = createJwksVerifier({
      issuer,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      jwks: `${server.origin}/jwks.json`,
      remote: { cache: new MemoryJwksCache(), cooldownMs: 60_000 },
      isRevoked: (query) => {
        queries.push(query);
        return revoked.has(`${query.iss} ${query.jti}`);
      },
    });
  });
  afterAll(() => server.close());

  const valid = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
    sign(claims(issuer, AUDIENCE, overrides), key.privateKey, { alg: 'RS256', kid: key.kid, ...header });

  it('accepts the genuine token (control)', async () => {
    await expect(verifier.verify(await valid())).resolves.toMatchObject({ sub: 'user-1', iss: issuer, jti: 'jti-1' });
  });

  it('alg none', async () => {
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT', kid: key.kid })}.${b64url(claims(issuer, AUDIENCE))}.`;
    expect(await refusal(verifier, unsigned)).toBe('alg_not_allowed');
    const noneUpper = `${b64url({ alg: 'None', kid: key.kid })}.${b64url(claims(issuer, AUDIENCE))}.`;
    expect(await refusal(verifier, noneUpper)).toBe('alg_not_allowed');
  });

  it('HS/RS confusion: HS256 signed with the public key (PEM, DER and JWK forms) as the HMAC secret', async () => {
    const pem = await exportSPKI(key.publicKey);
    const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
    for (const secret of [pem, der.toString('binary'), JSON.stringify(key.publicJwk)]) {
      const forged = await sign(claims(issuer, AUDIENCE), new TextEncoder().encode(secret), {
        alg: 'HS256',
        kid: key.kid,
      });
      expect(await refusal(verifier, forged)).toBe('alg_not_allowed');
    }
  });

  it('expired (beyond the 30 s leeway), but accepted within it', async () => {
    const now = nowSeconds();
    expect(await refusal(verifier, await valid({ iat: now - 600, nbf: now - 600, exp: now - 31 }))).toBe('expired');
    await expect(
      verifier.verify(await valid({ iat: now - 600, nbf: now - 600, exp: now - 20 })),
    ).resolves.toBeDefined();
  });

  it('not yet valid (nbf or iat in the future beyond the leeway)', async () => {
    const now = nowSeconds();
    expect(await refusal(verifier, await valid({ nbf: now + 120, exp: now + 900 }))).toBe('not_yet_valid');
    expect(await refusal(verifier, await valid({ iat: now + 120, nbf: undefined, exp: now + 900 }))).toBe(
      'not_yet_valid',
    );
    await expect(verifier.verify(await valid({ nbf: now + 20 }))).resolves.toBeDefined();
  });

  it('older than the 24 h maximum age even when not expired', async () => {
    const now = nowSeconds();
    expect(await refusal(verifier, await valid({ iat: now - 25 * 3600, nbf: undefined, exp: now + 3600 }))).toBe(
      'too_old',
    );
  });

  it('wrong issuer', async () => {
    expect(await refusal(verifier, await valid({ iss: 'https://evil.example.com' }))).toBe('wrong_issuer');
    expect(await refusal(verifier, await valid({ iss: undefined }))).toBe('missing_claim');
  });

  it('wrong audience', async () => {
    expect(await refusal(verifier, await valid({ aud: 'https://other.example.com' }))).toBe('wrong_audience');
    expect(await refusal(verifier, await valid({ aud: undefined }))).toBe('missing_claim');
  });

  it('tampered payload (signature of the original kept)', async () => {
    const [header, , signature] = (await valid()).split('.');
    const tampered = `${header}.${b64url(claims(issuer, AUDIENCE, { sub: 'admin', scope: 'admin' }))}.${signature}`;
    expect(await refusal(verifier, tampered)).toBe('bad_signature');
    const [h2, p2] = (await valid()).split('.');
    expect(await refusal(verifier, `${h2}.${p2}.${b64url('x'.repeat(256))}`)).toBe('bad_signature');
  });

  it('unknown kid: one cooldown-gated refetch, then refused without contacting the issuer again', async () => {
    const before = server.requests.length;
    const forged = await sign(claims(issuer, AUDIENCE), attacker.privateKey, { alg: 'RS256', kid: attacker.kid });
    expect(await refusal(verifier, forged)).toBe('unknown_kid');
    const afterFirst = server.requests.length;
    expect(afterFirst - before).toBeLessThanOrEqual(1);
    for (let i = 0; i < 20; i += 1) {
      const other = await sign(claims(issuer, AUDIENCE), attacker.privateKey, { alg: 'RS256', kid: `attacker-${i}` });
      expect(await refusal(verifier, other)).toBe('unknown_kid');
    }
    expect(server.requests.length).toBe(afterFirst);
  });

  it('attacker key under the genuine kid, embedded jwk header, or jku pointing elsewhere', async () => {
    const sameKid = await sign(claims(issuer, AUDIENCE), attacker.privateKey, { alg: 'RS256', kid: key.kid });
    expect(await refusal(verifier, sameKid)).toBe('bad_signature');
    const embedded = await sign(claims(issuer, AUDIENCE), attacker.privateKey, {
      alg: 'RS256',
      kid: key.kid,
      jwk: attacker.publicJwk as JWK,
    });
    expect(await refusal(verifier, embedded)).toBe('bad_signature');
    const jku = await sign(claims(issuer, AUDIENCE), attacker.privateKey, {
      alg: 'RS256',
      kid: attacker.kid,
      jku: 'https://evil.example.com/jwks.json',
    });
    expect(await refusal(verifier, jku)).toBe('unknown_kid');
  });

  it('a kid that is not a sane identifier is refused before any lookup', async () => {
    const before = server.requests.length;
    expect(await refusal(verifier, await valid({}, { kid: '../../etc/passwd\u0000' }))).toBe('malformed');
    expect(await refusal(verifier, await valid({}, { kid: 'k'.repeat(300) }))).toBe('malformed');
    expect(await refusal(verifier, await valid({}, { kid: 42 }))).toBe('malformed');
    expect(await refusal(verifier, await valid({}, { kid: undefined }))).toBe('missing_kid');
    expect(server.requests.length).toBe(before);
  });

  it('oversized token (refused before any parsing or key lookup)', async () => {
    const before = server.requests.length;
    expect(await refusal(verifier, await valid({ padding: 'x'.repeat(9000) }))).toBe('too_large');
    expect(await refusal(verifier, 'a'.repeat(100_000))).toBe('too_large');
    expect(server.requests.length).toBe(before);
  });

  it('revoked jti', async () => {
    const now = nowSeconds();
    const token = await valid({ jti: 'to-revoke', iat: now, exp: now + 600 });
    await expect(verifier.verify(token)).resolves.toBeDefined();
    expect(queries.at(-1)).toEqual({ iss: issuer, jti: 'to-revoke', sub: 'user-1', exp: now + 600, iat: now });
    revoked.add(`${issuer} to-revoke`);
    expect(await refusal(verifier, token)).toBe('revoked');
    // Tokens without a jti are still offered to the hook (user-wide revocation by iat).
    await expect(verifier.verify(await valid({ jti: undefined }))).resolves.toBeDefined();
    expect(queries.at(-1)).toEqual({ iss: issuer, sub: 'user-1', exp: expect.any(Number), iat: expect.any(Number) });
  });

  it('missing or empty sub', async () => {
    expect(await refusal(verifier, await valid({ sub: undefined }))).toBe('missing_sub');
    expect(await refusal(verifier, await valid({ sub: '' }))).toBe('missing_sub');
    expect(await refusal(verifier, await valid({ sub: 42 }))).toBe('missing_sub');
  });

  it('missing exp or iat', async () => {
    expect(await refusal(verifier, await valid({ exp: undefined }))).toBe('missing_claim');
    expect(await refusal(verifier, await valid({ iat: undefined }))).toBe('missing_claim');
    expect(await refusal(verifier, await valid({ exp: 'tomorrow' }))).toBe('malformed');
  });

  it('algorithm outside the allow-list even with a matching key type (PS256, RS512)', async () => {
    for (const alg of ['PS256', 'RS512']) {
      const token = await sign(claims(issuer, AUDIENCE), key.privateKey, { alg, kid: key.kid }).catch(() => undefined);
      const forged = token ?? `${b64url({ alg, kid: key.kid })}.${b64url(claims(issuer, AUDIENCE))}.${b64url('sig')}`;
      expect(await refusal(verifier, forged)).toBe('alg_not_allowed');
    }
  });

  it('garbage, JWE-shaped and unknown-crit tokens are malformed', async () => {
    for (const garbage of [
      'x',
      'a.b.c',
      'a.b',
      `${b64url({ alg: 'RS256', kid: 'key-1' })}.${b64url('not json')}.c`,
      'a.b.c.d.e',
    ]) {
      expect(await refusal(verifier, garbage)).toBe('malformed');
    }
    // A correctly signed token whose header demands an extension we do not understand (RFC 7515 4.1.11).
    const input = `${b64url({ alg: 'RS256', kid: key.kid, crit: ['exp-lol'], 'exp-lol': 1 })}.${b64url(claims(issuer, AUDIENCE))}`;
    const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key.privateKey, new TextEncoder().encode(input));
    const critical = `${input}.${Buffer.from(signature).toString('base64url')}`;
    expect(await refusal(verifier, critical)).toBe('malformed');
    await expect(verifier.verify(undefined as unknown as string)).rejects.toMatchObject({ reason: 'malformed' });
  });

  it('insufficient scope, per verifier and per call', async () => {
    const scoped = await valid({ scope: 'read write' });
    await expect(verifier.verify(scoped, { requiredScopes: ['read'] })).resolves.toMatchObject({
      scopes: ['read', 'write'],
    });
    await expect(verifier.verify(scoped, { requiredScopes: ['admin'] })).rejects.toMatchObject({
      reason: 'insufficient_scope',
      bearerError: 'insufficient_scope',
    });
  });

  it('a revocation store that fails refuses (fails closed) with a temporary reason', async () => {
    const failing = createJwksVerifier({
      issuer,
      audience: AUDIENCE,
      jwks: { keys: [key.publicJwk] },
      isRevoked: () => Promise.reject(new Error('redis down')),
    });
    await expect(failing.verify(await valid())).rejects.toMatchObject({
      reason: 'revocation_check_failed',
      temporary: true,
      bearerError: 'temporarily_unavailable',
    });
  });
});

describe('JWT attack battery (HS256 verifier)', () => {
  const issuer = 'https://abcd.supabase.co/auth/v1';
  const verifier = createHmacVerifier({ issuer, audience: 'authenticated', secret: SECRET });
  const secret = new TextEncoder().encode(SECRET);
  const token = (overrides: Record<string, unknown> = {}, alg = 'HS256', key: Uint8Array = secret) =>
    sign(claims(issuer, 'authenticated', overrides), key, { alg });

  it('accepts the genuine token (control) and parses scopes from scp arrays', async () => {
    await expect(verifier.verify(await token({ scp: ['a', 'b'] }))).resolves.toMatchObject({ scopes: ['a', 'b'] });
  });

  it('several HMAC algorithms when configured, each with its own imported key', async () => {
    const multi = createHmacVerifier({
      issuer,
      audience: 'authenticated',
      secret: SECRET,
      algorithms: ['HS256', 'HS512'],
    });
    await expect(multi.verify(await token({}, 'HS512'))).resolves.toMatchObject({ sub: 'user-1' });
    await expect(multi.verify(await token({}, 'HS256'))).resolves.toMatchObject({ sub: 'user-1' });
    expect(await refusal(multi, await token({}, 'HS384'))).toBe('alg_not_allowed');
  });

  it('wrong secret', async () => {
    expect(await refusal(verifier, await token({}, 'HS256', new TextEncoder().encode(`${SECRET}-other`)))).toBe(
      'bad_signature',
    );
  });

  it('other HMAC sizes, alg none and asymmetric algorithms are not in the allow-list', async () => {
    expect(await refusal(verifier, await token({}, 'HS512'))).toBe('alg_not_allowed');
    const rsa = await testKey('RS256', 'k');
    expect(await refusal(verifier, await sign(claims(issuer, 'authenticated'), rsa.privateKey, { alg: 'RS256' }))).toBe(
      'alg_not_allowed',
    );
    expect(await refusal(verifier, `${b64url({ alg: 'none' })}.${b64url(claims(issuer, 'authenticated'))}.`)).toBe(
      'alg_not_allowed',
    );
  });

  it('refuses short secrets and asymmetric algorithms at construction', () => {
    expect(() => createHmacVerifier({ issuer, audience: 'a', secret: 'short' })).toThrow(/32 bytes/);
    expect(() =>
      createHmacVerifier({ issuer, audience: 'a', secret: SECRET, algorithms: ['RS256' as 'HS256'] }),
    ).toThrow(/not allowed/);
    expect(() => createJwksVerifier({ issuer, audience: 'a', jwks: { keys: [] }, algorithms: ['HS256'] })).toThrow(
      /not allowed/,
    );
    expect(() => createHmacVerifier({ issuer, audience: [], secret: SECRET })).toThrow(/audience/);
  });
});
