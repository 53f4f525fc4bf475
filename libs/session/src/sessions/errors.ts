/** Stable, machine-readable causes for everything the session half of the library refuses or fails at. */
export type SessionErrorCode =
  | 'invalid_argument'
  | 'store_unavailable'
  | 'store_conflict'
  | 'session_not_found'
  | 'invalid_refresh_token'
  | 'refresh_token_reused'
  | 'family_revoked'
  | 'session_ended'
  | 'rate_limited';

/**
 * Every error this half raises. `message` never contains a token or a raw session id; `code` is the stable cause.
 * `retryAfterMs` is set for `rate_limited`.
 */
export class SessionError extends Error {
  override readonly name = 'SessionError';
  readonly code: SessionErrorCode;
  readonly retryAfterMs: number | undefined;

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

export const isSessionError = (error: unknown): error is SessionError => error instanceof SessionError;

export function invalidArgument(message: string): SessionError {
  return new SessionError('invalid_argument', message);
}
