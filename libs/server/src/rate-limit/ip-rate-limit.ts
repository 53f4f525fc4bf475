import { ipPrefix } from '@atoms/session';
import type { RouteHandler } from '../http/router.js';
import { errorResponse } from '../http/pipeline.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { RateLimiterUnavailableError, type RateLimiter } from './rate-limiter.js';

/** IPv4 addresses count one by one; IPv6 clients by their /56 (one subscriber's allocation). */
export function clientKey(ip: string): string {
  return ip.includes(':') && !ip.startsWith('::ffff:') ? (ipPrefix(ip) ?? ip) : ip.replace(/^::ffff:/, '');
}

/**
 * Rate limiting for routes without a verified user (token endpoint, webhooks): keyed by client address and route.
 * Requests whose address the adapter does not know are not limited here (they cannot be attributed).
 */
export function ipRateLimited(limiter: RateLimiter, route: string, handler: RouteHandler): RouteHandler {
  return async (request, state, params) => {
    if (!state.clientIp) return handler(request, state, params);
    let decision;
    try {
      decision = await limiter.consume(`ip:${clientKey(state.clientIp)}:${route}`);
    } catch (error) {
      if (error instanceof RateLimiterUnavailableError) {
        return errorResponse(503, 'temporarily_unavailable', 'rate limiting is unavailable', { 'retry-after': '5' });
      }
      throw error;
    }
    const headers = rateLimitHeaders(decision, limiter.windowMs, 'ip');
    if (!decision.allowed) {
      return errorResponse(429, 'rate_limited', 'too many requests from this address', Object.fromEntries(headers));
    }
    const response = await handler(request, state, params);
    for (const [name, value] of headers) response.headers.set(name, value);
    return response;
  };
}
