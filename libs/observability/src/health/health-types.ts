/** Health vocabulary of draft-inadarei-api-health-check (`application/health+json`). */
export type HealthStatus = 'pass' | 'warn' | 'fail';

export type ComponentType =
  | 'database'
  | 'datastore'
  | 'cache'
  | 'auth'
  | 'external_api'
  | 'rate_limiter'
  | 'system'
  | 'component';

export interface CheckResult {
  status: HealthStatus;
  /** Human-readable reason, shown for warn/fail. Scrubbed of credentials before it is reported. */
  output?: string;
  /** Extra machine-readable facts (pool size, key count, ...). */
  details?: Record<string, unknown>;
}

export interface HealthCheck {
  /** Component name: the key in `checks` and the `health_component` metric label. */
  name: string;
  componentType?: ComponentType;
  /** A failing critical check fails the whole service; a failing non-critical one only warns. Default true. */
  critical?: boolean;
  /** Part of readiness (`/health/ready`)? Default true. */
  readiness?: boolean;
  /** Per-check timeout; the service default applies otherwise. */
  timeoutMs?: number;
  /**
   * Resolve to a result (or just a status; `undefined` means pass). Throwing or timing out means fail. The signal
   * aborts when the timeout fires, so the check can cancel its I/O.
   */
  check(signal: AbortSignal): Promise<CheckResult | HealthStatus | void>;
}

export interface ComponentReport {
  componentId: string;
  componentType: ComponentType;
  status: HealthStatus;
  critical: boolean;
  /** Observed latency of the check. */
  observedValue: number;
  observedUnit: 'ms';
  time: string;
  output?: string;
  details?: Record<string, unknown>;
}

export interface HealthReport {
  status: HealthStatus;
  version: string;
  releaseId?: string;
  serviceId: string;
  description: string;
  /** Seconds since the service started. */
  uptime: number;
  time: string;
  output?: string;
  /** Keyed `<component>:responseTime`, each an array as the draft specifies. */
  checks: Record<string, ComponentReport[]>;
}

export interface HealthTransition {
  previous: HealthStatus | undefined;
  current: HealthStatus;
  report: HealthReport;
}
