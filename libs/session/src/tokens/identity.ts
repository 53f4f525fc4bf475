import type { JWTPayload } from 'jose';

/** What a verified access token says about its bearer. Built only after every check passed. */
export interface VerifiedIdentity {
  /** Subject: the user (or client) id. Never empty. */
  readonly sub: string;
  readonly iss: string;
  /** Audiences, always as a list (the `aud` claim may be a string or an array). */
  readonly aud: readonly string[];
  /** Granted scopes, from `scope` (space separated, RFC 9068) or `scp` (string or array). */
  readonly scopes: readonly string[];
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  readonly jti?: string;
  readonly email?: string;
  /** Session id when the issuer carries one (`sid`, or Supabase's `session_id`). */
  readonly sessionId?: string;
  /** Every claim of the token, verified, for issuer-specific data (Supabase `role`, AuthKit `org_id`, ...). */
  readonly claims: Readonly<JWTPayload>;
}

/** Scopes from the claim shapes issuers use: `scope: "a b"` (RFC 9068/8693) or `scp: "a b" | ["a", "b"]`. */
export function scopesOf(claims: JWTPayload): string[] {
  const raw = claims['scope'] ?? claims['scp'];
  if (typeof raw === 'string') return raw.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** Assumes the claims were validated (iss, sub, exp, iat present with the right types). */
export function identityOf(claims: JWTPayload): VerifiedIdentity {
  const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const identity: {
    -readonly [K in keyof VerifiedIdentity]: VerifiedIdentity[K];
  } = {
    sub: claims.sub as string,
    iss: claims.iss as string,
    aud,
    scopes: scopesOf(claims),
    exp: claims.exp as number,
    iat: claims.iat as number,
    claims,
  };
  const jti = optionalString(claims.jti);
  if (jti) identity.jti = jti;
  const email = optionalString(claims['email']);
  if (email) identity.email = email;
  const sessionId = optionalString(claims['sid']) ?? optionalString(claims['session_id']);
  if (sessionId) identity.sessionId = sessionId;
  return identity;
}
