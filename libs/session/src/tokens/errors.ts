/**
 * Machine-readable reasons a token is refused. Stable strings: callers map them to HTTP answers
 * (`insufficient_scope` -> 403, `jwks_unavailable` / `revocation_check_failed` -> 503, the rest -> 401).
 */
export type TokenErrorReason =
  | 'malformed'
  | 'too_large'
  | 'alg_not_allowed'
  | 'bad_signature'
  | 'unknown_kid'
  | 'missing_kid'
  | 'expired'
  | 'not_yet_valid'
  | 'too_old'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_token_type'
  | 'missing_sub'
  | 'missing_claim'
  | 'missing_jti'
  | 'insufficient_scope'
  | 'revoked'
  | 'revocation_check_failed'
  | 'jwks_unavailable';

/** Reasons that say nothing about the token itself: the verifier could not reach a dependency. */
const UNAVAILABLE_REASONS: ReadonlySet<TokenErrorReason> = new Set(['jwks_unavailable', 'revocation_check_failed']);

/**
 * A refused token. `message` never contains the token; `reason` is the stable, machine-readable cause.
 */
export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';
  readonly reason: TokenErrorReason;

  constructor(reason: TokenErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }

  /** True when the failure is ours (a dependency is down), not the caller's: answer 503, not 401. */
  get temporary(): boolean {
    return UNAVAILABLE_REASONS.has(this.reason);
  }

  /** The OAuth 2.0 bearer error code (RFC 6750 section 3.1) for a `WWW-Authenticate` challenge. */
  get bearerError(): 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable' {
    if (this.reason === 'insufficient_scope') return 'insufficient_scope';
    return this.temporary ? 'temporarily_unavailable' : 'invalid_token';
  }
}

/** Misconfiguration found when a verifier, issuer or manager is built (never raised per request). */
export class TokenConfigError extends Error {
  override readonly name = 'TokenConfigError';
}

export const isTokenVerificationError = (error: unknown): error is TokenVerificationError =>
  error instanceof TokenVerificationError;
