import { TokenConfigError } from './errors.js';

/**
 * Asked once per token that passed every other check; answer true to refuse it as revoked. `jti` is absent when the
 * token has none (revocation by user and `iat` still applies).
 */
export interface RevocationQuery {
  readonly iss: string;
  readonly jti?: string;
  readonly sub: string;
  /** Expiry, seconds since the epoch: a store can keep the entry exactly that long. */
  readonly exp: number;
  /** Issued at, seconds since the epoch (lets a user-wide "sign out everywhere" refuse older tokens). */
  readonly iat: number;
}
export type RevocationCheck = (query: RevocationQuery) => boolean | Promise<boolean>;

/** The checks every verifier applies. Only `issuer` and `audience` have no default. */
export interface VerificationOptions {
  /** Expected `iss`, compared exactly. */
  issuer: string;
  /** Accepted audience(s): the token's `aud` must contain at least one. */
  audience: string | readonly string[];
  /** Algorithm allow-list. Each verifier has a safe default; `none` is never accepted. */
  algorithms?: readonly string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
  /** Oldest acceptable `iat`, in seconds before now. Default 86,400 (24 h). */
  maxTokenAgeSeconds?: number;
  /** Longest accepted compact token, in characters (= bytes for a valid JWT). Default 8,192. */
  maxTokenBytes?: number;
  /** Scopes every token must carry (per-call scopes are added to these). */
  requiredScopes?: readonly string[];
  /** Revocation hook, called for every otherwise valid token (e.g. `RevocationService#check`). A throw fails closed. */
  isRevoked?: RevocationCheck;
  /** Refuse tokens without a `jti` (`missing_jti`). Default false. */
  requireJti?: boolean;
  /** Required `typ` header (e.g. `at+jwt`, RFC 9068). Default: not checked. */
  typ?: string;
  /** Current time in epoch milliseconds; tests inject a fixed clock. */
  clock?: () => number;
}

/** Options for one `verify` call, on top of the verifier's policy. */
export interface VerifyCallOptions {
  /** Scopes this request needs (refused with `insufficient_scope`, an HTTP 403). */
  requiredScopes?: readonly string[];
}

export interface ResolvedPolicy {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds: number;
  readonly maxTokenBytes: number;
  readonly requiredScopes: readonly string[];
  readonly isRevoked: RevocationCheck | undefined;
  readonly requireJti: boolean;
  readonly typ: string | undefined;
  readonly clock: () => number;
}

export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 24 * 60 * 60;
export const DEFAULT_MAX_TOKEN_BYTES = 8192;

export const SYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set(['HS256', 'HS384', 'HS512']);
export const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new TokenConfigError(`${name} must be a finite number >= 0`);
  return value;
}

/**
 * Validates options once, at construction, so a misconfigured verifier fails at startup rather than refusing every
 * request. `allowed` is the family of algorithms this kind of verifier may use (symmetric or asymmetric).
 */
export function resolvePolicy(
  options: VerificationOptions,
  allowed: ReadonlySet<string>,
  defaultAlgorithms: readonly string[],
): ResolvedPolicy {
  if (typeof options.issuer !== 'string' || options.issuer.length === 0) {
    throw new TokenConfigError('issuer is required');
  }
  const audience = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (audience.length === 0 || audience.some((a) => typeof a !== 'string' || a.length === 0)) {
    throw new TokenConfigError('audience is required (a non-empty string or list of strings)');
  }
  const algorithms = [...(options.algorithms ?? defaultAlgorithms)];
  if (algorithms.length === 0) throw new TokenConfigError('algorithms must not be empty');
  for (const alg of algorithms) {
    if (!allowed.has(alg)) {
      throw new TokenConfigError(`algorithm ${alg} is not allowed here (allowed: ${[...allowed].join(', ')})`);
    }
  }
  const maxTokenBytes = nonNegative('maxTokenBytes', options.maxTokenBytes, DEFAULT_MAX_TOKEN_BYTES);
  if (maxTokenBytes < 64) throw new TokenConfigError('maxTokenBytes must be at least 64');
  return {
    issuer: options.issuer,
    audience,
    algorithms,
    clockToleranceSeconds: nonNegative(
      'clockToleranceSeconds',
      options.clockToleranceSeconds,
      DEFAULT_CLOCK_TOLERANCE_SECONDS,
    ),
    maxTokenAgeSeconds: nonNegative('maxTokenAgeSeconds', options.maxTokenAgeSeconds, DEFAULT_MAX_TOKEN_AGE_SECONDS),
    maxTokenBytes,
    requiredScopes: [...(options.requiredScopes ?? [])],
    isRevoked: options.isRevoked,
    requireJti: options.requireJti ?? false,
    typ: options.typ,
    clock: options.clock ?? Date.now,
  };
}
