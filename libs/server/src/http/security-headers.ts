import { withHeaders, type Middleware } from './pipeline.js';

/** An API answer is never a document: nothing may load from it, nothing may frame it. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

export interface SecurityHeadersOptions {
  /** `Strict-Transport-Security` max-age in seconds; default two years; 0 disables the header. */
  readonly hstsMaxAgeSeconds?: number;
}

/**
 * Security headers on every response. A route that sets its own `Content-Security-Policy` (the dashboard's, with
 * hashes of its inline assets) keeps it. `X-Powered-By` is removed if anything upstream added it.
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): Middleware {
  const hsts = options.hstsMaxAgeSeconds ?? 63_072_000;
  const fixed: [string, string][] = [
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
    ['referrer-policy', 'no-referrer'],
    ['cross-origin-resource-policy', 'same-site'],
  ];
  if (hsts > 0) fixed.push(['strict-transport-security', `max-age=${hsts}; includeSubDomains`]);
  return async (request, state, next) => {
    const response = withHeaders(await next(request, state), fixed);
    const withCsp = withHeaders(response, [['content-security-policy', API_CONTENT_SECURITY_POLICY]], true);
    withCsp.headers.delete('x-powered-by');
    return withCsp;
  };
}
