import {
  cacheVerifications,
  createHmacVerifier,
  TokenConfigError,
  type TokenVerifier,
  type VerifyCallOptions,
} from '../../src/index.js';
import { claims, nowSeconds, sign } from './signing.js';

const SECRET = 'verification-cache-secret-with-at-least-32-bytes';
const ISSUER = 'https://issuer.example';
const key = new TextEncoder().encode(SECRET);

/** The real HS256 verifier, with a count of the verifications it actually performed. */
function countingVerifier(clock: () => number) {
  const real = createHmacVerifier({ secret: SECRET, issuer: ISSUER, audience: 'atoms', clock });
  const calls: string[] = [];
  const verifier: TokenVerifier = {
    issuers: real.issuers,
    verify(token: string, call?: VerifyCallOptions) {
      calls.push(token);
      return real.verify(token, call);
    },
  };
  return { verifier, calls };
}

const token = (overrides: Record<string, unknown> = {}) =>
  sign(claims(ISSUER, 'atoms', { jti: undefined, ...overrides }), key, { alg: 'HS256' });

describe('cacheVerifications (real HS256 verifier inside)', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = Date.now();
  });

  it('verifies a token once per maxAgeMs and returns the same identity meanwhile', async () => {
    const { verifier, calls } = countingVerifier(clock);
    const cached = cacheVerifications(verifier, { maxAgeMs: 30_000, clock });
    expect(cached.issuers).toEqual([ISSUER]);
    const alice = await token({ sub: 'alice', scope: 'atoms:read' });
    const first = await cached.verify(alice);
    expect(first).toMatchObject({ sub: 'alice', iss: ISSUER, scopes: ['atoms:read'] });
    now += 29_999;
    expect(await cached.verify(alice)).toBe(first);
    expect(calls).toHaveLength(1);
    now += 1;
    expect(await cached.verify(alice)).toEqual(first);
    expect(calls).toHaveLength(2);
  });

  it('never reuses a verification past the token expiry', async () => {
    const { verifier, calls } = countingVerifier(clock);
    const cached = cacheVerifications(verifier, { maxAgeMs: 60_000, clock });
    const shortLived = await token({ exp: nowSeconds() + 10 });
    await cached.verify(shortLived);
    now += 9_000;
    await cached.verify(shortLived);
    expect(calls).toHaveLength(1);
    // Past exp (and the verifier's 30 s leeway): verified again, and refused.
    now += 45_000;
    await expect(cached.verify(shortLived)).rejects.toMatchObject({ reason: 'expired' });
    expect(calls).toHaveLength(2);
  });

  it('keeps no failures: a refused token is verified (and refused) every time', async () => {
    const { verifier, calls } = countingVerifier(clock);
    const cached = cacheVerifications(verifier, { clock });
    const forged = await sign(claims(ISSUER, 'atoms'), new TextEncoder().encode('x'.repeat(48)), { alg: 'HS256' });
    await expect(cached.verify(forged)).rejects.toMatchObject({ reason: 'bad_signature' });
    await expect(cached.verify(forged)).rejects.toMatchObject({ reason: 'bad_signature' });
    expect(calls).toHaveLength(2);
    const valid = await token();
    // A token differing in one character of its signature is another key: never answered from the cache.
    await cached.verify(valid);
    const at = valid.length - 10; // inside the signature, away from base64url's padding bits
    const tampered = valid.slice(0, at) + (valid[at] === 'A' ? 'B' : 'A') + valid.slice(at + 1);
    await expect(cached.verify(tampered)).rejects.toMatchObject({ reason: 'bad_signature' });
    expect(calls).toHaveLength(4);
  });

  it('shares one verification between concurrent first uses, and forgets the oldest token beyond maxEntries', async () => {
    const { verifier, calls } = countingVerifier(clock);
    const cached = cacheVerifications(verifier, { maxEntries: 2, clock });
    const [a, b, c] = await Promise.all([token({ sub: 'a' }), token({ sub: 'b' }), token({ sub: 'c' })]);
    const identities = await Promise.all(Array.from({ length: 10 }, () => cached.verify(a)));
    expect(new Set(identities).size).toBe(1);
    expect(calls).toHaveLength(1);
    await cached.verify(b);
    await cached.verify(c); // a is forgotten
    await cached.verify(b);
    await cached.verify(c);
    expect(calls).toHaveLength(3);
    await cached.verify(a);
    expect(calls).toHaveLength(4);
  });

  it('passes calls with required scopes to the inner verifier, and refuses bad options', async () => {
    const { verifier, calls } = countingVerifier(clock);
    const cached = cacheVerifications(verifier, { clock });
    const reader = await token({ scope: 'atoms:read' });
    await cached.verify(reader);
    await expect(cached.verify(reader, { requiredScopes: ['atoms:write'] })).rejects.toMatchObject({
      reason: 'insufficient_scope',
    });
    expect(calls).toHaveLength(2);
    expect(() => cacheVerifications(verifier, { maxAgeMs: 0 })).toThrow(TokenConfigError);
    expect(() => cacheVerifications(verifier, { maxEntries: 0.5 })).toThrow(TokenConfigError);
  });
});
