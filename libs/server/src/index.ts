/**
 * @atoms/server — the Atoms MCP HTTP surface as one web-standard `(Request) => Promise<Response>` handler:
 * Host/Origin allowlist, CORS, security headers, body limit, observability, bearer auth with RFC 9728 challenges,
 * identity resolution, session tracking, per (user, tool) rate limits and MCP Streamable HTTP. Isomorphic entry
 * (Node and Edge); Node-only pieces are in `@atoms/server/node`.
 */
export {
  createAtomsHandler,
  type AtomsAuthOptions,
  type AtomsHandler,
  type AtomsHandlerOptions,
  type RequestInfo,
} from './atoms-handler.js';
export type { Caller } from './auth/caller.js';
export {
  createBearerAuth,
  type AccessTokenVerifier,
  type AuthOutcome,
  type BearerAuthOptions,
} from './auth/bearer-auth.js';
export {
  createIdentityResolution,
  IdentityResolutionError,
  type ExternalIdentity,
  type ExternalIdentityResolver,
  type IdentityResolutionOptions,
} from './auth/identity-resolution.js';
export {
  createSessionGate,
  type SessionGate,
  type SessionGateOptions,
  type SessionGateResult,
  type SessionReference,
} from './auth/session-gate.js';
export { issueDevTokens, type DevIssuerWiring, type IssuedDevTokens } from './auth/dev-issuer-tokens.js';
export {
  compose,
  jsonResponse,
  errorResponse,
  withHeaders,
  type Middleware,
  type Next,
  type RequestState,
} from './http/pipeline.js';
export { Router, type RouteHandler, type RouteMatch } from './http/router.js';
export { hostAllowlist, type HostAllowlistOptions } from './http/host-allowlist.js';
export { cors, CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, type CorsOptions } from './http/cors.js';
export { securityHeaders, API_CONTENT_SECURITY_POLICY, type SecurityHeadersOptions } from './http/security-headers.js';
export { bodyLimit, readBodyText, BodyTooLargeError } from './http/body-limit.js';
export { errorBoundary } from './http/error-boundary.js';
export {
  createMcpEndpoint,
  type McpEndpoint,
  type McpEndpointOptions,
  type McpServerFactory,
  type StatefulMcpOptions,
} from './mcp/mcp-endpoint.js';
export type { ToolsListKey } from './mcp/tools-list-cache.js';
export { RateLimiterUnavailableError, type RateLimitDecision, type RateLimiter } from './rate-limit/rate-limiter.js';
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './rate-limit/memory-rate-limiter.js';
export {
  createInsuredRateLimiter,
  type InsuredRateLimiterOptions,
  type RateLimitFailPolicy,
} from './rate-limit/insured-rate-limiter.js';
export {
  BURST_WINDOW_FACTOR,
  createBurstyRateLimiter,
  type BurstyRateLimiterOptions,
} from './rate-limit/bursty-rate-limiter.js';
export { rateLimitHeaders } from './rate-limit/rate-limit-headers.js';
export { ipRateLimited, clientKey } from './rate-limit/ip-rate-limit.js';
export {
  protectedResourceMetadata,
  proxiedAuthorizationServerMetadata,
  type AuthorizationServerMetadataOptions,
  type ProtectedResourceMetadataOptions,
} from './routes/oauth-metadata.js';
