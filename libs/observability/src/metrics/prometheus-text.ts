import type { MetricFamily } from './metric-types.js';

/**
 * Prometheus text exposition format 0.0.4, byte-compatible with prom-client's output (same escaping, number
 * formatting, family separators), so a scraper cannot tell the edge registry from the Node one.
 */
export function renderPrometheusText(families: readonly MetricFamily[]): string {
  const blocks: string[] = [];
  for (const family of families) {
    let block = `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      block += `${sample.name}${renderLabels(sample.labels)} ${formatNumber(sample.value)}\n`;
    }
    blocks.push(block);
  }
  return blocks.join('\n');
}

/**
 * OpenMetrics 1.0 text, as prom-client renders it: counter families named without `_total`, exemplars after
 * `#` on the samples that carry one, no blank lines, `# EOF` last.
 */
export function renderOpenMetricsText(families: readonly MetricFamily[]): string {
  let out = '';
  for (const family of families) {
    const name = family.type === 'counter' ? family.name.replace(/_total$/, '') : family.name;
    out += `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${family.type}\n`;
    for (const sample of family.samples) {
      out += `${sample.name}${renderLabels(sample.labels)} ${formatNumber(sample.value)}`;
      if (sample.exemplar) {
        const { labels, value, timestamp } = sample.exemplar;
        out += ` # ${renderLabels(labels) || '{}'} ${formatNumber(value)} ${timestamp}`;
      }
      out += '\n';
    }
  }
  return `${out}# EOF\n`;
}

function renderLabels(labels: Record<string, string>): string {
  let out = '';
  for (const key in labels) {
    out += `${out ? ',' : ''}${key}="${escapeLabelValue(labels[key] as string)}"`;
  }
  return out ? `{${out}}` : '';
}

export const escapeHelp = (help: string): string => help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
export const escapeLabelValue = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}
