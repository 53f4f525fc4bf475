import {
  cacheVerifications,
  createAuthKitVerifier,
  createMultiIssuerVerifier,
  createSupabaseVerifier,
  type DevIssuer,
  type TokenVerifier,
} from '@atoms/session';
import type { AppConfig } from '../config/index.js';

/**
 * One verifier per configured provider, routed by issuer when there are several, with successful verifications
 * reused for `AUTH_VERIFICATION_CACHE_SECONDS` (revocation is checked per request by the request gate, not here).
 */
export function buildVerifier(config: AppConfig, devIssuer: DevIssuer | undefined): TokenVerifier {
  const verifier = providerVerifier(config, devIssuer);
  const maxAgeMs = config.auth.verificationCacheMs;
  return maxAgeMs > 0 ? cacheVerifications(verifier, { maxAgeMs }) : verifier;
}

function providerVerifier(config: AppConfig, devIssuer: DevIssuer | undefined): TokenVerifier {
  const verifiers: TokenVerifier[] = [];
  if (devIssuer) verifiers.push(devIssuer.accessTokenVerifier());
  if (config.auth.supabase) {
    verifiers.push(
      createSupabaseVerifier({
        url: config.auth.supabase.url,
        ...(config.auth.supabase.jwtSecret ? { jwtSecret: config.auth.supabase.jwtSecret } : {}),
      }),
    );
  }
  if (config.auth.authkit) {
    // AuthKit puts the client id in `aud`; tokens minted for this resource carry its URL.
    verifiers.push(
      createAuthKitVerifier({
        domain: config.auth.authkit.domain,
        audience: [config.auth.authkit.clientId, config.mcpEndpoint],
      }),
    );
  }
  if (verifiers.length === 1) return verifiers[0] as TokenVerifier;
  return createMultiIssuerVerifier(verifiers);
}

/** `authorization_servers` for the protected-resource metadata (what MCP clients start OAuth with). */
export function authorizationServers(config: AppConfig, devIssuer: DevIssuer | undefined): string[] {
  const servers: string[] = [];
  if (config.auth.authkit) servers.push(config.auth.authkit.domain);
  if (config.auth.supabase) servers.push(`${config.auth.supabase.url}/auth/v1`);
  if (devIssuer) servers.push(devIssuer.issuer);
  return servers;
}
