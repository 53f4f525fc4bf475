import {
  createEdgeObservability,
  createVercelWebhookHandler,
  type HealthCheck,
  type Observability,
  type VercelWebhookEvent,
} from '@atoms/observability';
import {
  RevocationService,
  type AuditSink,
  type RiskPolicy,
  type SessionManager,
  type StateStore,
} from '@atoms/session';
import { createBearerAuth, type AccessTokenVerifier } from './auth/bearer-auth.js';
import type { Caller } from './auth/caller.js';
import { issueDevTokens, type DevIssuerWiring, type IssuedDevTokens } from './auth/dev-issuer-tokens.js';
import { createIdentityResolution, type ExternalIdentityResolver } from './auth/identity-resolution.js';
import { createSessionGate } from './auth/session-gate.js';
import { bodyLimit } from './http/body-limit.js';
import { cors } from './http/cors.js';
import { errorBoundary } from './http/error-boundary.js';
import { hostAllowlist } from './http/host-allowlist.js';
import { compose, errorResponse, type RequestState } from './http/pipeline.js';
import { Router, type RouteHandler } from './http/router.js';
import { securityHeaders } from './http/security-headers.js';
import { createMcpEndpoint, type McpServerFactory, type StatefulMcpOptions } from './mcp/mcp-endpoint.js';
import type { ToolsListKey } from './mcp/tools-list-cache.js';
import { ipRateLimited } from './rate-limit/ip-rate-limit.js';
import { MemoryRateLimiter } from './rate-limit/memory-rate-limiter.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';
import { healthRoutes } from './routes/health-routes.js';
import { protectedResourceMetadata, proxiedAuthorizationServerMetadata } from './routes/oauth-metadata.js';
import { sessionRoutes } from './routes/session-routes.js';
import { tokenEndpoint } from './routes/token-endpoint.js';

export interface AtomsAuthOptions {
  /** Verifies access tokens (any `@atoms/session` verifier; the multi-issuer one when several modes are on). */
  readonly verifier: AccessTokenVerifier;
  /** Revocation by (iss, jti) and per user; its `check` runs after every successful verification. */
  readonly revocation?: RevocationService;
  /** Maps non-UUID subjects to profile ids (user_id_mappings + JIT provisioning). */
  readonly resolveExternalIdentity?: ExternalIdentityResolver;
  /** Scopes every request needs; default none. */
  readonly requiredScopes?: readonly string[];
  /** Advertised in the protected-resource metadata and the challenge; default the required scopes. */
  readonly scopesSupported?: readonly string[];
  /** Issuer URLs listed as `authorization_servers`; default the dev issuer's when it is on. */
  readonly authorizationServers?: readonly string[];
  /** Discovery document of the configured authorization server (AuthKit, Supabase), served cached. */
  readonly authorizationServerMetadataUrl?: string;
  /** Refuse tokens that name no tracked session; default false. */
  readonly requireSession?: boolean;
  readonly riskPolicy?: RiskPolicy;
  /** Security audit events (session device changes, hijack suspicions). */
  readonly audit?: AuditSink;
}

