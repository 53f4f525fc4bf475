/** Metric definitions, handles and the backend contract shared by the prom-client and in-isolate registries. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * What a label may hold. Labels are bounded by construction: either an allow-list (`values`; anything else is
 * recorded as `other`) or free text that is normalised, refused when it looks like an identifier, and capped at
 * `maxValues` distinct values (later newcomers are recorded as `other`).
 */
export interface LabelRule {
  values?: readonly string[];
  normalize?: (value: string) => string;
  /** Distinct values kept for a free-text label; default 100. */
  maxValues?: number;
}

export interface MetricDefinition<L extends string = string> {
  /** Prometheus name: OpenTelemetry name with dots as underscores, unit suffix, `_total` for counters. */
  name: string;
  help: string;
  type: MetricType;
  /** UCUM-ish unit, documented in the catalogue (`s`, `1`, `{request}`). */
  unit: string;
  labels: { readonly [K in L]: LabelRule };
  /** Histogram bucket upper bounds, ascending (`+Inf` is implicit). */
  buckets?: readonly number[];
}

export type Labels<L extends string> = { readonly [K in L]: string };

/**
 * OpenMetrics exemplar labels (e.g. `{ trace_id, span_id }`) attached to an observation: they link a bucket or a
 * counter to one concrete trace. Not series labels, so not bounded; at most 128 characters in total (OpenMetrics).
 */
export type ExemplarLabels = Record<string, string>;

export interface CounterHandle<L extends string> {
  inc(labels: Labels<L>, value?: number, exemplar?: ExemplarLabels): void;
}
export interface GaugeHandle<L extends string> {
  set(labels: Labels<L>, value: number): void;
  inc(labels: Labels<L>, value?: number): void;
  dec(labels: Labels<L>, value?: number): void;
}
export interface HistogramHandle<L extends string> {
  observe(labels: Labels<L>, value: number, exemplar?: ExemplarLabels): void;
}

/** One exposition sample, as in the text format: `name{labels} value`. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  exemplar?: { labels: ExemplarLabels; value: number; timestamp: number };
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: MetricSample[];
}

/**
 * A storage engine for metrics. It trusts its callers: label bounding happens in `MetricsRegistry`, above it.
 * Label objects passed in always carry every declared label, in declaration order.
 */
export interface MetricsBackend {
  readonly contentType: string;
  /** True in OpenMetrics mode: exemplars are kept and rendered; otherwise they are ignored. */
  readonly exemplars: boolean;
  counter(definition: MetricDefinition): CounterHandle<string>;
  gauge(definition: MetricDefinition): GaugeHandle<string>;
  histogram(definition: MetricDefinition): HistogramHandle<string>;
  /** Prometheus text exposition of everything registered. */
  render(): Promise<string>;
  collect(): Promise<MetricFamily[]>;
  /** Zeroes every series (tests, or a scrape-and-reset exporter). */
  reset(): void;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** OpenMetrics limit on an exemplar's label set (names + values). */
export function validExemplar(exemplar: ExemplarLabels | undefined): exemplar is ExemplarLabels {
  if (!exemplar) return false;
  let size = 0;
  for (const key in exemplar) size += key.length + (exemplar[key] as string).length;
  return size > 0 && size <= 128;
}
