import type { HealthService } from '../health/health-service.js';
import type { ComponentType, HealthStatus } from '../health/health-types.js';
import type { OperationStats, PerformanceMonitor } from '../health/performance-monitor.js';
import type { AtomsMetrics } from '../metrics/atoms-metrics.js';
import { histogramQuantile, mergedBuckets } from '../metrics/histogram-quantile.js';
import { METRICS } from '../metrics/metric-catalogue.js';
import type { MetricFamily } from '../metrics/metric-types.js';

export interface LatencySummary {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface ToolUsage extends LatencySummary {
  tool: string;
  calls: number;
  errors: number;
  toolErrors: number;
  errorRate: number;
}

export interface DashboardSnapshot {
  generatedAt: string;
  service: string;
  version: string;
  uptimeSeconds: number;
  requests: {
    total: number;
    /** Requests per second since the previous snapshot (or since start for the first one). */
    ratePerSecond: number;
    /** 5xx responses / all responses. */
    errorRate: number;
    byStatusClass: Record<string, number>;
    /** Estimated from the duration histogram's buckets (as `histogram_quantile`). */
    latency: LatencySummary;
  };
  tools: ToolUsage[];
  /** Exact rolling percentiles per operation from the performance monitor. */
  operations: OperationStats[];
  health: {
    status: HealthStatus;
    components: {
      name: string;
      type: ComponentType;
      status: HealthStatus;
      critical: boolean;
      latencyMs: number;
      output?: string;
    }[];
  } | null;
  sessions: { active: number | null };
  rateLimited: number;
}

export interface DashboardSourceOptions {
  service: string;
  version: string;
  metrics: AtomsMetrics;
  health?: HealthService;
  performance?: PerformanceMonitor;
  now?: () => number;
}

const ms = (seconds: number): number | null => (Number.isNaN(seconds) ? null : Math.round(seconds * 1e6) / 1e3);

const latency = (family: MetricFamily | undefined, filter?: (l: Record<string, string>) => boolean): LatencySummary => {
  if (!family) return { p50Ms: null, p95Ms: null, p99Ms: null };
  const { buckets } = mergedBuckets(family, filter);
  return {
    p50Ms: ms(histogramQuantile(0.5, buckets)),
    p95Ms: ms(histogramQuantile(0.95, buckets)),
    p99Ms: ms(histogramQuantile(0.99, buckets)),
  };
};

/** Builds dashboard snapshots from the metrics, health and performance monitor of one instance. */
export class DashboardSource {
  readonly #options: DashboardSourceOptions;
  readonly #startedAt: number;
  #previous: { at: number; total: number } | undefined;

  constructor(options: DashboardSourceOptions) {
    this.#options = options;
    this.#startedAt = this.#now();
  }

  async snapshot(): Promise<DashboardSnapshot> {
    const [families, health] = await Promise.all([
      this.#options.metrics.collect(),
      this.#options.health ? this.#options.health.check() : Promise.resolve(undefined),
    ]);
    const family = (name: string) => families.find((f) => f.name === name);
    const now = this.#now();

    const http = family(METRICS.httpServerRequestDuration.name);
    const byStatusClass: Record<string, number> = {};
    let total = 0;
    for (const sample of http?.samples ?? []) {
      if (!sample.name.endsWith('_count')) continue;
      const cls = sample.labels['http_response_status_class'] ?? 'other';
      byStatusClass[cls] = (byStatusClass[cls] ?? 0) + sample.value;
      total += sample.value;
    }
    const since =
      this.#previous && now - this.#previous.at >= 1000 ? this.#previous : { at: this.#startedAt, total: 0 };
    const elapsed = Math.max(1, now - since.at) / 1000;
    const ratePerSecond = Math.round(((total - since.total) / elapsed) * 1000) / 1000;
    if (!this.#previous || now - this.#previous.at >= 1000) this.#previous = { at: now, total };

    const mcp = family(METRICS.mcpServerOperationDuration.name);
    const tools = new Map<string, { calls: number; errors: number; toolErrors: number }>();
    for (const sample of mcp?.samples ?? []) {
      if (!sample.name.endsWith('_count')) continue;
      const tool = sample.labels['gen_ai_tool_name'];
      if (!tool) continue;
      const entry = tools.get(tool) ?? { calls: 0, errors: 0, toolErrors: 0 };
      entry.calls += sample.value;
      if (sample.labels['outcome'] === 'error') entry.errors += sample.value;
      if (sample.labels['outcome'] === 'tool_error') entry.toolErrors += sample.value;
      tools.set(tool, entry);
    }

    const sessions = family(METRICS.activeSessions.name)?.samples[0]?.value;
    const rateLimited = (family(METRICS.rateLimitedRequests.name)?.samples ?? []).reduce((s, x) => s + x.value, 0);

    return {
      generatedAt: new Date(now).toISOString(),
      service: this.#options.service,
      version: this.#options.version,
      uptimeSeconds: Math.round((now - this.#startedAt) / 1000),
      requests: {
        total,
        ratePerSecond,
        errorRate: total ? (byStatusClass['5xx'] ?? 0) / total : 0,
        byStatusClass,
        latency: latency(http),
      },
      tools: [...tools.entries()]
        .map(([tool, t]) => ({
          tool,
          ...t,
          errorRate: t.calls ? (t.errors + t.toolErrors) / t.calls : 0,
          ...latency(mcp, (labels) => labels['gen_ai_tool_name'] === tool),
        }))
        .sort((a, b) => b.calls - a.calls),
      operations: this.#options.performance?.stats() ?? [],
      health: health
        ? {
            status: health.status,
            components: Object.values(health.checks)
              .flat()
              .map((c) => ({
                name: c.componentId,
                type: c.componentType,
                status: c.status,
                critical: c.critical,
                latencyMs: c.observedValue,
                ...(c.output ? { output: c.output } : {}),
              })),
          }
        : null,
      sessions: { active: sessions ?? null },
      rateLimited,
    };
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }
}
