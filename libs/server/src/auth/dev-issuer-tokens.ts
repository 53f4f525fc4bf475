import type { DevIssuer, DeviceSnapshot, RefreshTokenService, SessionManager } from '@atoms/session';

/** The local development issuer and the services its token endpoint needs. */
export interface DevIssuerWiring {
  readonly issuer: DevIssuer;
  readonly sessions: SessionManager;
  readonly refreshTokens: RefreshTokenService;
  /** Scopes put in minted access tokens; default none. */
  readonly scopes?: readonly string[];
}

export interface IssuedDevTokens {
  readonly accessToken: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  readonly refreshToken: string;
  /** The session's handle (carried as `sid` in the access token). */
  readonly sessionHandle: string;
}

/**
 * Signs a user in with the development issuer: a tracked session, a refresh-token family bound to it, and an access
 * token whose `sid` is the session's handle (so revoking the session refuses the token on its next use).
 */
export async function issueDevTokens(
  wiring: DevIssuerWiring,
  input: {
    readonly userId: string;
    readonly email?: string;
    readonly device?: DeviceSnapshot;
    readonly scopes?: readonly string[];
  },
): Promise<IssuedDevTokens> {
  const created = await wiring.sessions.create(input.userId, {
    ...(input.device ? { device: input.device } : {}),
    attributes: { client: 'dev-issuer' },
  });
  const refresh = await wiring.refreshTokens.issue({ userId: input.userId, sessionId: created.sessionId });
  const access = await wiring.issuer.mintAccessToken({
    sub: input.userId,
    ...(input.email ? { email: input.email } : {}),
    scopes: input.scopes ?? wiring.scopes ?? [],
    sessionId: created.session.handle,
  });
  return {
    accessToken: access.token,
    expiresAt: access.expiresAt,
    refreshToken: refresh.token,
    sessionHandle: created.session.handle,
  };
}
