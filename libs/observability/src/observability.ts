import type { ContextCarrier } from './correlation/context-carrier.js';
import { explicitContextCarrier } from './correlation/context-carrier.js';
import { DashboardSource } from './dashboard/dashboard-snapshot.js';
import { dashboardJsonResponse, type DashboardPageOptions, dashboardResponse } from './dashboard/dashboard-page.js';
import { HealthService, type HealthServiceOptions } from './health/health-service.js';
import { PerformanceMonitor, type PerformanceMonitorOptions } from './health/performance-monitor.js';
import {
  createHttpInstrumentation,
  type HttpInstrumentationOptions,
  type HttpMiddleware,
} from './instrumentation/http-instrumentation.js';
import {
  instrumentTool,
  type ToolCallContext,
  type ToolExtraLike,
  type ToolInstrumentationOptions,
} from './instrumentation/tool-instrumentation.js';
import type { Logger } from './logging/logger.js';
import { AtomsMetrics } from './metrics/atoms-metrics.js';
import type { MetricsBackend } from './metrics/metric-types.js';
import { metricsHandler } from './metrics/metrics-endpoint.js';

export interface ObservabilityOptions {
  service: string;
  version: string;
  logger: Logger;
  metricsBackend: MetricsBackend;
  carrier?: ContextCarrier;
  health?: Omit<HealthServiceOptions, 'serviceId' | 'version' | 'metrics'>;
  /** Rolling performance monitor (added to health as the non-critical `performance` check); `false` for none. */
  performance?: PerformanceMonitorOptions | false;
  http?: Omit<HttpInstrumentationOptions, 'logger' | 'metrics' | 'performance' | 'carrier'>;
}

export type ToolOptions<Args> = Omit<
  ToolInstrumentationOptions<Args>,
  'logger' | 'metrics' | 'performance' | 'carrier'
>;

/** Everything one service needs, wired together: the result of `createEdgeObservability` / `createNodeObservability`. */
export interface Observability {
  logger: Logger;
  metrics: AtomsMetrics;
  carrier: ContextCarrier;
  performance: PerformanceMonitor | undefined;
  health: HealthService;
  /** `(request, next) => Response` middleware. */
  http: HttpMiddleware;
  dashboard: DashboardSource;
  instrumentTool<Args, Extra extends ToolExtraLike | undefined, Result>(
    tool: string,
    handler: (args: Args, extra: Extra, call: ToolCallContext) => Result | Promise<Result>,
    options?: ToolOptions<Args>,
  ): (args: Args, extra: Extra) => Promise<Result>;
  /** `GET /metrics`, optionally bearer-protected. */
  metricsHandler(options?: { token?: string }): (request: Request) => Promise<Response>;
  dashboardResponse(options?: DashboardPageOptions): Promise<Response>;
  dashboardJsonResponse(): Promise<Response>;
}

export function composeObservability(options: ObservabilityOptions): Observability {
  const { logger } = options;
  const carrier = options.carrier ?? explicitContextCarrier;
  const metrics = new AtomsMetrics(options.metricsBackend);
  const performance = options.performance === false ? undefined : new PerformanceMonitor(options.performance);
  const health = new HealthService({
    ...options.health,
    serviceId: options.service,
    version: options.version,
    metrics,
  });
  if (performance) health.addCheck(performance.asHealthCheck());
  const dashboard = new DashboardSource({
    service: options.service,
    version: options.version,
    metrics,
    health,
    performance,
  });
  return {
    logger,
    metrics,
    carrier,
    performance,
    health,
    http: createHttpInstrumentation({ ...options.http, logger, metrics, performance, carrier }),
    dashboard,
    instrumentTool: (tool, handler, toolOptions) =>
      instrumentTool(tool, handler, { ...toolOptions, logger, metrics, performance, carrier }),
    metricsHandler: (handlerOptions) => metricsHandler(metrics, handlerOptions),
    dashboardResponse: async (pageOptions) => dashboardResponse(await dashboard.snapshot(), pageOptions),
    dashboardJsonResponse: async () => dashboardJsonResponse(await dashboard.snapshot()),
  };
}
