import {
  bearerChallenge,
  createRequestAuthenticator,
  revocationQueryOf,
  type DenyDecision,
  type RevocationLookup,
  type VerifiedIdentity,
} from '@atoms/session';
import type { RequestState } from '../http/pipeline.js';
import { jsonResponse } from '../http/pipeline.js';
import type { Caller } from './caller.js';
import { IdentityResolutionError, type ExternalIdentity } from './identity-resolution.js';
import type { SessionGate, SessionGateResult, SessionReference } from './session-gate.js';

/** Any verifier of `@atoms/session` (HS256, JWKS, multi-issuer, presets, the dev issuer's). */
export interface AccessTokenVerifier {
  verify(token: string): Promise<VerifiedIdentity>;
}

export interface BearerAuthOptions {
  readonly verifier: AccessTokenVerifier;
  readonly isRevoked?: (query: RevocationLookup) => Promise<boolean> | boolean;
  readonly resolveIdentity: (identity: ExternalIdentity) => Promise<string>;
  readonly sessionGate?: SessionGate;
  /** Issuers whose `sid` claim is a session handle of this server's session store (the local dev issuer). */
  readonly sessionClaimIssuers?: readonly string[];
  readonly requireSession?: boolean;
  /** Scopes every request needs (403 `insufficient_scope` otherwise). */
  readonly requiredScopes?: readonly string[];
  /** The RFC 9728 metadata URL put in every challenge. */
  readonly resourceMetadataUrl: string;
  /** `scope` of the challenge (what a client should ask for); default the required scopes. */
  readonly challengeScope?: string;
}

export type AuthOutcome =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly response: Response };

const SESSION_HEADER = 'x-atoms-session-id';

/**
 * The resource-server gate: bearer token -> verified identity -> profile id -> revocation and tracked session.
 * Every refusal is an RFC 6750 / RFC 9728 challenge: 401 without `error` when no token was sent (so clients start
 * OAuth discovery from `resource_metadata`), 401 `invalid_token`, 403 `insufficient_scope`, 503 when a verifier
 * dependency is down. Tokens never appear in responses or logs.
 */
