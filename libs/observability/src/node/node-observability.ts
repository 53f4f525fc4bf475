import type { ObservabilityOptions } from '../observability.js';
import { composeObservability, type Observability } from '../observability.js';
import { nodeContextCarrier } from './async-context-carrier.js';
import { createNodeLogger, type NodeLogger, type NodeLoggerOptions } from './pino-logger.js';
import { createPromClientBackend, type PromClientBackendOptions } from './prom-client-backend.js';

export type NodeObservabilityOptions = Omit<ObservabilityOptions, 'logger' | 'metricsBackend' | 'carrier'> & {
  log?: Omit<NodeLoggerOptions, 'service' | 'carrier'>;
  prometheus?: PromClientBackendOptions;
};

export type NodeObservability = Observability & { logger: NodeLogger };

/** The Node wiring: pino (sync stdout by default), prom-client with process metrics, AsyncLocalStorage context. */
export function createNodeObservability(options: NodeObservabilityOptions): NodeObservability {
  const logger = createNodeLogger({
    service: options.service,
    ...options.log,
    base: { version: options.version, ...options.log?.base },
    carrier: nodeContextCarrier,
  });
  const observability = composeObservability({
    ...options,
    logger,
    metricsBackend: createPromClientBackend(options.prometheus),
    carrier: nodeContextCarrier,
  });
  return { ...observability, logger };
}
