import { decodeProtectedHeader } from 'jose';
import { TokenConfigError, TokenVerificationError } from './errors.js';
import { createHmacVerifier } from './hmac-verifier.js';
import type { VerifiedIdentity } from './identity.js';
import { createJwksVerifier } from './jwks-verifier.js';
import {
  DEFAULT_MAX_TOKEN_BYTES,
  SYMMETRIC_ALGORITHMS,
  type VerificationOptions,
  type VerifyCallOptions,
} from './policy.js';
import type { RemoteJwksOptions } from './remote-jwks.js';
import type { TokenVerifier } from './verify-jwt.js';

type CommonOptions = Omit<VerificationOptions, 'issuer' | 'audience' | 'algorithms'>;

function baseUrl(value: string, name: string): string {
  const withScheme = /^https?:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TokenConfigError(`${name} is not a URL: ${value}`);
  }
  return url.href.replace(/\/+$/, '');
}

export interface SupabaseVerifierOptions extends CommonOptions {
  /** `SUPABASE_URL`, e.g. `https://abcd.supabase.co`. The issuer is `<url>/auth/v1`. */
  url: string;
  /** `SUPABASE_JWT_SECRET` (legacy HS256 signing). */
  jwtSecret?: string;
  /**
   * Verify asymmetric tokens against `<url>/auth/v1/.well-known/jwks.json`: true, or remote key-source options.
   * Default: on when no `jwtSecret` is given. With both, tokens are routed by their `alg` (HS256 -> secret,
   * ES256/RS256 -> JWKS), which covers a project migrating from the legacy secret to signing keys.
   */
  jwks?: boolean | Omit<RemoteJwksOptions, 'uri'>;
  /** Default `authenticated` (what Supabase Auth puts in user access tokens). */
  audience?: string | readonly string[];
}

/**
 * Supabase Auth access tokens. The project's anon and service-role keys are JWTs too, but with `iss: "supabase"`
 * and no `sub`: they are refused (`wrong_issuer`), so an API key never passes as a user.
 */
export function createSupabaseVerifier(options: SupabaseVerifierOptions): TokenVerifier {
  const { url, jwtSecret, jwks, audience, ...common } = options;
  const root = baseUrl(url, 'Supabase url');
  const policy: VerificationOptions = { ...common, issuer: `${root}/auth/v1`, audience: audience ?? 'authenticated' };
  const useJwks = jwks === undefined ? jwtSecret === undefined : jwks !== false;
  if (jwtSecret === undefined && !useJwks) throw new TokenConfigError('Supabase needs a jwtSecret, jwks, or both');
  const hmac =
    jwtSecret === undefined ? undefined : createHmacVerifier({ ...policy, algorithms: ['HS256'], secret: jwtSecret });
  const asymmetric = useJwks
    ? createJwksVerifier({
        ...policy,
        algorithms: ['ES256', 'RS256'],
        jwks: `${root}/auth/v1/.well-known/jwks.json`,
        ...(typeof jwks === 'object' ? { remote: jwks } : {}),
      })
    : undefined;
  if (hmac && !asymmetric) return hmac;
  if (asymmetric && !hmac) return asymmetric;
  const maxTokenBytes = common.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  return {
    issuers: [policy.issuer],
    verify(token: string, call?: VerifyCallOptions): Promise<VerifiedIdentity> {
      if (typeof token === 'string' && token.length > maxTokenBytes) {
        return Promise.reject(new TokenVerificationError('too_large', `token exceeds ${maxTokenBytes} bytes`));
      }
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch (error) {
        return Promise.reject(new TokenVerificationError('malformed', 'token is malformed', { cause: error }));
      }
      // Each side re-checks its own allow-list; routing only picks which one refuses.
      const target = typeof alg === 'string' && SYMMETRIC_ALGORITHMS.has(alg) ? hmac : asymmetric;
      return (target as TokenVerifier).verify(token, call);
    },
  };
}

export interface AuthKitVerifierOptions extends CommonOptions {
  /** `AUTHKIT_DOMAIN`, e.g. `https://example.authkit.app` (scheme optional). It is also the issuer. */
  domain: string;
  /** The audience your AuthKit tokens carry (your WorkOS client id, or the MCP resource URL). Required. */
  audience: string | readonly string[];
  /** Remote key-source options for `<domain>/oauth2/jwks`. */
  remote?: Omit<RemoteJwksOptions, 'uri'>;
}

/** WorkOS AuthKit access tokens: RS256, keys at `<domain>/oauth2/jwks`, issuer = the AuthKit domain. */
export function createAuthKitVerifier(options: AuthKitVerifierOptions): TokenVerifier {
  const { domain, remote, ...policy } = options;
  const issuer = baseUrl(domain, 'AuthKit domain');
  return createJwksVerifier({
    ...policy,
    issuer,
    algorithms: ['RS256'],
    jwks: `${issuer}/oauth2/jwks`,
    ...(remote ? { remote } : {}),
  });
}
