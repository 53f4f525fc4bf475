import { TokenConfigError } from './errors.js';
import type { VerifiedIdentity } from './identity.js';
import type { VerifyCallOptions } from './policy.js';
import type { TokenVerifier } from './verify-jwt.js';

export interface VerificationCacheOptions {
  /** How long one successful verification is reused, in ms; default 30 s. Never past the token's `exp`. */
  readonly maxAgeMs?: number;
  /** Most tokens remembered at once (the oldest is forgotten first); default 1,024. */
  readonly maxEntries?: number;
  /** Current time in epoch milliseconds; tests inject a fixed clock. */
  readonly clock?: () => number;
}

interface Entry {
  readonly identity: VerifiedIdentity;
  readonly until: number;
}

/**
 * Remembers successful verifications, so a client sending the same access token on every request pays for its
 * signature (an HMAC, or an ECDSA/RSA verification) once per `maxAgeMs` rather than per request. Only successes are
 * kept, keyed by the exact token string; a kept result is used until `maxAgeMs` after it was verified or the token's
 * `exp`, whichever is first. Concurrent first uses of one token share one verification.
 *
 * What a reused result does not see: the inner verifier's `isRevoked` hook, a signing key withdrawn from a JWKS
 * within `maxAgeMs`, and the maximum token age running out within `maxAgeMs`. Check revocation per request outside the verifier (as `createRequestAuthenticator`'s own
 * `isRevoked` does) when caching. Calls with per-call options (`requiredScopes`) always go to the inner verifier.
 */
export function cacheVerifications(inner: TokenVerifier, options: VerificationCacheOptions = {}): TokenVerifier {
  const maxAgeMs = options.maxAgeMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 1024;
  if (!Number.isFinite(maxAgeMs) || maxAgeMs <= 0) throw new TokenConfigError('maxAgeMs must be a positive number');
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new TokenConfigError('maxEntries must be an integer >= 1');
  const clock = options.clock ?? Date.now;
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<VerifiedIdentity>>();

  const remember = (token: string, identity: VerifiedIdentity, verifiedAt: number): void => {
    const until = Math.min(verifiedAt + maxAgeMs, identity.exp * 1000);
    if (until <= clock()) return;
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
    entries.set(token, { identity, until });
  };

  return {
    issuers: inner.issuers,
    verify(token: string, call?: VerifyCallOptions): Promise<VerifiedIdentity> {
      if (call?.requiredScopes && call.requiredScopes.length > 0) return inner.verify(token, call);
      const entry = entries.get(token);
      if (entry) {
        if (clock() < entry.until) return Promise.resolve(entry.identity);
        entries.delete(token);
      }
      const inFlight = pending.get(token);
      if (inFlight) return inFlight;
      const verifiedAt = clock();
      const verification = inner.verify(token, call).then(
        (identity) => {
          pending.delete(token);
          remember(token, identity, verifiedAt);
          return identity;
        },
        (error: unknown) => {
          pending.delete(token);
          throw error;
        },
      );
      pending.set(token, verification);
      return verification;
    },
  };
}
