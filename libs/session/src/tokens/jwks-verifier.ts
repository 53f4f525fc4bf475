import { createLocalJWKSet, type CryptoKey, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { TokenConfigError, TokenVerificationError } from './errors.js';
import type { VerifiedIdentity } from './identity.js';
import { ASYMMETRIC_ALGORITHMS, resolvePolicy, type VerificationOptions, type VerifyCallOptions } from './policy.js';
import { publicSigningKeys, RemoteJwks, type RemoteJwksOptions } from './remote-jwks.js';
import { verifyJwt, type TokenVerifier } from './verify-jwt.js';

export interface JwksVerifierOptions extends VerificationOptions {
  /**
   * Where the keys come from: a JWKS URL (a {@link RemoteJwks} is built with `remote` options), an existing
   * `RemoteJwks` (to share one between verifiers), or a static key set (e.g. the in-process development issuer's).
   */
  jwks: string | RemoteJwks | JSONWebKeySet;
  /** Options for the remote key source when `jwks` is a URL. */
  remote?: Omit<RemoteJwksOptions, 'uri'>;
  /** Default `['RS256', 'ES256']`; only asymmetric algorithms may be listed. */
  algorithms?: readonly string[];
}

const KID_PATTERN = /^[\x21-\x7e]{1,256}$/;

function staticKeys(jwks: JSONWebKeySet): JWTVerifyGetKey {
  let lookup: ReturnType<typeof createLocalJWKSet>;
  try {
    lookup = createLocalJWKSet(publicSigningKeys(jwks));
  } catch (error) {
    throw new TokenConfigError(`invalid key set: ${error instanceof Error ? error.message : String(error)}`);
  }
  const resolved = new Map<string, CryptoKey>();
  const remember = async (memoKey: string, pending: ReturnType<typeof lookup>): Promise<CryptoKey> => {
    const key = (await pending) as CryptoKey;
    resolved.set(memoKey, key);
    return key;
  };
  // Synchronous when the key was resolved before: no promise per request on the hot path.
  return (header, token) => {
    const kid: unknown = header.kid;
    if (kid === undefined) return lookup(header, token);
    if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
      throw new TokenVerificationError('malformed', 'token kid header is invalid');
    }
    const memoKey = `${header.alg} ${kid}`;
    return resolved.get(memoKey) ?? remember(memoKey, lookup(header, token));
  };
}

/** Verifies tokens signed with an issuer's asymmetric keys, found by `kid` in its JWKS. */
export function createJwksVerifier(options: JwksVerifierOptions): TokenVerifier & { readonly keys?: RemoteJwks } {
  const policy = resolvePolicy(options, ASYMMETRIC_ALGORITHMS, ['RS256', 'ES256']);
  const source = options.jwks;
  let remote: RemoteJwks | undefined;
  let getKey: JWTVerifyGetKey;
  if (typeof source === 'string') {
    remote = new RemoteJwks({ ...options.remote, uri: source });
    getKey = remote.getKey;
  } else if (source instanceof RemoteJwks) {
    remote = source;
    getKey = remote.getKey;
  } else {
    getKey = staticKeys(source);
  }
  return {
    issuers: [policy.issuer],
    ...(remote ? { keys: remote } : {}),
    verify(token: string, call?: VerifyCallOptions): Promise<VerifiedIdentity> {
      return verifyJwt(token, getKey, policy, call);
    },
  };
}
