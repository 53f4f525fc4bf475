import type {
  CounterHandle,
  GaugeHandle,
  HistogramHandle,
  MetricDefinition,
  MetricFamily,
  MetricSample,
  MetricsBackend,
} from './metric-types.js';
import { PROMETHEUS_CONTENT_TYPE } from './metric-types.js';
import { formatNumber, renderPrometheusText } from './prometheus-text.js';

interface Series {
  labels: Record<string, string>;
  value: number;
}
interface HistogramSeries {
  labels: Record<string, string>;
  /** Non-cumulative counts per bucket; the last slot is the +Inf overflow. */
  counts: number[];
  sum: number;
  count: number;
}

type Metric =
  | { definition: MetricDefinition; kind: 'scalar'; series: Map<string, Series> }
  | { definition: MetricDefinition; kind: 'histogram'; bounds: number[]; series: Map<string, HistogramSeries> };

const seriesKey = (labels: Record<string, string>): string => {
  let key = '';
  for (const name in labels) key += `${labels[name]}\u0000`;
  return key;
};

/**
 * An in-memory registry for V8 isolates (no prom-client, no Node built-ins). Each isolate keeps its own numbers,
 * like each Node process does; Prometheus aggregates across instances at query time.
 */
export function createInIsolateMetricsBackend(): MetricsBackend {
  const metrics = new Map<string, Metric>();

  const register = (definition: MetricDefinition, build: () => Metric): Metric => {
    const existing = metrics.get(definition.name);
    if (existing) {
      if (existing.definition.type !== definition.type) {
        throw new TypeError(`metric ${definition.name} is already registered as a ${existing.definition.type}`);
      }
      return existing;
    }
    const metric = build();
    metrics.set(definition.name, metric);
    return metric;
  };

  const scalar = (definition: MetricDefinition) =>
    register(definition, () => ({ definition, kind: 'scalar', series: new Map() })) as Extract<
      Metric,
      { kind: 'scalar' }
    >;

  const add = (metric: Extract<Metric, { kind: 'scalar' }>, labels: Record<string, string>, delta: number) => {
    const key = seriesKey(labels);
    const series = metric.series.get(key);
    if (series) series.value += delta;
    else metric.series.set(key, { labels: { ...labels }, value: delta });
  };

  return {
    contentType: PROMETHEUS_CONTENT_TYPE,
    counter(definition): CounterHandle<string> {
      const metric = scalar(definition);
      return {
        inc(labels, value = 1) {
          if (!(value >= 0)) throw new RangeError(`counter ${definition.name} can only increase (got ${value})`);
          add(metric, labels, value);
        },
      };
    },
    gauge(definition): GaugeHandle<string> {
      const metric = scalar(definition);
      return {
        set(labels, value) {
          const key = seriesKey(labels);
          const series = metric.series.get(key);
          if (series) series.value = value;
          else metric.series.set(key, { labels: { ...labels }, value });
        },
        inc: (labels, value = 1) => add(metric, labels, value),
        dec: (labels, value = 1) => add(metric, labels, -value),
      };
    },
    histogram(definition): HistogramHandle<string> {
      const bounds = [...(definition.buckets ?? [])];
      for (let i = 1; i < bounds.length; i++) {
        if (!((bounds[i] as number) > (bounds[i - 1] as number))) {
          throw new RangeError(`histogram ${definition.name}: buckets must be strictly ascending`);
        }
      }
      const metric = register(definition, () => ({ definition, kind: 'histogram', bounds, series: new Map() }));
      if (metric.kind !== 'histogram') throw new TypeError(`metric ${definition.name} is not a histogram`);
      return {
        observe(labels, value) {
          if (Number.isNaN(value)) throw new RangeError(`histogram ${definition.name}: NaN observation`);
          const key = seriesKey(labels);
          let series = metric.series.get(key);
          if (!series) {
            series = { labels: { ...labels }, counts: new Array(bounds.length + 1).fill(0), sum: 0, count: 0 };
            metric.series.set(key, series);
          }
          // `le` is inclusive: a value equal to a bound belongs to that bucket.
          let index = 0;
          while (index < bounds.length && value > (bounds[index] as number)) index++;
          (series.counts[index] as number)++;
          series.sum += value;
          series.count++;
        },
      };
    },
    async collect() {
      return collectFamilies(metrics);
    },
    async render() {
      return renderPrometheusText(collectFamilies(metrics));
    },
    reset() {
      for (const metric of metrics.values()) metric.series.clear();
    },
  };
}

function collectFamilies(metrics: Map<string, Metric>): MetricFamily[] {
  const families: MetricFamily[] = [];
  for (const metric of metrics.values()) {
    const { definition } = metric;
    const samples: MetricSample[] = [];
    if (metric.kind === 'scalar') {
      // Like prom-client: a metric without labels reports 0 before its first update.
      if (metric.series.size === 0 && Object.keys(definition.labels).length === 0) {
        samples.push({ name: definition.name, labels: {}, value: 0 });
      }
      for (const series of metric.series.values()) {
        samples.push({ name: definition.name, labels: { ...series.labels }, value: series.value });
      }
    } else {
      for (const series of metric.series.values()) {
        let cumulative = 0;
        metric.bounds.forEach((bound, i) => {
          cumulative += series.counts[i] as number;
          samples.push({
            name: `${definition.name}_bucket`,
            labels: { le: formatNumber(bound), ...series.labels },
            value: cumulative,
          });
        });
        samples.push({
          name: `${definition.name}_bucket`,
          labels: { le: '+Inf', ...series.labels },
          value: series.count,
        });
        samples.push({ name: `${definition.name}_sum`, labels: { ...series.labels }, value: series.sum });
        samples.push({ name: `${definition.name}_count`, labels: { ...series.labels }, value: series.count });
      }
    }
    families.push({ name: definition.name, help: definition.help, type: definition.type, samples });
  }
  return families;
}
