import { AuditEmitter, type AuditOptions } from './audit.js';
import { extractBearer } from './bearer.js';
import { deviceFromHeaders, readHeader, type HeaderSource } from './device.js';
import { invalidArgument } from './errors.js';
import type { RevocationLookup } from './revocation.js';
import {
  DEFAULT_RISK_POLICY,
  DEFAULT_RISK_WEIGHTS,
  assessRisk,
  riskAction,
  validateRiskPolicy,
  type RiskAction,
  type RiskAssessment,
  type RiskPolicy,
  type RiskWeights,
} from './risk.js';
import type { SessionInfo, SessionManager } from './session-manager.js';

/**
 * What a verified access token says, as far as this module needs it. The tokens half's `VerifiedIdentity` is
 * one (pass `verifier.verify.bind(verifier)` as `verify`).
 */
export interface VerifiedClaims {
  readonly iss: string;
  readonly sub: string;
  readonly jti?: string;
  /** Seconds since the epoch. */
  readonly iat?: number;
  readonly exp?: number;
  /** Session id carried by the issuer (`sid` / Supabase `session_id`), if any. */
  readonly sessionId?: string;
}

/**
 * The token verifier, injected so this module depends on none. Refusals are errors with a string `reason` (and
 * optionally `temporary` / `bearerError`), as the tokens half's `TokenVerificationError`; any other error is
 * rethrown, never turned into a 401.
 */
export type VerifyAccessToken<C extends VerifiedClaims = VerifiedClaims> = (token: string) => Promise<C>;

export interface RequestAuthenticatorOptions {
  readonly verify: VerifyAccessToken;
  /** Session tracking; without it only the token is checked. */
  readonly sessions?: SessionManager;
  /** Revocation by `(iss, jti)` and user-wide; `RevocationService#check` fits. */
  readonly isRevoked?: (query: RevocationLookup) => Promise<boolean> | boolean;
  /** Where the session id comes from; default the `x-atoms-session-id` header. */
  readonly sessionId?: (input: {
    readonly headers: HeaderSource;
    readonly claims: VerifiedClaims;
  }) => string | undefined;
  /** The user a session belongs to; default the `sub` claim (map external subjects to profile ids here). */
  readonly userId?: (claims: VerifiedClaims) => string | Promise<string>;
  /** Refuse requests that carry no session id; default false. */
  readonly requireSession?: boolean;
  readonly riskPolicy?: RiskPolicy;
  readonly riskWeights?: RiskWeights;
  /** Longest accepted token, in characters; default 8192. */
  readonly maxTokenLength?: number;
  readonly audit?: AuditOptions | AuditEmitter;
  readonly now?: () => number;
}

export interface RequestInput {
  readonly headers: HeaderSource;
  /** The client address the caller trusts (the socket address, or the proxy header of a trusted proxy). */
  readonly ip?: string;
}

export interface Identity {
  readonly subject: string;
  readonly issuer: string;
  readonly userId: string;
  readonly claims: VerifiedClaims;
}

export interface AllowDecision {
  readonly ok: true;
  readonly identity: Identity;
  readonly session: SessionInfo | null;
  readonly risk: RiskAssessment | null;
  readonly riskAction: RiskAction;
}

export type DenyReason =
  | 'missing_token'
  | 'malformed_authorization'
  | 'invalid_token'
  | 'revoked'
  | 'session_required'
  | 'session_not_found'
  | 'reauthentication_required'
  | 'session_revoked'
  | 'verifier_unavailable'
  | 'insufficient_scope';

export interface DenyDecision {
  readonly ok: false;
  readonly status: 400 | 401 | 403 | 503;
  /** RFC 6750 error code for `WWW-Authenticate`; null when no credentials were sent (no error code then). */
  readonly error: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'temporarily_unavailable' | null;
  readonly reason: DenyReason;
  /** The verifier's own reason when it refused the token (`expired`, `bad_signature`, ...). */
  readonly tokenReason?: string;
  /** Safe for clients: never contains the token. */
  readonly description: string;
}

