import { createEdgeLogger, type EdgeLoggerOptions } from './logging/edge-logger.js';
import { createInIsolateMetricsBackend } from './metrics/in-isolate-backend.js';
import { composeObservability, type Observability, type ObservabilityOptions } from './observability.js';

export type EdgeObservabilityOptions = Omit<ObservabilityOptions, 'logger' | 'metricsBackend' | 'carrier'> & {
  log?: Omit<EdgeLoggerOptions, 'service'>;
  /** OpenMetrics exposition with trace exemplars instead of Prometheus text (see `createInIsolateMetricsBackend`). */
  openMetrics?: boolean;
};

/** The edge wiring: JSON-line logger on `console.log`, in-isolate metrics, explicit context. */
export function createEdgeObservability(options: EdgeObservabilityOptions): Observability {
  return composeObservability({
    ...options,
    logger: createEdgeLogger({
      service: options.service,
      ...options.log,
      base: { version: options.version, ...options.log?.base },
    }),
    metricsBackend: createInIsolateMetricsBackend({ openMetrics: options.openMetrics }),
  });
}
