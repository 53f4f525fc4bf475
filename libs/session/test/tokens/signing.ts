import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/** A signing key made by the test itself, so tokens can carry any claims an attacker or a broken issuer might. */
export async function testKey(alg: 'RS256' | 'ES256', kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Sensible valid claims, overridable one by one (`undefined` removes a claim). */
export function claims(issuer: string, audience: string, overrides: Record<string, unknown> = {}): JWTPayload {
  const now = nowSeconds();
  const base: Record<string, unknown> = {
    iss: issuer,
    aud: audience,
    sub: 'user-1',
    iat: now,
    nbf: now,
    exp: now + 600,
    jti: 'jti-1',
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base as JWTPayload;
}

export function sign(
  payload: JWTPayload,
  key: CryptoKey | Uint8Array,
  header: { alg: string; kid?: string; [name: string]: unknown },
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

export const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
