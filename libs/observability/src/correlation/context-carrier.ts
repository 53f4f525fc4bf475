import type { CorrelationContext } from './correlation-context.js';

/**
 * How the current correlation context reaches code that was not handed it.
 *  - On Node, an AsyncLocalStorage carrier (`@atoms/observability/node`) makes `current()` work anywhere below
 *    `run()`, across awaits, and the pino logger mixes the context into every line (`implicit: true`).
 *  - On the edge there is no ambient context: the context travels explicitly (the middleware passes it to the
 *    handler with a logger bound to it), and `current()` returns undefined.
 */
export interface ContextCarrier {
  /** True when `current()` works across awaits and loggers add the context by themselves. */
  readonly implicit: boolean;
  run<T>(context: CorrelationContext, fn: () => T): T;
  current(): CorrelationContext | undefined;
}

export const explicitContextCarrier: ContextCarrier = {
  implicit: false,
  run: <T>(_context: CorrelationContext, fn: () => T): T => fn(),
  current: () => undefined,
};
