/**
 * @atoms/observability — logging, correlation, metrics, health, tool instrumentation, webhooks and the dashboard.
 * Isomorphic entry: runs on Node and in V8 isolates (Vercel Edge). Node-only parts (pino, prom-client,
 * AsyncLocalStorage) are in `@atoms/observability/node`.
 */
export type { LogBindings, LogFn, Logger, LogLevel } from './logging/logger.js';
export { LOG_FIELDS, LOG_LEVEL_VALUES } from './logging/logger.js';
export { createRedactor, REDACTED, type RedactionOptions, type Redactor } from './logging/redaction.js';
export { serializeError, type SerializedError } from './logging/error-serializer.js';
export { createEdgeLogger, type EdgeLoggerOptions } from './logging/edge-logger.js';

export {
  CORRELATION_HEADERS,
  correlationHeaders,
  correlationLogFields,
  type CorrelationContext,
  deriveCallContext,
  extractCorrelation,
  type HeaderSource,
  newCorrelation,
  outgoingTraceParent,
} from './correlation/correlation-context.js';
export { formatTraceParent, parseTraceParent, type TraceParent } from './correlation/traceparent.js';
export { type ContextCarrier, explicitContextCarrier } from './correlation/context-carrier.js';
export { hashIdentifier } from './correlation/hash-identifier.js';

export type {
  CounterHandle,
  ExemplarLabels,
  GaugeHandle,
  HistogramHandle,
  LabelRule,
  Labels,
  MetricDefinition,
  MetricFamily,
  MetricSample,
  MetricsBackend,
  MetricType,
} from './metrics/metric-types.js';
export { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, validExemplar } from './metrics/metric-types.js';
export { looksLikeIdentifier, OTHER_LABEL_VALUE, type LabelRejectionReason } from './metrics/label-guard.js';
export { LABEL_REJECTIONS_METRIC, MetricsRegistry } from './metrics/metrics-registry.js';
export { createInIsolateMetricsBackend } from './metrics/in-isolate-backend.js';
export { renderOpenMetricsText, renderPrometheusText } from './metrics/prometheus-text.js';
export * from './metrics/metric-catalogue.js';
export { routeTemplate } from './metrics/route-template.js';
export {
  AtomsMetrics,
  HEALTH_STATUS_VALUE,
  type HttpRequestSample,
  type McpOperationSample,
  statusClass,
  type TraceRef,
} from './metrics/atoms-metrics.js';
export { type BucketCount, histogramQuantile, mergedBuckets } from './metrics/histogram-quantile.js';
export { metricsHandler } from './metrics/metrics-endpoint.js';

export type {
  CheckResult,
  ComponentReport,
  ComponentType,
  HealthCheck,
  HealthReport,
  HealthStatus,
  HealthTransition,
} from './health/health-types.js';
export { aggregateStatus } from './health/aggregate-status.js';
export {
  HEALTH_CONTENT_TYPE,
  healthResponse,
  HealthService,
  type HealthServiceOptions,
} from './health/health-service.js';
export {
  type OperationStats,
  percentile,
  PerformanceMonitor,
  type PerformanceMonitorOptions,
  type PerformanceThresholds,
} from './health/performance-monitor.js';

export type { RequestContext } from './instrumentation/request-context.js';
export {
  createHttpInstrumentation,
  type HttpInstrumentationOptions,
  type HttpMiddleware,
  type NextHandler,
  pathnameOf,
} from './instrumentation/http-instrumentation.js';
export {
  defaultErrorType,
  instrumentTool,
  type ToolCallContext,
  type ToolExtraLike,
  type ToolInstrumentationOptions,
} from './instrumentation/tool-instrumentation.js';

export {
  ALERT_EVENT_TYPES,
  ALERT_SEVERITIES,
  type AlertEventType,
  type AlertInput,
  type AlertPayload,
  type AlertSeverity,
  buildAlertPayload,
} from './webhooks/alert-event.js';
export {
  type AlertDelivery,
  AlertDispatcher,
  type AlertDispatcherOptions,
  type AlertReport,
  type AlertWebhook,
} from './webhooks/alert-dispatcher.js';
export { alertOnHealthTransitions } from './webhooks/health-alerts.js';
export {
  createVercelWebhookHandler,
  isVercelDeploymentEvent,
  VERCEL_DEPLOYMENT_EVENTS,
  VERCEL_SIGNATURE_HEADER,
  type VercelDeploymentEvent,
  type VercelDeploymentEventType,
  type VercelDeploymentPayload,
  type VercelOtherEvent,
  vercelEventToAlert,
  VercelWebhookError,
  type VercelWebhookErrorCode,
  type VercelWebhookEvent,
  type VercelWebhookHandlerOptions,
  verifyVercelWebhook,
} from './webhooks/vercel-webhook.js';
export { hmacHex, timingSafeEqual } from './webhooks/hmac.js';

export {
  DashboardSource,
  type DashboardSnapshot,
  type DashboardSourceOptions,
  type LatencySummary,
  type ToolUsage,
} from './dashboard/dashboard-snapshot.js';
export {
  DEFAULT_DASHBOARD_JSON_PATH,
  type DashboardPage,
  type DashboardPageOptions,
  dashboardContentSecurityPolicy,
  dashboardJsonResponse,
  dashboardResponse,
  renderDashboardPage,
} from './dashboard/dashboard-page.js';

export {
  composeObservability,
  type Observability,
  type ObservabilityOptions,
  type ToolOptions,
} from './observability.js';
export { createEdgeObservability, type EdgeObservabilityOptions } from './edge-observability.js';
