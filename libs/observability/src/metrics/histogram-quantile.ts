import type { MetricFamily } from './metric-types.js';

export interface BucketCount {
  /** Upper bound (`Infinity` for +Inf). */
  le: number;
  /** Cumulative count. */
  count: number;
}

/**
 * Cumulative buckets of a histogram family, summed over every series whose labels match `filter` (the way
 * Prometheus' `sum by (le)` does).
 */
export function mergedBuckets(family: MetricFamily, filter: (labels: Record<string, string>) => boolean = () => true) {
  const byBound = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const sample of family.samples) {
    if (!filter(sample.labels)) continue;
    if (sample.name.endsWith('_bucket')) {
      const raw = sample.labels['le'] as string;
      const le = raw === '+Inf' ? Infinity : Number(raw);
      byBound.set(le, (byBound.get(le) ?? 0) + sample.value);
    } else if (sample.name.endsWith('_sum')) sum += sample.value;
    else if (sample.name.endsWith('_count')) count += sample.value;
  }
  const buckets: BucketCount[] = [...byBound.entries()]
    .map(([le, c]) => ({ le, count: c }))
    .sort((a, b) => a.le - b.le);
  return { buckets, sum, count };
}

/**
 * Quantile estimate from cumulative buckets, as Prometheus' `histogram_quantile`: linear interpolation inside the
 * bucket holding the rank; a rank in +Inf returns the highest finite bound. NaN without observations.
 */
export function histogramQuantile(q: number, buckets: readonly BucketCount[]): number {
  if (q < 0 || q > 1) throw new RangeError('quantile must be within [0, 1]');
  const total = buckets.length ? (buckets[buckets.length - 1] as BucketCount).count : 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return previousBound;
      const inBucket = bucket.count - previousCount;
      if (inBucket === 0) return bucket.le;
      return previousBound + (bucket.le - previousBound) * ((rank - previousCount) / inBucket);
    }
    previousBound = bucket.le === Infinity ? previousBound : bucket.le;
    previousCount = bucket.count;
  }
  return previousBound;
}