export interface AtomsHandlerOptions {
  /** The externally visible base URL (`PUBLIC_URL`), e.g. `https://mcp.atoms.tech`. */
  readonly publicUrl: string;
  /** `ATOMS_FASTMCP_HTTP_PATH`; default `/api/mcp`. */
  readonly mcpPath?: string;
  /** Builds the MCP server for a verified caller; called per request (stateless) or per session (stateful). */
  readonly createMcpServer: McpServerFactory;
  readonly auth: AtomsAuthOptions;
  /** Session tracking (revocation, timeouts, device risk) and the `/api/sessions` routes. */
  readonly sessions?: SessionManager;
  /** The local development issuer: `/.well-known/jwks.json`, `POST /auth/token`, its AS metadata. */
  readonly devIssuer?: DevIssuerWiring;
  /** Stateful MCP sessions (`ATOMS_MCP_STATEFUL=true`), ownership in this shared store. */
  readonly stateful?: StatefulMcpOptions;
  /**
   * Per (user, tool) limiter; default 60 requests per minute in memory. Build a shared one with
   * `createRedisRateLimiter` (`@atoms/server/node`) wrapped in `createInsuredRateLimiter`. `false` disables it.
   */
  readonly rateLimiter?: RateLimiter | false;
  /**
   * Per client address on the routes without a verified user (`POST /auth/token`, `POST /api/webhooks/vercel`);
   * default 30 per minute in memory. `false` disables it.
   */
  readonly ipRateLimiter?: RateLimiter | false;
  /** `CORS_ALLOWED_ORIGINS`; `['*']` for any. The public URL's origin is always allowed. */
  readonly allowedOrigins?: readonly string[];
  /** Accepted `Host` headers; default the public URL's host (and loopback aliases when it is loopback). */
  readonly allowedHosts?: readonly string[];
  /**
   * Answer MCP POSTs with a JSON body instead of an SSE stream; default true when stateless (faster; tools' progress
   * notifications are then not streamed), false when stateful (server-to-client requests need the stream).
   */
  readonly mcpJsonResponse?: boolean;
  /**
   * Callers with the same key see the same `tools/list` for the life of the process (e.g. `() => 'all'` when the tool
   * set depends only on configuration). Stateless JSON `tools/list` answers are then serialized once per key.
   */
  readonly toolsListKey?: ToolsListKey;
  /** Request body limit in bytes; default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Default: edge observability (JSON lines on console, in-isolate metrics). The Node app passes pino/prom-client. */
  readonly observability?: Observability;
  /** Protects `GET /metrics` with this bearer token (`METRICS_TOKEN`). */
  readonly metricsToken?: string;
  /** `POST /api/webhooks/vercel`; the route answers 404 without it. */
  readonly vercelWebhook?: {
    readonly secret: string;
    readonly onEvent: (event: VercelWebhookEvent) => void | Promise<void>;
  };
  /** More health checks (the database's); the handler adds session store, rate limiter and auth keys itself. */
  readonly healthChecks?: readonly HealthCheck[];
  /** Serve the observability dashboard; default true. */
  readonly dashboard?: boolean;
  /** The session store, for its health check (the stateful store is used when this is absent). */
  readonly sessionStore?: StateStore;
  readonly version?: string;
}

/** Facts the platform adapter knows and the `Request` does not. */
export interface RequestInfo {
  readonly clientIp?: string;
}

export interface AtomsHandler {
  (request: Request, info?: RequestInfo): Promise<Response>;
  readonly observability: Observability;
  readonly mcpPath: string;
  /** Readiness answers 503 from now on (graceful shutdown); liveness still passes. */
  startDraining(): void;
  /** Signs a user in with the dev issuer (session + refresh family + access token); only when it is on. */
  issueDevTokens?(input: { userId: string; email?: string; scopes?: readonly string[] }): Promise<IssuedDevTokens>;
}

/**
 * The whole HTTP surface of the platform spec as one web-standard handler. Pipeline, outermost first:
 * observability (correlation id, request log, metrics) -> security headers -> Host/Origin allowlist -> CORS ->
 * error boundary -> body limit -> router; protected routes then run bearer auth -> identity -> session gate, and
 * the MCP route rate limiting -> MCP Streamable HTTP.
 */
