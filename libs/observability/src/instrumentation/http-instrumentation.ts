import type { ContextCarrier } from '../correlation/context-carrier.js';
import { explicitContextCarrier } from '../correlation/context-carrier.js';
import { correlationHeaders, correlationLogFields, extractCorrelation } from '../correlation/correlation-context.js';
import { hashIdentifier } from '../correlation/hash-identifier.js';
import type { PerformanceMonitor } from '../health/performance-monitor.js';
import type { Logger } from '../logging/logger.js';
import type { AtomsMetrics } from '../metrics/atoms-metrics.js';
import { routeTemplate } from '../metrics/route-template.js';
import type { RequestContext } from './request-context.js';

export type NextHandler = (request: Request, context: RequestContext) => Response | Promise<Response>;
export type HttpMiddleware = (request: Request, next: NextHandler) => Promise<Response>;

export interface HttpInstrumentationOptions {
  /** The root logger; the middleware derives the request's logger from it. */
  logger: Logger;
  metrics?: AtomsMetrics;
  performance?: PerformanceMonitor;
  /** AsyncLocalStorage carrier on Node (`nodeContextCarrier`); explicit (default) on the edge. */
  carrier?: ContextCarrier;
  /** The route template for a request when the router knows it; otherwise ids in the path are templated. */
  route?: (request: Request, pathname: string) => string | undefined;
  /** Requests at or above this duration are logged at warn with `slow: true`. Default 1000 ms. */
  slowRequestMs?: number;
  /** Salt for hashing session ids in logs (`identify`). */
  sessionHashSalt?: string;
  /** Paths not logged at info (still measured), e.g. health probes. Default: `/health/live`, `/health/ready`. */
  quietPaths?: readonly string[];
}

/** The path of an absolute request URL without allocating a `URL` (the hot path of every request). */
export function pathnameOf(url: string): string {
  const scheme = url.indexOf('://');
  const start = url.indexOf('/', scheme === -1 ? 0 : scheme + 3);
  if (start === -1) return '/';
  let end = url.length;
  const query = url.indexOf('?', start);
  if (query !== -1) end = query;
  const hash = url.indexOf('#', start);
  if (hash !== -1 && hash < end) end = hash;
  return url.slice(start, end);
}

/**
 * Web-standard HTTP middleware, `(request, next) => Response`: correlation ids in, request log line, duration and
 * in-flight metrics by method/route/status class, correlation headers echoed on the response. Errors thrown by
 * `next` are logged, counted as 5xx and rethrown (the server decides what the client sees).
 */
export function createHttpInstrumentation(options: HttpInstrumentationOptions): HttpMiddleware {
  const carrier = options.carrier ?? explicitContextCarrier;
  const slowMs = options.slowRequestMs ?? 1000;
  const quiet = new Set(options.quietPaths ?? ['/health/live', '/health/ready']);
  const { metrics, performance: monitor } = options;

  return async function instrumentHttp(request, next) {
    const startedAt = performance.now();
    const method = request.method;
    const pathname = pathnameOf(request.url);
    const route = options.route?.(request, pathname) ?? routeTemplate(pathname);
    const correlation = extractCorrelation(request.headers);
    correlation.method = method;
    correlation.route = route;
    const context: RequestContext = {
      correlation,
      logger: carrier.implicit ? options.logger : options.logger.child(correlationLogFields(correlation)),
      startedAt,
      async identify(identity) {
        const added: Record<string, string> = {};
        if (identity.userId) added['userId'] = correlation.userId = identity.userId;
        if (identity.sessionId) {
          added['sessionHash'] = correlation.sessionHash = await hashIdentifier(
            identity.sessionId,
            options.sessionHashSalt,
          );
        }
        if (!carrier.implicit) context.logger = context.logger.child(added);
      },
    };
    metrics?.httpRequestStarted(method);

    // One context scope for the handler and the completion line (entering AsyncLocalStorage costs per call).
    const response = await carrier.run(correlation, async () => {
      let result: Response;
      try {
        result = await next(request, context);
      } catch (error) {
        const durationMs = performance.now() - startedAt;
        metrics?.httpRequestFinished({
          method,
          route,
          status: 500,
          durationSeconds: durationMs / 1000,
          trace: correlation,
        });
        monitor?.record(`${method} ${route}`, durationMs, false);
        context.logger.error({ err: error, status: 500, durationMs: round(durationMs) }, 'request failed');
        throw error;
      }
      const durationMs = performance.now() - startedAt;
      const status = result.status;
      metrics?.httpRequestFinished({ method, route, status, durationSeconds: durationMs / 1000, trace: correlation });
      monitor?.record(`${method} ${route}`, durationMs, status < 500);
      // method and route are context fields already (bound or mixed in), so the line adds only the outcome.
      const fields = { status, durationMs: round(durationMs) };
      if (status >= 500) context.logger.error(fields, 'request completed');
      else if (durationMs >= slowMs) context.logger.warn({ ...fields, slow: true }, 'request completed');
      else if (!quiet.has(pathname)) context.logger.info(fields, 'request completed');
      return result;
    });
    return withHeaders(response, correlationHeaders(correlation));
  };
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Sets headers, copying the response first when its headers are immutable (e.g. a `fetch()` result). */
function withHeaders(response: Response, headers: Record<string, string>): Response {
  try {
    for (const name in headers) response.headers.set(name, headers[name] as string);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const name in headers) copy.headers.set(name, headers[name] as string);
    return copy;
  }
}
