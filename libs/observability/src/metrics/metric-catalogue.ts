import { ALERT_EVENT_TYPES } from '../webhooks/alert-event.js';
import type { MetricDefinition } from './metric-types.js';
import { routeTemplate } from './route-template.js';

/**
 * The metrics every Atoms service exports. Names follow the OpenTelemetry semantic conventions converted to
 * Prometheus (dots to underscores, unit suffix, `_total` for counters); durations are in seconds. Buckets are the
 * OpenTelemetry advisory buckets where the conventions give them. The README's catalogue is generated from this
 * list's content (kept in sync by a test).
 */

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
export const OUTCOMES = ['success', 'error'] as const;
/** `tool_error`: the tool returned `isError: true` (a handled failure); `error`: the handler threw. */
export const TOOL_OUTCOMES = ['success', 'tool_error', 'error'] as const;
export const MCP_METHODS = [
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'notifications/initialized',
  'notifications/cancelled',
] as const;
export const DB_SYSTEMS = ['postgresql', 'pglite', 'supabase'] as const;
export const DB_OPERATIONS = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'UPSERT',
  'RPC',
  'BEGIN',
  'COMMIT',
  'ROLLBACK',
  'TRANSACTION',
  'MIGRATE',
] as const;
export const SESSION_STORES = ['memory', 'redis', 'upstash', 'postgres'] as const;
export const CACHE_OPERATIONS = ['get', 'set', 'delete', 'clear'] as const;
export const CACHE_RESULTS = ['hit', 'miss', 'ok', 'error'] as const;
export const RATE_LIMIT_KEYS = ['user', 'ip', 'session'] as const;

const upper = (value: string) => value.toUpperCase();

/** OpenTelemetry http.server.request.duration advisory buckets (seconds). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** OpenTelemetry mcp.server.operation.duration advisory buckets (seconds). */
export const MCP_DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
/** OpenTelemetry db.client.operation.duration advisory buckets (seconds). */
export const DB_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];
/** Key-value store round trips: sub-millisecond (memory) to a slow REST call. */
export const STORE_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

export const METRICS = {
  httpServerRequestDuration: {
    name: 'http_server_request_duration_seconds',
    help: 'Duration of inbound HTTP requests (OTel http.server.request.duration); _count is the request count.',
    type: 'histogram',
    unit: 's',
    labels: {
      http_request_method: { values: HTTP_METHODS, normalize: upper },
      http_route: { normalize: routeTemplate, maxValues: 200 },
      http_response_status_class: { values: STATUS_CLASSES },
    },
    buckets: HTTP_DURATION_BUCKETS,
  },
  httpServerActiveRequests: {
    name: 'http_server_active_requests',
    help: 'Inbound HTTP requests in flight (OTel http.server.active_requests).',
    type: 'gauge',
    unit: '{request}',
    labels: { http_request_method: { values: HTTP_METHODS, normalize: upper } },
  },
  mcpServerOperationDuration: {
    name: 'mcp_server_operation_duration_seconds',
    help: 'Duration of MCP requests handled by the server (OTel mcp.server.operation.duration), by tool and operation.',
    type: 'histogram',
    unit: 's',
    labels: {
      mcp_method_name: { values: MCP_METHODS },
      gen_ai_tool_name: { maxValues: 64 },
      atoms_operation: { maxValues: 200 },
      outcome: { values: TOOL_OUTCOMES },
      error_type: { maxValues: 50 },
    },
    buckets: MCP_DURATION_BUCKETS,
  },
  dbClientOperationDuration: {
    name: 'db_client_operation_duration_seconds',
    help: 'Duration of database operations (OTel db.client.operation.duration).',
    type: 'histogram',
    unit: 's',
    labels: {
      db_system_name: { values: DB_SYSTEMS },
      db_operation_name: { values: DB_OPERATIONS, normalize: upper },
      outcome: { values: OUTCOMES },
    },
    buckets: DB_DURATION_BUCKETS,
  },
  cacheOperations: {
    name: 'atoms_cache_operations_total',
    help: 'Cache operations by cache, operation and result (hit/miss for reads).',
    type: 'counter',
    unit: '{operation}',
    labels: {
      cache_name: { maxValues: 32 },
      cache_operation: { values: CACHE_OPERATIONS },
      cache_result: { values: CACHE_RESULTS },
    },
  },
  sessionStoreOperationDuration: {
    name: 'atoms_session_store_operation_duration_seconds',
    help: 'Duration of session store operations by backend and operation.',
    type: 'histogram',
    unit: 's',
    labels: {
      session_store: { values: SESSION_STORES },
      session_operation: { maxValues: 32 },
      outcome: { values: OUTCOMES },
    },
    buckets: STORE_DURATION_BUCKETS,
  },
  rateLimitedRequests: {
    name: 'atoms_rate_limited_requests_total',
    help: 'Requests refused with 429 by the rate limiter, by tool and limiter key type.',
    type: 'counter',
    unit: '{request}',
    labels: { gen_ai_tool_name: { maxValues: 64 }, rate_limit_key: { values: RATE_LIMIT_KEYS } },
  },
  activeSessions: {
    name: 'atoms_sessions_active',
    help: 'Sessions currently active (not expired, not revoked) as last reported by the session store.',
    type: 'gauge',
    unit: '{session}',
    labels: {},
  },
  healthStatus: {
    name: 'atoms_health_status',
    help: 'Last health check result per component: 1 pass, 0.5 warn, 0 fail.',
    type: 'gauge',
    unit: '1',
    labels: { health_component: { maxValues: 32 } },
  },
  alertDeliveries: {
    name: 'atoms_alert_webhook_deliveries_total',
    help: 'Outgoing alert webhook deliveries by event type and final outcome (after retries).',
    type: 'counter',
    unit: '{delivery}',
    labels: {
      alert_event_type: { values: ALERT_EVENT_TYPES },
      outcome: { values: ['delivered', 'failed'] },
    },
  },
  vercelWebhooks: {
    name: 'atoms_vercel_webhooks_received_total',
    help: 'Inbound Vercel webhooks by event type and verification outcome.',
    type: 'counter',
    unit: '{request}',
    labels: { vercel_event_type: { maxValues: 32 }, outcome: { values: ['accepted', 'rejected'] } },
  },
} as const satisfies Record<string, MetricDefinition>;
