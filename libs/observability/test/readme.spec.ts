import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { renderMetricCatalogue } from '../scripts/metric-catalogue.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('carries the metric catalogue exactly as generated from the definitions', () => {
    const match = /<!-- metric-catalogue:start -->\n([\s\S]*?)\n<!-- metric-catalogue:end -->/.exec(readme);
    expect(match?.[1]).toBe(renderMetricCatalogue());
  });
});
