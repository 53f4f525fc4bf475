import { isError } from '../logging/error-serializer.js';
import { createRedactor } from '../logging/redaction.js';
import type { AtomsMetrics } from '../metrics/atoms-metrics.js';
import { aggregateStatus } from './aggregate-status.js';
import type {
  CheckResult,
  ComponentReport,
  HealthCheck,
  HealthReport,
  HealthStatus,
  HealthTransition,
} from './health-types.js';

export interface HealthServiceOptions {
  serviceId: string;
  version: string;
  releaseId?: string;
  description?: string;
  checks?: HealthCheck[];
  /** Timeout for checks that set none. Default 2000 ms (the reference used 5 s; /health answers within ~2 s). */
  defaultTimeoutMs?: number;
  /** Publishes `atoms_health_status{health_component}` after every run. */
  metrics?: AtomsMetrics;
  /**
   * Called after a full check (`check()`) whose overall status or any component's status differs from the previous
   * one, e.g. to send health alerts (`alertOnHealthTransitions`).
   */
  onTransition?: (transition: HealthTransition) => void;
  now?: () => Date;
}

const scrub = createRedactor();
// Connection strings in driver errors carry credentials: `postgres://user:pass@host`.
const URL_CREDENTIALS = /(\/\/)[^/\s:@]+:[^/\s@]+@/g;
const cleanOutput = (text: string): string =>
  scrub.scrubLine(text.replace(URL_CREDENTIALS, '$1[REDACTED]@')).slice(0, 500);

class CheckTimeoutError extends Error {}

/**
 * Runs named checks in parallel with timeouts, aggregates them into pass/warn/fail, renders
 * `application/health+json`, and keeps the liveness/readiness/draining split.
 */
export class HealthService {
  readonly #checks: HealthCheck[] = [];
  readonly #options: HealthServiceOptions;
  readonly #startedAt: number;
  #draining = false;
  #lastStatus: HealthStatus | undefined;
  #lastSignature = '';

  constructor(options: HealthServiceOptions) {
    this.#options = options;
    this.#startedAt = this.#now().getTime();
    for (const check of options.checks ?? []) this.addCheck(check);
  }

  addCheck(check: HealthCheck): this {
    if (this.#checks.some((c) => c.name === check.name)) throw new TypeError(`duplicate health check: ${check.name}`);
    this.#checks.push(check);
    return this;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Graceful shutdown: readiness fails from now on so load balancers stop routing here; liveness still passes. */
  startDraining(): void {
    this.#draining = true;
  }

  /** Process is up; no dependency is called. */
  liveness(): HealthReport {
    return this.#report('pass', {}, this.#draining ? 'draining' : undefined);
  }

  /** Dependencies needed to serve traffic are reachable, and we are not draining. */
  async readiness(): Promise<HealthReport> {
    if (this.#draining) return this.#report('fail', {}, 'draining: shutting down');
    return this.#run(this.#checks.filter((c) => c.readiness !== false));
  }

  /** Every check, with observed latency per component. */
  async check(): Promise<HealthReport> {
    const report = await this.#run(this.#checks);
    const signature = Object.values(report.checks)
      .map(([c]) => `${c?.componentId}=${c?.status}`)
      .join(',');
    if (report.status !== this.#lastStatus || signature !== this.#lastSignature) {
      const previous = this.#lastStatus;
      this.#lastStatus = report.status;
      this.#lastSignature = signature;
      this.#options.onTransition?.({ previous, current: report.status, report });
    }
    return report;
  }

  async #run(checks: HealthCheck[]): Promise<HealthReport> {
    const components = await Promise.all(checks.map((check) => this.#runOne(check)));
    const entries: Record<string, ComponentReport[]> = {};
    for (const component of components) {
      entries[`${component.componentId}:responseTime`] = [component];
      this.#options.metrics?.setHealthStatus(component.componentId, component.status);
    }
    const status = aggregateStatus(components);
    const failing = components.filter((c) => c.status !== 'pass').map((c) => `${c.componentId}: ${c.status}`);
    return this.#report(status, entries, failing.length ? failing.join(', ') : undefined);
  }

  async #runOne(check: HealthCheck): Promise<ComponentReport> {
    const timeoutMs = check.timeoutMs ?? this.#options.defaultTimeoutMs ?? 2000;
    const controller = new AbortController();
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let result: CheckResult;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new CheckTimeoutError(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      });
      const outcome = await Promise.race([Promise.resolve().then(() => check.check(controller.signal)), timeout]);
      result = normalize(outcome);
    } catch (error) {
      const message = isError(error) ? error.message : String(error);
      result = { status: 'fail', output: error instanceof CheckTimeoutError ? message : `check failed: ${message}` };
    } finally {
      clearTimeout(timer);
    }
    const report: ComponentReport = {
      componentId: check.name,
      componentType: check.componentType ?? 'component',
      status: result.status,
      critical: check.critical ?? true,
      observedValue: Math.round((performance.now() - started) * 1000) / 1000,
      observedUnit: 'ms',
      time: this.#now().toISOString(),
    };
    if (result.output) report.output = cleanOutput(result.output);
    if (result.details) report.details = result.details;
    return report;
  }

  #report(status: HealthStatus, checks: Record<string, ComponentReport[]>, output?: string): HealthReport {
    const now = this.#now();
    const report: HealthReport = {
      status,
      version: this.#options.version,
      serviceId: this.#options.serviceId,
      description: this.#options.description ?? this.#options.serviceId,
      uptime: Math.round((now.getTime() - this.#startedAt) / 1000),
      time: now.toISOString(),
      checks,
    };
    if (this.#options.releaseId) report.releaseId = this.#options.releaseId;
    if (output) report.output = output;
    return report;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

function normalize(outcome: CheckResult | HealthStatus | void): CheckResult {
  if (outcome === undefined) return { status: 'pass' };
  if (typeof outcome === 'string') return { status: outcome };
  if (outcome.status !== 'pass' && outcome.status !== 'warn' && outcome.status !== 'fail') {
    return { status: 'fail', output: `check returned an invalid status: ${String(outcome.status)}` };
  }
  return outcome;
}

export const HEALTH_CONTENT_TYPE = 'application/health+json';

/** 200 for pass/warn, 503 for fail; never cached. */
export function healthResponse(report: HealthReport, init: { headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(report), {
    status: report.status === 'fail' ? 503 : 200,
    headers: { 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-store', ...init.headers },
  });
}
