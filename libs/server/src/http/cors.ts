import { withHeaders, type Middleware } from './pipeline.js';

export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Mcp-Session-Id',
  'MCP-Protocol-Version',
  'Last-Event-ID',
  'X-Correlation-ID',
  'X-Request-ID',
  'traceparent',
  'X-Atoms-Session-Id',
] as const;

export const CORS_EXPOSED_HEADERS = [
  'Mcp-Session-Id',
  'WWW-Authenticate',
  'X-Correlation-ID',
  'RateLimit',
  'RateLimit-Policy',
  'Retry-After',
] as const;

export interface CorsOptions {
  /** Origins allowed to read responses; `['*']` for any (credentials are bearer headers, never cookies). */
  readonly allowedOrigins: readonly string[];
  /** Preflight cache lifetime in seconds; default 600. */
  readonly maxAgeSeconds?: number;
  /** Methods a path accepts, for the preflight answer; unknown paths get the full set. */
  readonly methodsFor?: (pathname: string) => readonly string[] | undefined;
}

/**
 * CORS for browser MCP clients: answers preflight on every route (204), and puts the allow/expose headers on every
 * response to an allowed origin — error responses included, so a browser can read `WWW-Authenticate` on a 401.
 * Disallowed origins never reach here (the host/origin allowlist answers 403 first).
 */
export function cors(options: CorsOptions): Middleware {
  const anyOrigin = options.allowedOrigins.includes('*');
  const allowed = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  const maxAge = String(options.maxAgeSeconds ?? 600);
  const allowHeaders = CORS_ALLOWED_HEADERS.join(', ');
  const exposeHeaders = CORS_EXPOSED_HEADERS.join(', ');
  return async (request, state, next) => {
    const origin = request.headers.get('origin');
    const permitted = origin !== null && (anyOrigin || allowed.has(origin.toLowerCase()));
    if (request.method === 'OPTIONS') {
      const methods = options.methodsFor?.(state.url.pathname) ?? ['GET', 'POST', 'DELETE'];
      const headers: Record<string, string> = { vary: 'Origin', allow: [...methods, 'OPTIONS'].join(', ') };
      if (permitted) {
        headers['access-control-allow-origin'] = origin;
        headers['access-control-allow-methods'] = [...methods, 'OPTIONS'].join(', ');
        headers['access-control-allow-headers'] = allowHeaders;
        headers['access-control-max-age'] = maxAge;
      }
      return new Response(null, { status: 204, headers });
    }
    const response = await next(request, state);
    if (!permitted) return withHeaders(response, [['vary', 'Origin']]);
    return withHeaders(response, [
      ['access-control-allow-origin', origin],
      ['access-control-expose-headers', exposeHeaders],
      ['vary', 'Origin'],
    ]);
  };
}