export type AuthDecision = AllowDecision | DenyDecision;

export const DEFAULT_SESSION_HEADER = 'x-atoms-session-id';

interface VerifierError {
  readonly reason: string;
  readonly temporary?: boolean;
  readonly bearerError?: string;
}

/**
 * Builds the framework-neutral gate of a request: bearer extraction, token verification, revocation, session
 * tracking (idle/absolute timeouts, touch) and the device risk policy, returning a decision the HTTP layer maps to
 * a response. Takes a web `Request` or plain headers + IP; depends on no HTTP framework and runs on the Edge.
 */
export function createRequestAuthenticator(
  options: RequestAuthenticatorOptions,
): (input: Request | RequestInput, ip?: string) => Promise<AuthDecision> {
  if (typeof options.verify !== 'function') throw invalidArgument('createRequestAuthenticator needs `verify`');
  if (options.requireSession && !options.sessions) throw invalidArgument('requireSession needs `sessions`');
  const policy = validateRiskPolicy(options.riskPolicy ?? DEFAULT_RISK_POLICY);
  const weights = options.riskWeights ?? DEFAULT_RISK_WEIGHTS;
  const audit = options.audit instanceof AuditEmitter ? options.audit : new AuditEmitter(options.audit);
  const now = options.now ?? Date.now;
  const sessionIdOf =
    options.sessionId ?? (({ headers }) => readHeader(headers, DEFAULT_SESSION_HEADER)?.trim() || undefined);
  const userIdOf = options.userId ?? ((claims: VerifiedClaims) => claims.sub);

  return async (input, ipArgument) => {
    const headers = input.headers;
    const carried = (input as { readonly ip?: unknown }).ip;
    const ip = ipArgument ?? (typeof carried === 'string' ? carried : undefined);
    const bearer = extractBearer(headers, options.maxTokenLength ?? 8192);
    if (bearer.kind === 'missing') return deny(401, null, 'missing_token', 'a bearer token is required');
    if (bearer.kind === 'malformed') return deny(400, 'invalid_request', 'malformed_authorization', bearer.description);

    let claims: VerifiedClaims;
    try {
      claims = await options.verify(bearer.token);
    } catch (error) {
      if (!isVerifierError(error)) throw error;
      if (error.temporary || error.bearerError === 'temporarily_unavailable') {
        return deny(
          503,
          'temporarily_unavailable',
          'verifier_unavailable',
          'token verification is unavailable',
          error.reason,
        );
      }
      if (error.reason === 'insufficient_scope' || error.bearerError === 'insufficient_scope') {
        return deny(403, 'insufficient_scope', 'insufficient_scope', 'the token lacks a required scope', error.reason);
      }
      if (error.reason === 'revoked')
        return deny(401, 'invalid_token', 'revoked', 'the token was revoked', error.reason);
      return deny(401, 'invalid_token', 'invalid_token', `the token was refused (${error.reason})`, error.reason);
    }
    if (typeof claims.sub !== 'string' || claims.sub === '' || typeof claims.iss !== 'string') {
      return deny(401, 'invalid_token', 'invalid_token', 'the token has no subject or issuer', 'missing_claim');
    }

    if (options.isRevoked) {
      const query = revocationQueryOf(claims);
      if (query && (await options.isRevoked(query)))
        return deny(401, 'invalid_token', 'revoked', 'the token was revoked');
    }

    const userId = await userIdOf(claims);
    const identity: Identity = { subject: claims.sub, issuer: claims.iss, userId, claims };
    const sessionId = options.sessions ? sessionIdOf({ headers, claims }) : undefined;
    if (!options.sessions || sessionId === undefined) {
      if (options.requireSession) return deny(401, 'invalid_token', 'session_required', 'a session id is required');
      return { ok: true, identity, session: null, risk: null, riskAction: 'allow' };
    }

    const sessions = options.sessions;
    const device = await deviceFromHeaders(headers, ip);
    let risk: RiskAssessment | null = null;
    let action: RiskAction = 'allow';
    // One read and one compare-and-set: the guard scores the device before the session is written, and stops the
    // write when the policy refuses the request.
    const touched = await sessions.touch(userId, sessionId, {
      device,
      guard: (session) => {
        risk = session.device ? assessRisk(session.device, device, weights) : null;
        action = risk ? riskAction(risk.score, policy) : 'allow';
        return action === 'allow' || action === 'record';
      },
    });
    if (!touched) return deny(401, 'invalid_token', 'session_not_found', 'the session has ended; sign in again');
    const assessed = risk as RiskAssessment | null;
    if (assessed && action !== 'allow') {
      const event = {
        at: now(),
        userId,
        sessionHandle: touched.handle,
        risk: { score: assessed.score, signals: assessed.signals },
        ...(device.ipPrefix ? { ipPrefix: device.ipPrefix } : {}),
      };
      if (action === 'revoke') {
        await audit.emit({ type: 'session.hijack_suspected', ...event, reason: 'risk_revoke' });
        await sessions.terminateByHandle(userId, touched.handle, 'hijack_suspected');
        return deny(
          401,
          'invalid_token',
          'session_revoked',
          'the session was ended for security reasons; sign in again',
        );
      }
      if (action === 'reauthenticate') {
        await audit.emit({ type: 'session.reauthentication_required', ...event });
        return deny(401, 'invalid_token', 'reauthentication_required', 'sign in again to continue this session');
      }
      await audit.emit({ type: 'session.device_changed', ...event });
    }
    return { ok: true, identity, session: touched, risk, riskAction: action };
  };
}

