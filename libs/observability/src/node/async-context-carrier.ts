import { AsyncLocalStorage } from 'node:async_hooks';
import type { ContextCarrier } from '../correlation/context-carrier.js';
import type { CorrelationContext } from '../correlation/correlation-context.js';

/**
 * AsyncLocalStorage carrier: `current()` returns the context of the `run()` that started the current async
 * chain, across awaits, timers and callbacks, and never another request's.
 */
export function createAsyncContextCarrier(): ContextCarrier & { storage: AsyncLocalStorage<CorrelationContext> } {
  const storage = new AsyncLocalStorage<CorrelationContext>();
  return {
    implicit: true,
    storage,
    run: (context, fn) => storage.run(context, fn),
    current: () => storage.getStore(),
  };
}

/** The process-wide carrier used by the Node helpers unless given another. */
export const nodeContextCarrier = createAsyncContextCarrier();

/** The correlation context of the code calling it, if it runs under an instrumented request or tool call. */
export const currentCorrelation = (): CorrelationContext | undefined => nodeContextCarrier.current();
