import { LabelGuard, type LabelRejectionReason } from './label-guard.js';
import type {
  CounterHandle,
  GaugeHandle,
  HistogramHandle,
  Labels,
  MetricDefinition,
  MetricFamily,
  MetricsBackend,
} from './metric-types.js';

export const LABEL_REJECTIONS_METRIC: MetricDefinition<'metric' | 'label' | 'reason'> = {
  name: 'atoms_observability_label_rejections_total',
  help: 'Label values replaced by "other" because they were not allowed, looked like identifiers, or exceeded the cardinality cap.',
  type: 'counter',
  unit: '{value}',
  labels: {
    metric: { maxValues: 200 },
    label: { maxValues: 200 },
    reason: { values: ['not_allowed', 'id_like', 'cardinality'] },
  },
};

/**
 * The only way metrics are created: every label passes its `LabelGuard` before it reaches the backend, so no code
 * path can record an unbounded label. Unknown label names are programming errors and throw.
 */
export class MetricsRegistry {
  readonly backend: MetricsBackend;
  readonly #definitions = new Map<string, MetricDefinition>();
  readonly #rejections: CounterHandle<'metric' | 'label' | 'reason'>;

  constructor(backend: MetricsBackend) {
    this.backend = backend;
    this.#rejections = backend.counter(LABEL_REJECTIONS_METRIC) as CounterHandle<'metric' | 'label' | 'reason'>;
    this.#definitions.set(LABEL_REJECTIONS_METRIC.name, LABEL_REJECTIONS_METRIC as MetricDefinition);
  }

  get contentType(): string {
    return this.backend.contentType;
  }

  definitions(): MetricDefinition[] {
    return [...this.#definitions.values()];
  }

  counter<L extends string>(definition: MetricDefinition<L>): CounterHandle<L> {
    this.#checkName(definition, '_total');
    const handle = this.backend.counter(definition as MetricDefinition);
    const bound = this.#binder(definition);
    return { inc: (labels, value, exemplar) => handle.inc(bound(labels), value, exemplar) };
  }

  gauge<L extends string>(definition: MetricDefinition<L>): GaugeHandle<L> {
    this.#checkName(definition);
    const handle = this.backend.gauge(definition as MetricDefinition);
    const bound = this.#binder(definition);
    return {
      set: (labels, value) => handle.set(bound(labels), value),
      inc: (labels, value) => handle.inc(bound(labels), value),
      dec: (labels, value) => handle.dec(bound(labels), value),
    };
  }

  histogram<L extends string>(definition: MetricDefinition<L>): HistogramHandle<L> {
    this.#checkName(definition);
    if (!definition.buckets?.length) throw new TypeError(`histogram ${definition.name} needs explicit buckets`);
    const handle = this.backend.histogram(definition as MetricDefinition);
    const bound = this.#binder(definition);
    return { observe: (labels, value, exemplar) => handle.observe(bound(labels), value, exemplar) };
  }

  render(): Promise<string> {
    return this.backend.render();
  }

  collect(): Promise<MetricFamily[]> {
    return this.backend.collect();
  }

  #checkName(definition: MetricDefinition<string>, suffix?: string) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(definition.name)) {
      throw new TypeError(`invalid metric name: ${definition.name}`);
    }
    if (suffix && !definition.name.endsWith(suffix)) {
      throw new TypeError(`counter ${definition.name} must end with ${suffix}`);
    }
    const previous = this.#definitions.get(definition.name);
    if (previous && previous !== definition) {
      throw new TypeError(`metric ${definition.name} is already registered with another definition`);
    }
    this.#definitions.set(definition.name, definition as MetricDefinition);
  }

  #binder<L extends string>(definition: MetricDefinition<L>): (labels: Labels<L>) => Record<string, string> {
    const names = Object.keys(definition.labels) as L[];
    const guards = names.map((name) => new LabelGuard(definition.labels[name]));
    const expected = new Set<string>(names);
    return (labels) => {
      for (const key in labels) {
        if (!expected.has(key)) throw new TypeError(`metric ${definition.name} has no label "${key}"`);
      }
      const out: Record<string, string> = {};
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as L;
        const raw = labels[name];
        const result = (guards[i] as LabelGuard).admit(raw === undefined || raw === null ? '' : String(raw));
        if (result.rejected) this.#reject(definition.name, name, result.rejected);
        out[name] = result.value;
      }
      return out;
    };
  }

  #reject(metric: string, label: string, reason: LabelRejectionReason) {
    this.#rejections.inc({ metric, label, reason });
  }
}
