import { errors, jwtVerify, type CryptoKey, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { TokenVerificationError, type TokenErrorReason } from './errors.js';
import { identityOf, scopesOf, type VerifiedIdentity } from './identity.js';
import type { ResolvedPolicy, VerifyCallOptions } from './policy.js';

/** The interface every verifier implements, so a multi-issuer verifier can route to any of them. */
export interface TokenVerifier {
  /** The issuers this verifier accepts (routing key for {@link createMultiIssuerVerifier}). */
  readonly issuers: readonly string[];
  verify(token: string, options?: VerifyCallOptions): Promise<VerifiedIdentity>;
}

export type VerificationKey = CryptoKey | JWTVerifyGetKey;

function claimReason(claim: string, failure: string): TokenErrorReason {
  if (failure === 'missing') return claim === 'sub' ? 'missing_sub' : 'missing_claim';
  switch (claim) {
    case 'iss':
      return 'wrong_issuer';
    case 'aud':
      return 'wrong_audience';
    case 'nbf':
      return 'not_yet_valid';
    case 'typ':
      return 'wrong_token_type';
    case 'iat':
      // A well-formed iat that fails its check lies in the future (too old is a JWTExpired).
      return failure === 'check_failed' ? 'not_yet_valid' : 'malformed';
    default:
      return 'malformed';
  }
}

/** Maps jose's error classes onto our reasons. Unknown errors keep their cause for debugging. */
export function toVerificationError(error: unknown): TokenVerificationError {
  if (error instanceof TokenVerificationError) return error;
  if (error instanceof errors.JWTExpired) {
    return error.claim === 'iat'
      ? new TokenVerificationError('too_old', 'token is older than the maximum token age', { cause: error })
      : new TokenVerificationError('expired', 'token has expired', { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const reason = claimReason(error.claim, error.reason);
    return new TokenVerificationError(reason, error.message, { cause: error });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenVerificationError('bad_signature', 'signature verification failed', { cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new TokenVerificationError('alg_not_allowed', 'token algorithm is not allowed', { cause: error });
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new TokenVerificationError('unknown_kid', 'no key matches the token', { cause: error });
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) {
    // jose tries every candidate key before raising this: none verified the signature.
    return new TokenVerificationError('bad_signature', 'signature verification failed', { cause: error });
  }
  if (error instanceof TypeError) {
    // jose raises TypeError when the resolved key does not fit the token's algorithm (e.g. an RSA key for ES256).
    return new TokenVerificationError('bad_signature', 'key does not match the token algorithm', { cause: error });
  }
  return new TokenVerificationError('malformed', 'token is malformed', { cause: error });
}

/**
 * The one verification path every verifier uses: size, algorithm allow-list, signature, issuer, audience, time
 * claims with leeway, maximum age, subject, scopes, revocation — in that order, cheapest refusals first.
 */
export async function verifyJwt(
  token: unknown,
  key: VerificationKey,
  policy: ResolvedPolicy,
  call?: VerifyCallOptions,
): Promise<VerifiedIdentity> {
  if (typeof token !== 'string' || token.length === 0) {
    throw new TokenVerificationError('malformed', 'token must be a non-empty string');
  }
  if (token.length > policy.maxTokenBytes) {
    throw new TokenVerificationError('too_large', `token exceeds ${policy.maxTokenBytes} bytes`);
  }
  let claims: JWTPayload;
  try {
    const verifyOptions = {
      algorithms: policy.algorithms as string[],
      issuer: policy.issuer,
      audience: policy.audience as string[],
      clockTolerance: policy.clockToleranceSeconds,
      maxTokenAge: policy.maxTokenAgeSeconds,
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(policy.clock()),
      ...(policy.typ === undefined ? {} : { typ: policy.typ }),
    };
    // Two call shapes so TypeScript picks the right overload; jose checks the allow-list before resolving keys.
    const result =
      typeof key === 'function'
        ? await jwtVerify(token, key, verifyOptions)
        : await jwtVerify(token, key, verifyOptions);
    claims = result.payload;
  } catch (error) {
    throw toVerificationError(error);
  }
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) {
    throw new TokenVerificationError('missing_sub', 'token has no subject');
  }
  // jose checked their presence and numeric type; iat is required by the maximum age check.
  const required = call?.requiredScopes;
  if (policy.requiredScopes.length > 0 || (required && required.length > 0)) {
    const granted = new Set(scopesOf(claims));
    const missing = [...policy.requiredScopes, ...(required ?? [])].filter((s) => !granted.has(s));
    if (missing.length > 0) {
      throw new TokenVerificationError('insufficient_scope', `missing scope(s): ${missing.join(' ')}`);
    }
  }
  const jti = typeof claims.jti === 'string' && claims.jti.length > 0 ? claims.jti : undefined;
  if (jti === undefined && policy.requireJti) {
    throw new TokenVerificationError('missing_jti', 'token has no jti');
  }
  if (policy.isRevoked) {
    let revoked: boolean;
    try {
      revoked = await policy.isRevoked({
        iss: claims.iss as string,
        ...(jti === undefined ? {} : { jti }),
        sub: claims.sub,
        exp: claims.exp as number,
        iat: claims.iat as number,
      });
    } catch (error) {
      throw new TokenVerificationError('revocation_check_failed', 'revocation check failed', { cause: error });
    }
    if (revoked) throw new TokenVerificationError('revoked', 'token has been revoked');
  }
  return identityOf(claims);
}