export function createAtomsHandler(options: AtomsHandlerOptions): AtomsHandler {
  const publicUrl = new URL(options.publicUrl);
  const base = publicUrl.origin;
  const mcpPath = normalizePath(options.mcpPath ?? '/api/mcp');
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const obs =
    options.observability ?? createEdgeObservability({ service: 'atoms-mcp', version: options.version ?? '0.0.0' });
  const dev = options.devIssuer;

  const resourceMetadataUrl = `${base}/.well-known/oauth-protected-resource${mcpPath}`;
  const requiredScopes = options.auth.requiredScopes ?? [];
  const scopesSupported = options.auth.scopesSupported ?? requiredScopes;
  const auth = createBearerAuth({
    verifier: options.auth.verifier,
    ...(options.auth.revocation ? { isRevoked: options.auth.revocation.check } : {}),
    resolveIdentity: createIdentityResolution(
      options.auth.resolveExternalIdentity ? { resolveExternal: options.auth.resolveExternalIdentity } : {},
    ),
    ...(options.sessions
      ? {
          sessionGate: createSessionGate({
            sessions: options.sessions,
            ...(options.auth.riskPolicy ? { riskPolicy: options.auth.riskPolicy } : {}),
            ...(options.auth.audit ? { audit: options.auth.audit } : {}),
          }),
        }
      : {}),
    sessionClaimIssuers: dev ? [dev.issuer.issuer] : [],
    ...(options.auth.requireSession ? { requireSession: true } : {}),
    requiredScopes,
    ...(scopesSupported.length > 0 ? { challengeScope: scopesSupported.join(' ') } : {}),
    resourceMetadataUrl,
  });

  const rateLimiter =
    options.rateLimiter === false ? undefined : (options.rateLimiter ?? new MemoryRateLimiter({ limit: 60 }));
  const mcp = createMcpEndpoint({
    createMcpServer: options.createMcpServer,
    maxBodyBytes,
    ...(rateLimiter ? { rateLimiter } : {}),
    metrics: obs.metrics,
    ...(options.mcpJsonResponse === undefined ? {} : { jsonResponse: options.mcpJsonResponse }),
    ...(options.stateful ? { stateful: options.stateful } : {}),
    ...(options.toolsListKey ? { toolsListKey: options.toolsListKey } : {}),
  });

  const ipLimiter =
    options.ipRateLimiter === false ? undefined : (options.ipRateLimiter ?? new MemoryRateLimiter({ limit: 30 }));
  const byIp = (route: string, handler: RouteHandler): RouteHandler =>
    ipLimiter ? ipRateLimited(ipLimiter, route, handler) : handler;

  addHealthChecks(obs, options, rateLimiter);
  const health = healthRoutes(obs.health);

  const authed =
    (
      handler: (
        request: Request,
        state: RequestState,
        caller: Caller,
        params: Readonly<Record<string, string>>,
      ) => Promise<Response>,
    ): RouteHandler =>
    async (request, state, params) => {
      const outcome = await auth(request, state);
      if (!outcome.ok) return outcome.response;
      return handler(request, state, outcome.caller, params);
    };

  const mcpRoute = authed((request, state, caller) => mcp(request, state, caller));
  const resourceMetadata = protectedResourceMetadata({
    resource: `${base}${mcpPath}`,
    authorizationServers: options.auth.authorizationServers ?? (dev ? [dev.issuer.issuer] : []),
    scopesSupported,
    resourceName: 'Atoms MCP',
  });
  const metrics = obs.metricsHandler(options.metricsToken ? { token: options.metricsToken } : {});

  const router = new Router()
    .add(mcpPath, { POST: mcpRoute, GET: mcpRoute, DELETE: mcpRoute })
    .add('/health', { GET: health.full })
    .add('/health/live', { GET: health.live })
    .add('/health/ready', { GET: health.ready })
    .add('/metrics', { GET: (request) => metrics(request) })
    .add('/.well-known/oauth-protected-resource', { GET: resourceMetadata })
    .add(`/.well-known/oauth-protected-resource${mcpPath}`, { GET: resourceMetadata });

  if (options.auth.authorizationServerMetadataUrl) {
    router.add('/.well-known/oauth-authorization-server', {
      GET: proxiedAuthorizationServerMetadata({ url: options.auth.authorizationServerMetadataUrl }),
    });
  } else if (dev) {
    const metadata = dev.issuer.metadata({
      jwksUri: `${base}/.well-known/jwks.json`,
      tokenEndpoint: `${base}/auth/token`,
      ...(scopesSupported.length > 0 ? { scopesSupported } : {}),
    });
    router.add('/.well-known/oauth-authorization-server', {
      GET: async () =>
        new Response(JSON.stringify(metadata), {
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' },
        }),
    });
  }
  if (dev) {
    router.add('/.well-known/jwks.json', { GET: async () => dev.issuer.jwksResponse() });
    router.add('/auth/token', { POST: byIp('token', tokenEndpoint(dev)) });
  }
  if (options.sessions) {
    const routes = sessionRoutes(options.sessions);
    router.add('/api/sessions', {
      GET: authed(async (_r, _s, caller) => routes.list(caller)),
      DELETE: authed(async (_r, _s, caller) => routes.revokeOthers(caller)),
    });
    router.add('/api/sessions/:id', {
      DELETE: authed(async (_r, _s, caller, params) => routes.revoke(caller, params['id'] ?? '')),
    });
  }
  if (options.vercelWebhook) {
    const webhook = createVercelWebhookHandler({
      secret: options.vercelWebhook.secret,
      onEvent: options.vercelWebhook.onEvent,
      maxBodyBytes,
      logger: obs.logger,
      metrics: obs.metrics,
    });
    router.add('/api/webhooks/vercel', { POST: byIp('webhook', (request) => webhook(request)) });
  }
  if (options.dashboard !== false) {
    router.add('/api/observability/dashboard', { GET: () => obs.dashboardResponse() });
    router.add('/api/observability/dashboard.json', { GET: () => obs.dashboardJsonResponse() });
  }

  const origins = [...(options.allowedOrigins ?? []), base];
  const pipeline = compose(
    [
      securityHeaders(publicUrl.protocol === 'https:' ? {} : { hstsMaxAgeSeconds: 0 }),
      hostAllowlist({ allowedHosts: options.allowedHosts ?? defaultHosts(publicUrl), allowedOrigins: origins }),
      cors({
        allowedOrigins: origins,
        methodsFor: (pathname) => router.match('GET', pathname)?.allowed.filter((m) => m !== 'HEAD'),
      }),
      errorBoundary(),
      bodyLimit(maxBodyBytes),
    ],
    async (request, state) => {
      const match = router.match(request.method, state.url.pathname);
      if (!match) return errorResponse(404, 'not_found', 'no such route');
      if (!match.handler) {
        return errorResponse(405, 'method_not_allowed', `use ${match.allowed.join(', ')}`, {
          allow: match.allowed.join(', '),
        });
      }
      return match.handler(request, state, match.params);
    },
  );

  const handler = async (request: Request, info: RequestInfo = {}): Promise<Response> =>
    obs.http(request, (req, context) => {
      const url = new URL(req.url);
      return pipeline(req, { url, context, ...(info.clientIp ? { clientIp: info.clientIp } : {}) });
    });

  return Object.assign(handler, {
    observability: obs,
    mcpPath,
    startDraining: () => obs.health.startDraining(),
    ...(dev
      ? {
          issueDevTokens: (input: { userId: string; email?: string; scopes?: readonly string[] }) =>
            issueDevTokens(dev, input),
        }
      : {}),
  });
}