/**
 * What to ask the revocation store about a verified token: its `(iss, jti)` and its `iat` (for user-wide
 * revocation). Undefined when the token has neither, so nothing could match.
 */
export function revocationQueryOf(claims: VerifiedClaims): RevocationLookup | undefined {
  const query: RevocationLookup = {
    iss: claims.iss,
    sub: claims.sub,
    ...(typeof claims.jti === 'string' && claims.jti !== '' ? { jti: claims.jti } : {}),
    ...(typeof claims.exp === 'number' ? { exp: claims.exp } : {}),
    ...(typeof claims.iat === 'number' ? { iat: claims.iat } : {}),
  };
  return query.jti !== undefined || query.iat !== undefined ? query : undefined;
}

/**
 * The `WWW-Authenticate` value for a denial (RFC 6750 section 3; RFC 9728 `resource_metadata` when given).
 * Quotes and backslashes in values are escaped.
 */
export function bearerChallenge(
  decision: DenyDecision,
  extra: { readonly realm?: string; readonly scope?: string; readonly resourceMetadata?: string } = {},
): string {
  const params: [string, string][] = [];
  if (extra.realm) params.push(['realm', extra.realm]);
  if (extra.resourceMetadata) params.push(['resource_metadata', extra.resourceMetadata]);
  if (extra.scope) params.push(['scope', extra.scope]);
  if (decision.error) {
    params.push(['error', decision.error]);
    params.push(['error_description', decision.description]);
  }
  const quoted = params.map(([k, v]) => `${k}="${v.replace(/["\\]/g, '\\$&')}"`);
  return quoted.length === 0 ? 'Bearer' : `Bearer ${quoted.join(', ')}`;
}

function deny(
  status: DenyDecision['status'],
  error: DenyDecision['error'],
  reason: DenyReason,
  description: string,
  tokenReason?: string,
): DenyDecision {
  return { ok: false, status, error, reason, description, ...(tokenReason === undefined ? {} : { tokenReason }) };
}

function isVerifierError(error: unknown): error is VerifierError {
  return typeof error === 'object' && error !== null && typeof (error as { reason?: unknown }).reason === 'string';
}
