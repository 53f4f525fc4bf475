/**
 * The README's metric catalogue, generated from the definitions (`src/metrics/metric-catalogue.ts`).
 * Print it: `node --import @swc-node/register/esm-register --conditions=@atoms/source libs/observability/scripts/metric-catalogue.ts`
 * A test keeps the README section identical to this output.
 */
import { fileURLToPath } from 'node:url';
import { METRICS } from '../src/metrics/metric-catalogue.js';
import type { LabelRule, MetricDefinition } from '../src/metrics/metric-types.js';
import { LABEL_REJECTIONS_METRIC } from '../src/metrics/metrics-registry.js';

const describeLabel = (name: string, rule: LabelRule): string => {
  if (rule.values) return `\`${name}\` (${rule.values.join(', ')})`;
  return `\`${name}\` (free text, ≤ ${rule.maxValues ?? 100} values${rule.normalize ? ', normalised' : ''})`;
};

export function renderMetricCatalogue(): string {
  const definitions: MetricDefinition[] = [...Object.values(METRICS), LABEL_REJECTIONS_METRIC] as MetricDefinition[];
  const rows = definitions.map((d) => {
    const labels = Object.entries(d.labels).map(([name, rule]) => describeLabel(name, rule));
    const buckets = d.buckets ? d.buckets.join(', ') : '—';
    return `| \`${d.name}\` | ${d.type} | ${d.unit} | ${labels.join('<br>') || '—'} | ${buckets} | ${d.help} |`;
  });
  return [
    '| name | type | unit | labels (allowed values) | buckets (s) | meaning |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '| `process_*`, `nodejs_*` | prom-client defaults | various | — | — | CPU, memory, event-loop lag, GC, handles (Node entry only) |',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(renderMetricCatalogue());
