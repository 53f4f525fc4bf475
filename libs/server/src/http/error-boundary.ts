import { errorResponse, type Middleware } from './pipeline.js';

/**
 * Turns an unexpected error into a 500 that says nothing about internals, logged once with the request's
 * correlation id (which the client sees in `X-Correlation-ID` to report it).
 */
export function errorBoundary(): Middleware {
  return async (request, state, next) => {
    try {
      return await next(request, state);
    } catch (error) {
      state.context.logger.error({ err: error }, 'unhandled error');
      return errorResponse(500, 'internal_error', 'internal server error');
    }
  };
}
