import type { RateLimitDecision } from './rate-limiter.js';

/**
 * IETF `RateLimit-Policy` / `RateLimit` (draft-ietf-httpapi-ratelimit-headers, structured-field form) and, when
 * refused, `Retry-After` in whole seconds.
 */
export function rateLimitHeaders(
  decision: RateLimitDecision,
  windowMs: number,
  policy = 'user-tool',
): [string, string][] {
  const resetSeconds = Math.max(0, Math.ceil(decision.resetMs / 1000));
  const headers: [string, string][] = [
    ['RateLimit-Policy', `"${policy}";q=${decision.limit};w=${Math.round(windowMs / 1000)}`],
    ['RateLimit', `"${policy}";r=${decision.remaining};t=${resetSeconds}`],
  ];
  if (!decision.allowed) headers.push(['Retry-After', String(Math.max(1, resetSeconds))]);
  return headers;
}
