/**
 * @atoms/observability/node — the Node-only half: pino logger, AsyncLocalStorage context, prom-client registry
 * with process metrics, and the Node wiring of everything in the isomorphic entry.
 */
export { createAsyncContextCarrier, currentCorrelation, nodeContextCarrier } from './async-context-carrier.js';
export { createNodeLogger, isServerless, type NodeLogger, type NodeLoggerOptions } from './pino-logger.js';
export { createPromClientBackend, type PromClientBackendOptions } from './prom-client-backend.js';
export {
  createNodeObservability,
  type NodeObservability,
  type NodeObservabilityOptions,
} from './node-observability.js';