export function createBearerAuth(
  options: BearerAuthOptions,
): (request: Request, state: RequestState) => Promise<AuthOutcome> {
  const required = options.requiredScopes ?? [];
  const scope = options.challengeScope ?? (required.length > 0 ? required.join(' ') : undefined);
  const localSessionIssuers = new Set(options.sessionClaimIssuers ?? []);
  // Revocation is checked below, alongside the session read (two store lookups at once, not one after the other).
  const authenticate = createRequestAuthenticator({
    verify: (token) => options.verifier.verify(token),
    userId: async (claims) => {
      const identity = claims as unknown as VerifiedIdentity;
      return options.resolveIdentity({
        issuer: identity.iss,
        subject: identity.sub,
        ...(identity.email ? { email: identity.email } : {}),
        claims: identity.claims ?? {},
      });
    },
  });

  const refuse = (decision: DenyDecision): AuthOutcome => {
    const challenge = bearerChallenge(decision, {
      resourceMetadata: options.resourceMetadataUrl,
      ...(scope ? { scope } : {}),
    });
    return {
      ok: false,
      response: jsonResponse(
        decision.status,
        { error: decision.error ?? 'unauthorized', error_description: decision.description },
        { 'www-authenticate': challenge },
      ),
    };
  };
  const deny = (
    status: DenyDecision['status'],
    error: DenyDecision['error'],
    reason: DenyDecision['reason'],
    description: string,
  ): AuthOutcome => refuse({ ok: false, status, error, reason, description });
  // A store or key source failed: 503, so the client retries instead of discarding a token that may be fine.
  const unavailable = (state: RequestState, error: unknown, what: 'authentication' | 'sessions'): AuthOutcome => {
    state.context.logger.error(
      { err: error },
      what === 'sessions' ? 'session store unavailable' : 'authentication failed on a dependency',
    );
    return deny(
      503,
      'temporarily_unavailable',
      'verifier_unavailable',
      `${what} ${what === 'sessions' ? 'are' : 'is'} temporarily unavailable`,
    );
  };

  return async (request, state) => {
    let decision;
    try {
      decision = await authenticate(request, state.clientIp);
    } catch (error) {
      if (error instanceof IdentityResolutionError) {
        return deny(403, 'insufficient_scope', 'insufficient_scope', error.message);
      }
      return unavailable(state, error, 'authentication');
    }
    if (!decision.ok) return refuse(decision);
    const identity = decision.identity.claims as unknown as VerifiedIdentity;
    const userId = decision.identity.userId;
    const missing = required.filter((s) => !identity.scopes.includes(s));

    const query = options.isRevoked ? revocationQueryOf(decision.identity.claims) : undefined;
    const isRevoked = options.isRevoked;
    const revocation = query && isRevoked ? Promise.resolve().then(() => isRevoked(query)) : undefined;
    const headerId = request.headers.get(SESSION_HEADER)?.trim();
    const ref: SessionReference | undefined = !options.sessionGate
      ? undefined
      : headerId
        ? { id: headerId }
        : identity.sessionId && localSessionIssuers.has(identity.iss)
          ? { handle: identity.sessionId }
          : undefined;
    // The session is read while the revocation lookup is in flight, and written only for a token that is not
    // revoked: one round trip to the store instead of two, and the same outcome.
    const gated =
      ref && options.sessionGate && missing.length === 0
        ? options.sessionGate(
            userId,
            ref,
            request.headers,
            state.clientIp,
            revocation?.then(
              (revoked) => !revoked,
              () => false,
            ),
          )
        : undefined;
    gated?.catch(() => undefined); // its failure is handled below, once the revocation answer is known

    if (revocation) {
      let revoked: boolean;
      try {
        revoked = await revocation;
      } catch (error) {
        return unavailable(state, error, 'authentication');
      }
      if (revoked) return deny(401, 'invalid_token', 'revoked', 'the token was revoked');
    }
    if (missing.length > 0) {
      return deny(
        403,
        'insufficient_scope',
        'insufficient_scope',
        `the token lacks the scope(s): ${missing.join(' ')}`,
      );
    }

    let session: Caller['session'] = null;
    if (gated) {
      let gate: SessionGateResult;
      try {
        gate = await gated;
      } catch (error) {
        return unavailable(state, error, 'sessions');
      }
      if (!gate.ok) {
        const description =
          gate.reason === 'reauthentication_required'
            ? 'sign in again to continue this session'
            : gate.reason === 'session_revoked'
              ? 'the session was ended for security reasons; sign in again'
              : 'the session has ended; sign in again';
        return deny(401, 'invalid_token', gate.reason, description);
      }
      session = gate.session;
    } else if (options.sessionGate && options.requireSession) {
      return deny(401, 'invalid_token', 'session_required', 'a session is required');
    }

    const bearer = /^Bearer +(\S+)/i.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
    const claims = { ...identity.claims, sub: userId };
    const clientId = stringClaim(identity.claims, 'client_id') ?? stringClaim(identity.claims, 'azp') ?? identity.iss;
    const caller: Caller = {
      userId,
      subject: identity.sub,
      issuer: identity.iss,
      ...(identity.email ? { email: identity.email } : {}),
      scopes: identity.scopes,
      session,
      authInfo: {
        token: bearer,
        clientId,
        scopes: [...identity.scopes],
        expiresAt: identity.exp,
        extra: {
          sub: userId,
          email: identity.email,
          claims,
          subject: identity.sub,
          issuer: identity.iss,
          ...(session ? { sessionHandle: session.handle } : {}),
        },
      },
    };
    await state.context.identify({ userId, ...(session ? { sessionId: session.handle } : {}) });
    return { ok: true, caller };
  };
}

function stringClaim(claims: Readonly<Record<string, unknown>> | undefined, name: string): string | undefined {
  const value = claims?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
