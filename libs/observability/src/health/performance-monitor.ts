import type { HealthCheck, HealthStatus } from './health-types.js';

export interface PerformanceThresholds {
  /** p95 at or above this turns the operation (and the check) to warn. */
  warnP95Ms: number;
  /** p95 at or above this turns it to fail. */
  failP95Ms: number;
}

export interface PerformanceMonitorOptions {
  /** Samples older than this are ignored. Default 5 minutes. */
  windowMs?: number;
  /** Newest samples kept per operation. Default 1000. */
  maxSamples?: number;
  /** Fewer samples than this never degrade health (one slow cold start is not an incident). Default 10. */
  minSamples?: number;
  /** Defaults: warn at p95 ≥ 1000 ms, fail at p95 ≥ 5000 ms. */
  thresholds?: Partial<PerformanceThresholds>;
  /** Per-operation thresholds, e.g. `{ 'tools/call:entity_tool': { warnP95Ms: 500, failP95Ms: 2000 } }`. */
  operations?: Record<string, Partial<PerformanceThresholds>>;
  /** Distinct operations tracked; later ones are folded into `other`. Default 200. */
  maxOperations?: number;
  now?: () => number;
}

export interface OperationStats {
  operation: string;
  count: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  status: HealthStatus;
  thresholds: PerformanceThresholds;
}

/** Ring buffer of (time, duration, ok) for one operation. */
class SampleWindow {
  readonly times: Float64Array;
  readonly durations: Float64Array;
  readonly ok: Uint8Array;
  next = 0;
  size = 0;

  constructor(capacity: number) {
    this.times = new Float64Array(capacity);
    this.durations = new Float64Array(capacity);
    this.ok = new Uint8Array(capacity);
  }

  push(time: number, duration: number, ok: boolean) {
    this.times[this.next] = time;
    this.durations[this.next] = duration;
    this.ok[this.next] = ok ? 1 : 0;
    this.next = (this.next + 1) % this.times.length;
    if (this.size < this.times.length) this.size++;
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/**
 * Rolling latency per operation (p50/p95/p99 over a time window), turning health to warn/fail when an
 * operation's p95 crosses its thresholds.
 */
export class PerformanceMonitor {
  readonly #windows = new Map<string, SampleWindow>();
  readonly #windowMs: number;
  readonly #maxSamples: number;
  readonly #minSamples: number;
  readonly #defaults: PerformanceThresholds;
  readonly #operations: Record<string, Partial<PerformanceThresholds>>;
  readonly #maxOperations: number;
  readonly #now: () => number;

  constructor(options: PerformanceMonitorOptions = {}) {
    this.#windowMs = options.windowMs ?? 300_000;
    this.#maxSamples = options.maxSamples ?? 1000;
    this.#minSamples = options.minSamples ?? 10;
    this.#defaults = { warnP95Ms: 1000, failP95Ms: 5000, ...options.thresholds };
    this.#operations = options.operations ?? {};
    this.#maxOperations = options.maxOperations ?? 200;
    this.#now = options.now ?? (() => Date.now());
    if (this.#defaults.warnP95Ms > this.#defaults.failP95Ms) {
      throw new RangeError('performance thresholds: warnP95Ms must not exceed failP95Ms');
    }
  }

  record(operation: string, durationMs: number, ok = true): void {
    let window = this.#windows.get(operation);
    if (!window) {
      if (this.#windows.size >= this.#maxOperations) return this.record('other', durationMs, ok);
      window = new SampleWindow(this.#maxSamples);
      this.#windows.set(operation, window);
    }
    window.push(this.#now(), durationMs, ok);
  }

  thresholdsFor(operation: string): PerformanceThresholds {
    return { ...this.#defaults, ...this.#operations[operation] };
  }

  stats(): OperationStats[] {
    const since = this.#now() - this.#windowMs;
    const out: OperationStats[] = [];
    for (const [operation, window] of this.#windows) {
      const durations: number[] = [];
      let errors = 0;
      for (let i = 0; i < window.size; i++) {
        if ((window.times[i] as number) < since) continue;
        durations.push(window.durations[i] as number);
        if (!window.ok[i]) errors++;
      }
      if (durations.length === 0) continue;
      durations.sort((a, b) => a - b);
      const thresholds = this.thresholdsFor(operation);
      const p95 = percentile(durations, 95);
      let status: HealthStatus = 'pass';
      if (durations.length >= this.#minSamples) {
        if (p95 >= thresholds.failP95Ms) status = 'fail';
        else if (p95 >= thresholds.warnP95Ms) status = 'warn';
      }
      out.push({
        operation,
        count: durations.length,
        errors,
        errorRate: errors / durations.length,
        p50Ms: percentile(durations, 50),
        p95Ms: p95,
        p99Ms: percentile(durations, 99),
        maxMs: durations[durations.length - 1] as number,
        meanMs: durations.reduce((sum, d) => sum + d, 0) / durations.length,
        status,
        thresholds,
      });
    }
    return out.sort((a, b) => a.operation.localeCompare(b.operation));
  }

  /** Worst operation status, and the operations past their thresholds. */
  status(): { status: HealthStatus; degraded: OperationStats[] } {
    const degraded = this.stats().filter((s) => s.status !== 'pass');
    const status = degraded.some((s) => s.status === 'fail') ? 'fail' : degraded.length ? 'warn' : 'pass';
    return { status, degraded };
  }

  /**
   * The monitor as a health check. Non-critical by default: slowness degrades health (warn) without taking the
   * instance out of rotation; pass `critical: true` to fail readiness instead.
   */
  asHealthCheck(options: { name?: string; critical?: boolean } = {}): HealthCheck {
    return {
      name: options.name ?? 'performance',
      componentType: 'system',
      critical: options.critical ?? false,
      readiness: false,
      check: async () => {
        const { status, degraded } = this.status();
        if (status === 'pass') return { status };
        return {
          status,
          output: degraded
            .map(
              (s) =>
                `${s.operation} p95 ${s.p95Ms.toFixed(1)} ms (threshold ${s.status === 'fail' ? s.thresholds.failP95Ms : s.thresholds.warnP95Ms} ms)`,
            )
            .join('; '),
          details: { degraded: degraded.map(({ operation, p95Ms, count }) => ({ operation, p95Ms, count })) },
        };
      },
    };
  }
}
