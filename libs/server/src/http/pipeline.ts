import type { RequestContext } from '@atoms/observability';

/** What every stage of the pipeline knows about the request besides the `Request` itself. */
export interface RequestState {
  readonly url: URL;
  /** The client address the platform adapter trusts (socket address or a trusted proxy's header). */
  readonly clientIp?: string;
  /** The observability context: correlation ids and the request's logger. */
  readonly context: RequestContext;
}

export type Next = (request: Request, state: RequestState) => Promise<Response>;
export type Middleware = (request: Request, state: RequestState, next: Next) => Promise<Response>;

/** Runs middlewares outermost first, ending in `last`. */
export function compose(middlewares: readonly Middleware[], last: Next): Next {
  return middlewares.reduceRight<Next>(
    (next, middleware) => (request, state) => middleware(request, state, next),
    last,
  );
}

/**
 * Sets headers on a response. Responses built by `fetch` (or frozen by a runtime) have immutable headers; those are
 * copied first, keeping the body stream.
 */
export function withHeaders(response: Response, headers: Iterable<[string, string]>, onlyIfAbsent = false): Response {
  const entries = [...headers];
  try {
    for (const [name, value] of entries)
      if (!onlyIfAbsent || !response.headers.has(name)) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of entries) if (!onlyIfAbsent || !copy.headers.has(name)) copy.headers.set(name, value);
    return copy;
  }
}

/** A JSON response with `cache-control: no-store` unless told otherwise. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** The error envelope of every non-MCP route: `{ error, error_description }` (OAuth style, RFC 6749 section 5.2). */
export function errorResponse(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { error, error_description: description }, headers);
}
