import type { CryptoKey, JWTHeaderParameters } from 'jose';
import { TokenConfigError } from './errors.js';
import type { VerifiedIdentity } from './identity.js';
import { resolvePolicy, SYMMETRIC_ALGORITHMS, type VerificationOptions, type VerifyCallOptions } from './policy.js';
import { verifyJwt, type TokenVerifier } from './verify-jwt.js';

export interface HmacVerifierOptions extends VerificationOptions {
  /** The shared secret (e.g. `SUPABASE_JWT_SECRET`), as a UTF-8 string or raw bytes. At least 32 bytes. */
  secret: string | Uint8Array;
  /** Default `['HS256']`; only HS256/384/512 may be listed. */
  algorithms?: readonly ('HS256' | 'HS384' | 'HS512')[];
}

const HASH_OF: Record<string, string> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' };
/** RFC 7518 section 3.2: the key must be at least as long as the hash output. */
const MIN_SECRET_BYTES = 32;

/**
 * Verifies HMAC-signed tokens. The secret is imported once as a non-extractable `CryptoKey` per algorithm (importing
 * per request halves throughput) and the raw bytes are not kept.
 */
export function createHmacVerifier(options: HmacVerifierOptions): TokenVerifier {
  const policy = resolvePolicy(options, SYMMETRIC_ALGORITHMS, ['HS256']);
  const secret = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  if (!(secret instanceof Uint8Array) || secret.byteLength < MIN_SECRET_BYTES) {
    throw new TokenConfigError(`HMAC secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  const raw = secret.slice();
  const imports = new Map(
    policy.algorithms.map((alg) => [
      alg,
      crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: HASH_OF[alg] as string }, false, ['verify']),
    ]),
  );
  // Imports start now; a failure surfaces on the first verify (the rejection is observed there, not lost).
  for (const pending of imports.values()) pending.catch(() => undefined);
  // The copy is only needed until the keys exist.
  void Promise.allSettled(imports.values()).then(() => raw.fill(0));
  const single =
    policy.algorithms.length === 1 ? (imports.get(policy.algorithms[0] as string) as Promise<CryptoKey>) : undefined;
  let singleKey: CryptoKey | undefined;
  const byAlg = async (header: JWTHeaderParameters): Promise<CryptoKey> =>
    // jose has already refused algorithms outside the allow-list, so the map has an entry.
    imports.get(header.alg) as Promise<CryptoKey>;

  return {
    issuers: [policy.issuer],
    async verify(token: string, call?: VerifyCallOptions): Promise<VerifiedIdentity> {
      if (single) {
        singleKey ??= await single;
        return verifyJwt(token, singleKey, policy, call);
      }
      return verifyJwt(token, byAlg, policy, call);
    },
  };
}