function normalizePath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') : withSlash;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function defaultHosts(url: URL): string[] {
  if (!LOOPBACK.has(url.hostname)) return [url.host];
  const port = url.port ? `:${url.port}` : '';
  return [...LOOPBACK].map((h) => `${h}${port}`);
}

function addHealthChecks(obs: Observability, options: AtomsHandlerOptions, limiter: RateLimiter | undefined): void {
  const checks: HealthCheck[] = [...(options.healthChecks ?? [])];
  const store = options.sessionStore ?? options.stateful?.store;
  if (store) {
    checks.push({
      name: 'session_store',
      componentType: 'datastore',
      check: async () => {
        await store.get({ ns: 'health', id: 'probe' });
      },
    });
  }
  if (limiter?.ping) {
    const ping = limiter.ping.bind(limiter);
    checks.push({ name: 'rate_limiter', componentType: 'rate_limiter', critical: false, check: () => ping() });
  }
  if (options.devIssuer) {
    const issuer = options.devIssuer.issuer;
    checks.push({
      name: 'auth_keys',
      componentType: 'auth',
      check: async () => (issuer.jwks().keys.length > 0 ? 'pass' : { status: 'fail', output: 'no signing key' }),
    });
  }
  for (const check of checks) {
    try {
      obs.health.addCheck(check);
    } catch {
      // The injected observability registered this component already: keep the app's own check.
    }
  }
}
