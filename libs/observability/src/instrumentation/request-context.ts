import type { CorrelationContext } from '../correlation/correlation-context.js';
import type { Logger } from '../logging/logger.js';

/** What the HTTP middleware hands the next handler: the request's correlation and a logger bound to it. */
export interface RequestContext {
  correlation: CorrelationContext;
  logger: Logger;
  /** `performance.now()` when the middleware saw the request. */
  startedAt: number;
  /**
   * Records who is calling once auth has run: sets `userId` and the hashed session id on the context, so the
   * request's remaining log lines (and its completion line) carry them.
   */
  identify(identity: { userId?: string; sessionId?: string }): Promise<void>;
}
