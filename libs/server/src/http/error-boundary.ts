import { errorResponse, type Middleware } from './pipeline.js';

/**
 * Turns an unexpected error into a 500 that says nothing about internals, logged once with the request's
 * correlation id (which the client sees in `X-Correlation-ID` to report it). A request whose client went away
 * mid-way is not a server error: it is logged at info and answered 499 (nginx's "client closed request"), which
 * nobody reads but keeps the 5xx metrics and alerts about the server.
 */
export function errorBoundary(): Middleware {
  return async (request, state, next) => {
    try {
      return await next(request, state);
    } catch (error) {
      if (request.signal.aborted) {
        state.context.logger.info({ reason: describe(error) }, 'client closed request');
        return errorResponse(499, 'client_closed_request', 'the client closed the request');
      }
      state.context.logger.error({ err: error }, 'unhandled error');
      return errorResponse(500, 'internal_error', 'internal server error');
    }
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
