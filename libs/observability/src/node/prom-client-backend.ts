import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  type CounterHandle,
  type GaugeHandle,
  type HistogramHandle,
  type MetricDefinition,
  type MetricFamily,
  type MetricsBackend,
  type MetricType,
  validExemplar,
} from '../metrics/metric-types.js';

export interface PromClientBackendOptions {
  /** Registry to register into; a fresh one by default (never prom-client's global, which other code may share). */
  registry?: Registry;
  /** Process metrics (CPU, memory, event-loop lag, GC, handles). Default true. */
  defaultMetrics?: boolean;
  /** Static labels on every series (e.g. `{ service: 'atoms-mcp' }`). */
  defaultLabels?: Record<string, string>;
  /**
   * Expose OpenMetrics 1.0 instead of Prometheus text 0.0.4, with exemplars (`trace_id`, `span_id` of a recent
   * request) on histogram buckets and counters. Prometheus stores them with `--enable-feature=exemplar-storage`.
   */
  openMetrics?: boolean;
}

type AnyMetric = { get(): Promise<{ name: string; help: string; type: unknown; values: unknown[] }> };

/** prom-client behind the backend contract. */
export function createPromClientBackend(
  options: PromClientBackendOptions = {},
): MetricsBackend & { registry: Registry } {
  const exemplars = options.openMetrics ?? false;
  const registry = options.registry ?? new Registry();
  if (exemplars) {
    // The typings pin a registry to the content type it was created with; switching is supported at run time.
    (registry as unknown as { setContentType(type: string): void }).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  }
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  // In OpenMetrics mode prom-client renames counters in place when rendering (drops `_total`), so metrics are
  // remembered by the name we gave them.
  const created = new Map<string, unknown>();
  const names = new Map<unknown, string>();
  const existing = <T>(definition: MetricDefinition): T | undefined =>
    (created.get(definition.name) ?? registry.getSingleMetric(definition.name)) as T | undefined;
  const remember = <T>(definition: MetricDefinition, metric: T): T => {
    created.set(definition.name, metric);
    names.set(metric, definition.name);
    return metric;
  };
  const common = (definition: MetricDefinition) => ({
    name: definition.name,
    help: definition.help,
    labelNames: Object.keys(definition.labels),
    registers: [registry],
  });
  const withExemplar = (exemplar: Record<string, string> | undefined) =>
    validExemplar(exemplar) ? { exemplarLabels: exemplar } : {};

  return {
    registry,
    contentType: registry.contentType,
    exemplars,
    counter(definition): CounterHandle<string> {
      const metric =
        existing<Counter>(definition) ??
        remember(definition, new Counter({ ...common(definition), enableExemplars: exemplars }));
      if (!exemplars) return { inc: (labels, value = 1) => metric.inc(labels, value) };
      return { inc: (labels, value = 1, exemplar) => metric.inc({ labels, value, ...withExemplar(exemplar) }) };
    },
    gauge(definition): GaugeHandle<string> {
      const metric = existing<Gauge>(definition) ?? remember(definition, new Gauge(common(definition)));
      return {
        set: (labels, value) => metric.set(labels, value),
        inc: (labels, value = 1) => metric.inc(labels, value),
        dec: (labels, value = 1) => metric.dec(labels, value),
      };
    },
    histogram(definition): HistogramHandle<string> {
      const metric =
        existing<Histogram>(definition) ??
        remember(
          definition,
          new Histogram({
            ...common(definition),
            buckets: [...(definition.buckets ?? [])],
            enableExemplars: exemplars,
          }),
        );
      if (!exemplars) return { observe: (labels, value) => metric.observe(labels, value) };
      return {
        observe: (labels, value, exemplar) => metric.observe({ labels, value, ...withExemplar(exemplar) }),
      };
    },
    render: () => registry.metrics(),
    async collect(): Promise<MetricFamily[]> {
      const metrics = registry.getMetricsAsArray() as unknown as AnyMetric[];
      return Promise.all(
        metrics.map(async (metric) => {
          const data = await metric.get();
          const name = names.get(metric) ?? data.name;
          return {
            name,
            help: data.help,
            type: String(data.type) as MetricType,
            samples: (data.values as { metricName?: string; labels: Record<string, unknown>; value: number }[]).map(
              (value) => ({
                name: value.metricName ?? name,
                labels: Object.fromEntries(Object.entries(value.labels).map(([k, v]) => [k, String(v)])),
                value: value.value,
              }),
            ),
          };
        }),
      );
    },
    reset: () => registry.resetMetrics(),
  };
}
