import { errorResponse, type Middleware } from './pipeline.js';

export interface HostAllowlistOptions {
  /** Accepted `Host` values (`host` or `host:port`, case-insensitive). `['*']` disables the check. */
  readonly allowedHosts: readonly string[];
  /** Accepted `Origin` values (`scheme://host[:port]`). `['*']` accepts any origin. */
  readonly allowedOrigins: readonly string[];
}

/**
 * DNS-rebinding protection: a page on an attacker's domain that resolves to this server sends its own `Host` and
 * `Origin`, so both are checked against allowlists before anything else runs (403). Requests without `Origin`
 * (non-browser clients) pass the origin check.
 */
export function hostAllowlist(options: HostAllowlistOptions): Middleware {
  const anyHost = options.allowedHosts.includes('*');
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const anyOrigin = options.allowedOrigins.includes('*');
  const origins = new Set(options.allowedOrigins.map((o) => o.toLowerCase()));
  return async (request, state, next) => {
    if (!anyHost) {
      const host = (request.headers.get('host') ?? state.url.host).toLowerCase();
      if (!hosts.has(host) && !hosts.has(stripPort(host))) {
        return errorResponse(403, 'forbidden', 'Host not allowed');
      }
    }
    const origin = request.headers.get('origin');
    if (origin !== null && !anyOrigin && !origins.has(origin.toLowerCase())) {
      return errorResponse(403, 'forbidden', 'Origin not allowed');
    }
    return next(request, state);
  };
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
