import type { HealthStatus } from '../health/health-types.js';
import { METRICS } from './metric-catalogue.js';
import type { MetricFamily, MetricsBackend } from './metric-types.js';
import { MetricsRegistry } from './metrics-registry.js';

export const statusClass = (status: number): string =>
  status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : '5xx';

export const HEALTH_STATUS_VALUE: Readonly<Record<HealthStatus, number>> = { pass: 1, warn: 0.5, fail: 0 };

/** The trace an observation belongs to; becomes the OpenMetrics exemplar `{trace_id, span_id}`. */
export interface TraceRef {
  traceId: string;
  spanId: string;
}

export interface HttpRequestSample {
  method: string;
  /** Route template (`/api/sessions/:id`); raw paths are templated, but a router's own template is better. */
  route: string;
  status: number;
  durationSeconds: number;
  trace?: TraceRef;
}

export interface McpOperationSample {
  /** JSON-RPC method (`tools/call`). */
  method: string;
  tool?: string;
  operation?: string;
  outcome: 'success' | 'tool_error' | 'error';
  errorType?: string;
  durationSeconds: number;
  trace?: TraceRef;
}

/**
 * The service's metrics, typed: one method per thing worth counting. Built on a backend (prom-client on Node,
 * the in-isolate registry on the edge); every label goes through the registry's bounds.
 */
export class AtomsMetrics {
  readonly registry: MetricsRegistry;
  readonly #exemplars: boolean;
  readonly #httpDuration;
  readonly #httpActive;
  readonly #mcpDuration;
  readonly #dbDuration;
  readonly #cache;
  readonly #sessionStore;
  readonly #rateLimited;
  readonly #activeSessions;
  readonly #health;
  readonly #alerts;
  readonly #vercel;

  constructor(backend: MetricsBackend) {
    const registry = new MetricsRegistry(backend);
    this.registry = registry;
    this.#exemplars = backend.exemplars;
    this.#httpDuration = registry.histogram(METRICS.httpServerRequestDuration);
    this.#httpActive = registry.gauge(METRICS.httpServerActiveRequests);
    this.#mcpDuration = registry.histogram(METRICS.mcpServerOperationDuration);
    this.#dbDuration = registry.histogram(METRICS.dbClientOperationDuration);
    this.#cache = registry.counter(METRICS.cacheOperations);
    this.#sessionStore = registry.histogram(METRICS.sessionStoreOperationDuration);
    this.#rateLimited = registry.counter(METRICS.rateLimitedRequests);
    this.#activeSessions = registry.gauge(METRICS.activeSessions);
    this.#health = registry.gauge(METRICS.healthStatus);
    this.#alerts = registry.counter(METRICS.alertDeliveries);
    this.#vercel = registry.counter(METRICS.vercelWebhooks);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.render();
  }

  collect(): Promise<MetricFamily[]> {
    return this.registry.collect();
  }

  httpRequestStarted(method: string): void {
    this.#httpActive.inc({ http_request_method: method });
  }

  httpRequestFinished(sample: HttpRequestSample): void {
    this.#httpActive.dec({ http_request_method: sample.method });
    this.recordHttpRequest(sample);
  }

  recordHttpRequest(sample: HttpRequestSample): void {
    this.#httpDuration.observe(
      {
        http_request_method: sample.method,
        http_route: sample.route,
        http_response_status_class: statusClass(sample.status),
      },
      sample.durationSeconds,
      this.#exemplar(sample.trace),
    );
  }

  recordMcpOperation(sample: McpOperationSample): void {
    this.#mcpDuration.observe(
      {
        mcp_method_name: sample.method,
        gen_ai_tool_name: sample.tool ?? '',
        atoms_operation: sample.operation ?? '',
        outcome: sample.outcome,
        error_type: sample.errorType ?? '',
      },
      sample.durationSeconds,
      this.#exemplar(sample.trace),
    );
  }

  recordDbOperation(sample: {
    system: string;
    operation: string;
    outcome: 'success' | 'error';
    durationSeconds: number;
    trace?: TraceRef;
  }): void {
    this.#dbDuration.observe(
      { db_system_name: sample.system, db_operation_name: sample.operation, outcome: sample.outcome },
      sample.durationSeconds,
      this.#exemplar(sample.trace),
    );
  }

  recordCacheOperation(sample: { cache: string; operation: string; result: string }): void {
    this.#cache.inc({ cache_name: sample.cache, cache_operation: sample.operation, cache_result: sample.result });
  }

  recordSessionStoreOperation(sample: {
    store: string;
    operation: string;
    outcome: 'success' | 'error';
    durationSeconds: number;
  }): void {
    this.#sessionStore.observe(
      { session_store: sample.store, session_operation: sample.operation, outcome: sample.outcome },
      sample.durationSeconds,
    );
  }

  recordRateLimited(sample: { tool: string; key: 'user' | 'ip' | 'session' }): void {
    this.#rateLimited.inc({ gen_ai_tool_name: sample.tool, rate_limit_key: sample.key });
  }

  setActiveSessions(count: number): void {
    this.#activeSessions.set({}, count);
  }

  setHealthStatus(component: string, status: HealthStatus): void {
    this.#health.set({ health_component: component }, HEALTH_STATUS_VALUE[status]);
  }

  recordAlertDelivery(eventType: string, outcome: 'delivered' | 'failed'): void {
    this.#alerts.inc({ alert_event_type: eventType, outcome });
  }

  recordVercelWebhook(eventType: string, outcome: 'accepted' | 'rejected'): void {
    this.#vercel.inc({ vercel_event_type: eventType, outcome });
  }

  #exemplar(trace: TraceRef | undefined): Record<string, string> | undefined {
    return this.#exemplars && trace ? { trace_id: trace.traceId, span_id: trace.spanId } : undefined;
  }
}
