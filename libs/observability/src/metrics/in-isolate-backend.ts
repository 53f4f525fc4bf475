import type {
  CounterHandle,
  GaugeHandle,
  HistogramHandle,
  MetricDefinition,
  MetricFamily,
  MetricSample,
  MetricsBackend,
} from './metric-types.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, validExemplar } from './metric-types.js';
import { formatNumber, renderOpenMetricsText, renderPrometheusText } from './prometheus-text.js';

type StoredExemplar = NonNullable<MetricSample['exemplar']>;
const stamp = (labels: Record<string, string>, value: number): StoredExemplar => ({
  labels: { ...labels },
  value,
  timestamp: Date.now() / 1000,
});

interface Series {
  labels: Record<string, string>;
  value: number;
  exemplar?: StoredExemplar;
}
interface HistogramSeries {
  labels: Record<string, string>;
  /** Non-cumulative counts per bucket; the last slot is the +Inf overflow. */
  counts: number[];
  /** Latest exemplar per bucket, the last slot for +Inf (as prom-client keeps them). */
  exemplars: (StoredExemplar | undefined)[];
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
export function createInIsolateMetricsBackend(options: { openMetrics?: boolean } = {}): MetricsBackend {
  const metrics = new Map<string, Metric>();
  const exemplars = options.openMetrics ?? false;

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
    contentType: exemplars ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
    exemplars,
    counter(definition): CounterHandle<string> {
      const metric = scalar(definition);
      return {
        inc(labels, value = 1, exemplar) {
          if (!(value >= 0)) throw new RangeError(`counter ${definition.name} can only increase (got ${value})`);
          add(metric, labels, value);
          if (exemplars && validExemplar(exemplar)) {
            (metric.series.get(seriesKey(labels)) as Series).exemplar = stamp(exemplar, value);
          }
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
        observe(labels, value, exemplar) {
          if (Number.isNaN(value)) throw new RangeError(`histogram ${definition.name}: NaN observation`);
          const key = seriesKey(labels);
          let series = metric.series.get(key);
          if (!series) {
            series = {
              labels: { ...labels },
              counts: new Array(bounds.length + 1).fill(0),
              exemplars: new Array(bounds.length + 1).fill(undefined),
              sum: 0,
              count: 0,
            };
            metric.series.set(key, series);
          }
          // `le` is inclusive: a value equal to a bound belongs to that bucket.
          let index = 0;
          while (index < bounds.length && value > (bounds[index] as number)) index++;
          (series.counts[index] as number)++;
          if (exemplars && validExemplar(exemplar)) series.exemplars[index] = stamp(exemplar, value);
          series.sum += value;
          series.count++;
        },
      };
    },
    async collect() {
      return collectFamilies(metrics);
    },
    async render() {
      const families = collectFamilies(metrics);
      return exemplars ? renderOpenMetricsText(families) : renderPrometheusText(families);
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
        const sample: MetricSample = { name: definition.name, labels: { ...series.labels }, value: series.value };
        if (series.exemplar) sample.exemplar = series.exemplar;
        samples.push(sample);
      }
    } else {
      for (const series of metric.series.values()) {
        let cumulative = 0;
        metric.bounds.forEach((bound, i) => {
          cumulative += series.counts[i] as number;
          const sample: MetricSample = {
            name: `${definition.name}_bucket`,
            labels: { le: formatNumber(bound), ...series.labels },
            value: cumulative,
          };
          const exemplar = series.exemplars[i];
          if (exemplar) sample.exemplar = exemplar;
          samples.push(sample);
        });
        const infinite: MetricSample = {
          name: `${definition.name}_bucket`,
          labels: { le: '+Inf', ...series.labels },
          value: series.count,
        };
        const overflow = series.exemplars[metric.bounds.length];
        if (overflow) infinite.exemplar = overflow;
        samples.push(infinite);
        samples.push({ name: `${definition.name}_sum`, labels: { ...series.labels }, value: series.sum });
        samples.push({ name: `${definition.name}_count`, labels: { ...series.labels }, value: series.count });
      }
    }
    families.push({ name: definition.name, help: definition.help, type: definition.type, samples });
  }
  return families;
}
