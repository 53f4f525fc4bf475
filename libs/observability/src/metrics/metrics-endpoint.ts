import { timingSafeEqual } from '../webhooks/hmac.js';
import type { AtomsMetrics } from './atoms-metrics.js';

const encoder = new TextEncoder();

/**
 * `GET /metrics`: Prometheus text. With a token, requests must carry `Authorization: Bearer <token>` (compared in
 * constant time); others get 401 with a `WWW-Authenticate` challenge.
 */
export function metricsHandler(
  metrics: AtomsMetrics,
  options: { token?: string } = {},
): (request: Request) => Promise<Response> {
  const expected = options.token ? encoder.encode(options.token) : undefined;
  return async (request) => {
    if (expected) {
      const header = request.headers.get('authorization') ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match || !timingSafeEqual(encoder.encode(match[1] as string), expected)) {
        return new Response('unauthorized\n', {
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' },
        });
      }
    }
    return new Response(await metrics.render(), {
      status: 200,
      headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' },
    });
  };
}
