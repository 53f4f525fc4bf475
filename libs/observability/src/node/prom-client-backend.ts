import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type {
  CounterHandle,
  GaugeHandle,
  HistogramHandle,
  MetricDefinition,
  MetricFamily,
  MetricsBackend,
  MetricType,
} from '../metrics/metric-types.js';

export interface PromClientBackendOptions {
  /** Registry to register into; a fresh one by default (never prom-client's global, which other code may share). */
  registry?: Registry;
  /** Process metrics (CPU, memory, event-loop lag, GC, handles). Default true. */
  defaultMetrics?: boolean;
  /** Static labels on every series (e.g. `{ service: 'atoms-mcp' }`). */
  defaultLabels?: Record<string, string>;
}

/** prom-client behind the backend contract. */
export function createPromClientBackend(
  options: PromClientBackendOptions = {},
): MetricsBackend & { registry: Registry } {
  const registry = options.registry ?? new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const existing = <T>(definition: MetricDefinition): T | undefined =>
    registry.getSingleMetric(definition.name) as T | undefined;
  const common = (definition: MetricDefinition) => ({
    name: definition.name,
    help: definition.help,
    labelNames: Object.keys(definition.labels),
    registers: [registry],
  });

  return {
    registry,
    contentType: registry.contentType,
    counter(definition): CounterHandle<string> {
      const metric = existing<Counter>(definition) ?? new Counter(common(definition));
      return { inc: (labels, value = 1) => metric.inc(labels, value) };
    },
    gauge(definition): GaugeHandle<string> {
      const metric = existing<Gauge>(definition) ?? new Gauge(common(definition));
      return {
        set: (labels, value) => metric.set(labels, value),
        inc: (labels, value = 1) => metric.inc(labels, value),
        dec: (labels, value = 1) => metric.dec(labels, value),
      };
    },
    histogram(definition): HistogramHandle<string> {
      const metric =
        existing<Histogram>(definition) ??
        new Histogram({ ...common(definition), buckets: [...(definition.buckets ?? [])] });
      return { observe: (labels, value) => metric.observe(labels, value) };
    },
    render: () => registry.metrics(),
    async collect(): Promise<MetricFamily[]> {
      const json = await registry.getMetricsAsJSON();
      return json.map((metric) => ({
        name: metric.name,
        help: metric.help,
        type: String(metric.type) as MetricType,
        samples: metric.values.map((value) => ({
          name: (value as { metricName?: string }).metricName ?? metric.name,
          labels: Object.fromEntries(
            Object.entries(value.labels).map(([k, v]) => [k, v === '+Inf' ? '+Inf' : String(v)]),
          ),
          value: value.value,
        })),
      }));
    },
    reset: () => registry.resetMetrics(),
  };
}
