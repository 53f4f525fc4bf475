import { decodeJwt } from 'jose';
import { TokenConfigError, TokenVerificationError } from './errors.js';
import type { VerifiedIdentity } from './identity.js';
import { DEFAULT_MAX_TOKEN_BYTES, type VerifyCallOptions } from './policy.js';
import type { TokenVerifier } from './verify-jwt.js';

/**
 * Routes each token to the verifier of its `iss`. The payload is decoded unverified for routing only: the chosen
 * verifier then checks everything, the issuer included, so a forged `iss` can only pick which checks refuse it.
 */
export function createMultiIssuerVerifier(
  verifiers: readonly TokenVerifier[],
  options: { maxTokenBytes?: number } = {},
): TokenVerifier {
  const byIssuer = new Map<string, TokenVerifier>();
  for (const verifier of verifiers) {
    for (const issuer of verifier.issuers) {
      if (byIssuer.has(issuer)) throw new TokenConfigError(`two verifiers claim issuer ${issuer}`);
      byIssuer.set(issuer, verifier);
    }
  }
  if (byIssuer.size === 0) throw new TokenConfigError('at least one verifier is required');
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  return {
    issuers: [...byIssuer.keys()],
    verify(token: string, call?: VerifyCallOptions): Promise<VerifiedIdentity> {
      if (typeof token !== 'string' || token.length === 0) {
        return Promise.reject(new TokenVerificationError('malformed', 'token must be a non-empty string'));
      }
      // Checked before decoding so an oversized token costs nothing.
      if (token.length > maxTokenBytes) {
        return Promise.reject(new TokenVerificationError('too_large', `token exceeds ${maxTokenBytes} bytes`));
      }
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch (error) {
        return Promise.reject(new TokenVerificationError('malformed', 'token is malformed', { cause: error }));
      }
      const verifier = typeof iss === 'string' ? byIssuer.get(iss) : undefined;
      if (!verifier) return Promise.reject(new TokenVerificationError('wrong_issuer', 'token issuer is not accepted'));
      return verifier.verify(token, call);
    },
  };
}
