import { mkdtemp, rm, stat, chmod, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  DevIssuer,
  MemorySigningKeyStore,
  TokenConfigError,
  TokenVerificationError,
  createJwksVerifier,
} from '../../src/index.js';
import { FileSigningKeyStore } from '../../src/node/key-store/index.js';

const ISSUER = 'http://localhost:8000';
/** ES256 keys generate in ~1 ms (RSA-2048: 50-400 ms); used wherever the algorithm is not the point. */
const FAST = { algorithm: 'ES256' } as const;
const AUDIENCE = 'http://localhost:8000/api/mcp';

describe('DevIssuer', () => {
  it('mints access tokens with the registered claims, kid and typ, verifiable against its JWKS', async () => {
    const issuer = await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, algorithm: 'ES256' });
    const minted = await issuer.mintAccessToken({
      sub: 'user-1',
      email: 'a@example.com',
      scopes: ['read', 'write'],
      sessionId: 's-1',
    });
    const header = decodeProtectedHeader(minted.token);
    expect(header).toMatchObject({ alg: 'ES256', kid: issuer.kid, typ: 'at+jwt' });
    const claims = decodeJwt(minted.token);
    expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: 'user-1', scope: 'read write', sid: 's-1' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
    expect(claims.jti).toBe(minted.jti);
    const verifier = createJwksVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks() });
    const identity = await verifier.verify(minted.token);
    expect(identity).toMatchObject({
      sub: 'user-1',
      email: 'a@example.com',
      scopes: ['read', 'write'],
      sessionId: 's-1',
    });
  });

  it('publishes only public key material (RS256 by default)', async () => {
    const issuer = await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE });
    const [key] = issuer.jwks().keys;
    expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: issuer.kid });
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    const response = issuer.jwksResponse();
    expect(response.headers.get('content-type')).toBe('application/jwk-set+json');
    expect(await response.json()).toEqual(issuer.jwks());
  });

  it('reuses the stored key pair on the next start', async () => {
    const keyStore = new MemorySigningKeyStore();
    const first = await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, ...FAST, keyStore });
    const token = (await first.mintAccessToken({ sub: 'u' })).token;
    const second = await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, ...FAST, keyStore });
    expect(second.kid).toBe(first.kid);
    await expect(second.accessTokenVerifier().verify(token)).resolves.toMatchObject({ sub: 'u' });
  });

  it('refuses a stored key of another algorithm instead of silently replacing it', async () => {
    const keyStore = new MemorySigningKeyStore();
    await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, keyStore, algorithm: 'ES256' });
    await expect(
      DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, keyStore, algorithm: 'RS256' }),
    ).rejects.toThrow(TokenConfigError);
  });

  it('refresh tokens verify as refresh tokens and are refused as access tokens', async () => {
    const issuer = await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, ...FAST });
    const refresh = await issuer.mintRefreshToken({ sub: 'user-1', sessionId: 's-9' });
    await expect(issuer.verifyRefreshToken(refresh.token)).resolves.toMatchObject({
      sub: 'user-1',
      jti: refresh.jti,
      familyId: refresh.familyId,
      sessionId: 's-9',
    });
    const next = await issuer.mintRefreshToken({ sub: 'user-1', familyId: refresh.familyId });
    expect(next.familyId).toBe(refresh.familyId);
    expect(next.jti).not.toBe(refresh.jti);
    // Generic JWKS verifier (no typ check): refused by audience. The issuer's own verifier: by typ as well.
    const generic = createJwksVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: issuer.jwks() });
    await expect(generic.verify(refresh.token)).rejects.toMatchObject({ reason: 'wrong_audience' });
    await expect(
      issuer.accessTokenVerifier({ audience: [AUDIENCE, ISSUER] }).verify(refresh.token),
    ).rejects.toMatchObject({ reason: 'wrong_token_type' });
    // And an access token is not a refresh token.
    const access = await issuer.mintAccessToken({ sub: 'user-1' });
    await expect(issuer.verifyRefreshToken(access.token)).rejects.toBeInstanceOf(TokenVerificationError);
  });

  it('rotates keys: new tokens get the new kid, old tokens still verify', async () => {
    const issuer = await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, ...FAST });
    const verifier = issuer.accessTokenVerifier();
    const before = await issuer.mintAccessToken({ sub: 'u' });
    const oldKid = issuer.kid;
    await issuer.rotateKey();
    expect(issuer.kid).not.toBe(oldKid);
    expect(issuer.jwks().keys.map((k) => k.kid)).toEqual([issuer.kid, oldKid]);
    const after = await issuer.mintAccessToken({ sub: 'u' });
    await expect(verifier.verify(before.token)).resolves.toMatchObject({ sub: 'u' });
    await expect(verifier.verify(after.token)).resolves.toMatchObject({ sub: 'u' });
    await issuer.rotateKey();
    // retainedKeys = 1: the first key is gone, so its tokens no longer verify.
    await expect(issuer.accessTokenVerifier().verify(before.token)).rejects.toMatchObject({ reason: 'unknown_kid' });
  });

  it('refuses bad mint requests with a clear error', async () => {
    const issuer = await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, ...FAST });
    await expect(issuer.mintAccessToken({ sub: '' })).rejects.toThrow(TokenConfigError);
    await expect(issuer.mintAccessToken({ sub: 'u', claims: { iss: 'evil' } })).rejects.toThrow(/set by the issuer/);
    await expect(issuer.mintAccessToken({ sub: 'u', ttlSeconds: 2 * 86_400 })).rejects.toThrow(/ttlSeconds/);
    await expect(issuer.mintAccessToken({ sub: 'u', scopes: ['a b'] })).rejects.toThrow(/scope/);
  });
});

describe('FileSigningKeyStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atoms-session-keys-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('persists the key pair with owner-only permissions and reloads it', async () => {
    const path = join(dir, '.atoms', 'dev-issuer-keys.json');
    const first = await DevIssuer.create({
      issuer: ISSUER,
      audience: AUDIENCE,
      ...FAST,
      keyStore: new FileSigningKeyStore(path),
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, '.atoms'))).mode & 0o777).toBe(0o700);
    const second = await DevIssuer.create({
      issuer: ISSUER,
      audience: AUDIENCE,
      ...FAST,
      keyStore: new FileSigningKeyStore(path),
    });
    expect(second.kid).toBe(first.kid);
  });

  it('two processes starting at once converge on one key', async () => {
    const path = join(dir, 'keys.json');
    const issuers = await Promise.all(
      Array.from({ length: 8 }, () =>
        DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, ...FAST, keyStore: new FileSigningKeyStore(path) }),
      ),
    );
    expect(new Set(issuers.map((i) => i.kid)).size).toBe(1);
  });

  it('refuses a key file readable by others, and a corrupt one', async () => {
    const path = join(dir, 'keys.json');
    await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, ...FAST, keyStore: new FileSigningKeyStore(path) });
    await chmod(path, 0o644);
    await expect(new FileSigningKeyStore(path).load()).rejects.toThrow(/chmod 600/);
    await writeFile(path, '{"version":1,"keys":[]}', { mode: 0o600 });
    await chmod(path, 0o600);
    await expect(new FileSigningKeyStore(path).load()).rejects.toThrow(/no keys/);
  });
});
