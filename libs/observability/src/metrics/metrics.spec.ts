import { describe, expect, it } from '@jest/globals';
import { createPromClientBackend } from '../node/prom-client-backend.js';
import { AtomsMetrics } from './atoms-metrics.js';
import { histogramQuantile, mergedBuckets } from './histogram-quantile.js';
import { createInIsolateMetricsBackend } from './in-isolate-backend.js';
import { METRICS } from './metric-catalogue.js';
import type { MetricDefinition, MetricsBackend } from './metric-types.js';
import { MetricsRegistry } from './metrics-registry.js';
import { routeTemplate } from './route-template.js';
import { must } from '../../test/support/must.js';

const backends: [string, () => MetricsBackend][] = [
  ['in-isolate', () => createInIsolateMetricsBackend()],
  ['prom-client', () => createPromClientBackend({ defaultMetrics: false })],
];

const seconds: MetricDefinition<'op'> = {
  name: 'test_duration_seconds',
  help: 'test',
  type: 'histogram',
  unit: 's',
  labels: { op: { values: ['a', 'b'] } },
  buckets: [0.1, 0.5, 1],
};

function exercise(metrics: AtomsMetrics) {
  const observations = [0.001, 0.005, 0.0051, 0.05, 0.1, 0.3, 0.75, 1, 2.5, 12];
  observations.forEach((d, i) =>
    metrics.recordHttpRequest({
      method: i % 2 ? 'get' : 'POST',
      route: '/api/mcp',
      status: 200 + (i % 3) * 100 + 4,
      durationSeconds: d,
    }),
  );
  metrics.recordMcpOperation({
    method: 'tools/call',
    tool: 'entity_tool',
    operation: 'create',
    outcome: 'success',
    durationSeconds: 0.04,
  });
  metrics.recordMcpOperation({
    method: 'tools/call',
    tool: 'entity_tool',
    operation: 'read',
    outcome: 'error',
    errorType: 'TimeoutError',
    durationSeconds: 2,
  });
  metrics.recordDbOperation({ system: 'postgresql', operation: 'select', outcome: 'success', durationSeconds: 0.002 });
  metrics.recordCacheOperation({ cache: 'query', operation: 'get', result: 'hit' });
  metrics.recordSessionStoreOperation({
    store: 'redis',
    operation: 'get',
    outcome: 'success',
    durationSeconds: 0.0004,
  });
  metrics.recordRateLimited({ tool: 'query_tool', key: 'user' });
  metrics.setActiveSessions(7);
  metrics.setHealthStatus('database', 'warn');
  metrics.recordAlertDelivery('health.degraded', 'delivered');
  metrics.recordVercelWebhook('deployment.created', 'accepted');
  metrics.httpRequestStarted('GET');
}

describe('in-isolate registry renders exactly what prom-client renders', () => {
  it('for every catalogue metric, after the same recordings', async () => {
    const edge = new AtomsMetrics(createInIsolateMetricsBackend());
    const node = new AtomsMetrics(createPromClientBackend({ defaultMetrics: false }));
    exercise(edge);
    exercise(node);
    const edgeText = await edge.render();
    expect(edgeText).toBe(await node.render());
    expect(edgeText).toContain(
      'http_server_request_duration_seconds_bucket{le="0.005",http_request_method="POST",http_route="/api/mcp",http_response_status_class="2xx"} 1',
    );
    expect(edge.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(node.contentType).toBe(edge.contentType);
  });

  it('with escaping of help text and label values', async () => {
    const definition: MetricDefinition<'k'> = {
      name: 'esc_total',
      help: 'a "b" \\ c\nd',
      type: 'counter',
      unit: '1',
      labels: { k: {} },
    };
    const texts = await Promise.all(
      backends.map(async ([, make]) => {
        const registry = new MetricsRegistry(make());
        registry.counter(definition).inc({ k: 'q"uo\\te\nnl' }, 2.5);
        return registry.render();
      }),
    );
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]).toContain('esc_total{k="q\\"uo\\\\te\\nnl"} 2.5');
  });
});

describe.each(backends)('histogram correctness (%s)', (_name, make) => {
  it('counts each observation in every bucket whose bound is >= it (le is inclusive), with sum and count', async () => {
    const registry = new MetricsRegistry(make());
    const histogram = registry.histogram(seconds);
    for (const value of [0.05, 0.1, 0.1000001, 0.5, 0.7, 1, 1.5, 30]) histogram.observe({ op: 'a' }, value);
    const family = must((await registry.collect()).find((f) => f.name === seconds.name));
    const values = Object.fromEntries(
      family.samples.map((s) => [`${s.name}${s.labels['le'] ? `{${s.labels['le']}}` : ''}`, s.value]),
    );
    expect(values).toEqual({
      'test_duration_seconds_bucket{0.1}': 2,
      'test_duration_seconds_bucket{0.5}': 4,
      'test_duration_seconds_bucket{1}': 6,
      'test_duration_seconds_bucket{+Inf}': 8,
      test_duration_seconds_sum: 0.05 + 0.1 + 0.1000001 + 0.5 + 0.7 + 1 + 1.5 + 30,
      test_duration_seconds_count: 8,
    });
  });

  it('keeps series apart by label and resets to empty', async () => {
    const registry = new MetricsRegistry(make());
    const histogram = registry.histogram(seconds);
    histogram.observe({ op: 'a' }, 0.2);
    histogram.observe({ op: 'b' }, 0.2);
    histogram.observe({ op: 'b' }, 2);
    const family = must((await registry.collect()).find((f) => f.name === seconds.name));
    const count = (op: string) => family.samples.find((s) => s.name.endsWith('_count') && s.labels['op'] === op)?.value;
    expect([count('a'), count('b')]).toEqual([1, 2]);
    registry.backend.reset();
    const after = must((await registry.collect()).find((f) => f.name === seconds.name));
    expect(after.samples.filter((s) => s.value !== 0)).toEqual([]);
  });
});

describe('histogram quantile estimate', () => {
  it('interpolates linearly inside the bucket, like histogram_quantile', () => {
    const buckets = [
      { le: 0.1, count: 50 },
      { le: 0.5, count: 90 },
      { le: 1, count: 100 },
      { le: Infinity, count: 100 },
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.25, buckets)).toBeCloseTo(0.05);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.3);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.75);
    expect(
      histogramQuantile(0.5, [
        { le: 1, count: 0 },
        { le: Infinity, count: 0 },
      ]),
    ).toBeNaN();
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 1 },
        { le: Infinity, count: 10 },
      ]),
    ).toBe(1);
  });

  it('merges series across labels before estimating', async () => {
    const metrics = new AtomsMetrics(createInIsolateMetricsBackend());
    for (let i = 1; i <= 100; i++) {
      metrics.recordHttpRequest({
        method: i % 2 ? 'GET' : 'POST',
        route: '/x',
        status: 200,
        durationSeconds: i / 1000,
      });
    }
    const family = must((await metrics.collect()).find((f) => f.name === METRICS.httpServerRequestDuration.name));
    const { buckets, count, sum } = mergedBuckets(family);
    expect(count).toBe(100);
    expect(sum).toBeCloseTo(5.05);
    // True p50 is 0.050; buckets 0.025..0.05 hold it exactly at the edge.
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.05, 3);
  });
});

describe('bounded labels', () => {
  it('refuses identifier-like values: UUIDs, long hex, numbers, e-mails become "other" and are counted', async () => {
    const registry = new MetricsRegistry(createInIsolateMetricsBackend());
    const counter = registry.counter<'tool'>({
      name: 'calls_total',
      help: 'x',
      type: 'counter',
      unit: '1',
      labels: { tool: {} },
    });
    counter.inc({ tool: 'entity_tool' });
    for (const id of [crypto.randomUUID(), 'deadbeefdeadbeefdeadbeef', '123456', 'a@b.c', 'x'.repeat(40)])
      counter.inc({ tool: id });
    const text = await registry.render();
    expect(text).toContain('calls_total{tool="entity_tool"} 1');
    expect(text).toContain('calls_total{tool="other"} 5');
    expect(text).toContain(
      'atoms_observability_label_rejections_total{metric="calls_total",label="tool",reason="id_like"} 5',
    );
  });

  it('caps distinct values per label; newcomers past the cap are bucketed as "other"', async () => {
    const registry = new MetricsRegistry(createInIsolateMetricsBackend());
    const counter = registry.counter<'name'>({
      name: 'capped_total',
      help: 'x',
      type: 'counter',
      unit: '1',
      labels: { name: { maxValues: 3 } },
    });
    for (const name of ['a', 'b', 'c', 'd', 'e', 'a']) counter.inc({ name });
    const family = must((await registry.collect()).find((f) => f.name === 'capped_total'));
    expect(Object.fromEntries(family.samples.map((s) => [s.labels['name'], s.value]))).toEqual({
      a: 2,
      b: 1,
      c: 1,
      other: 2,
    });
  });

  it('maps values outside an allow-list to "other" and templates raw paths', async () => {
    const metrics = new AtomsMetrics(createInIsolateMetricsBackend());
    const id = crypto.randomUUID();
    metrics.recordHttpRequest({ method: 'BREW', route: `/api/sessions/${id}`, status: 200, durationSeconds: 0.01 });
    metrics.recordHttpRequest({
      method: 'get',
      route: `/api/users/42/items/${id}?q=1`,
      status: 999,
      durationSeconds: 0.01,
    });
    const text = await metrics.render();
    expect(text).not.toContain(id);
    expect(text).toContain(
      'http_request_method="other",http_route="/api/sessions/:id",http_response_status_class="2xx"',
    );
    expect(text).toContain(
      'http_request_method="GET",http_route="/api/users/:id/items/:id",http_response_status_class="5xx"',
    );
  });

  it('1,000 distinct user ids in a free label create at most maxValues+1 series', async () => {
    const registry = new MetricsRegistry(createInIsolateMetricsBackend());
    const counter = registry.counter<'user'>({
      name: 'per_user_total',
      help: 'x',
      type: 'counter',
      unit: '1',
      labels: { user: { maxValues: 20 } },
    });
    for (let i = 0; i < 1000; i++) counter.inc({ user: `user_${i}` });
    const family = must((await registry.collect()).find((f) => f.name === 'per_user_total'));
    expect(family.samples.length).toBeLessThanOrEqual(21);
    expect(family.samples.reduce((s, x) => s + x.value, 0)).toBe(1000);
  });

  it('throws on undeclared label names, bad metric names, counters without _total, conflicting definitions', () => {
    const registry = new MetricsRegistry(createInIsolateMetricsBackend());
    const counter = registry.counter<'a'>({
      name: 'x_total',
      help: 'x',
      type: 'counter',
      unit: '1',
      labels: { a: {} },
    });
    expect(() => counter.inc({ a: '1', b: '2' } as never)).toThrow(/no label "b"/);
    expect(() =>
      registry.counter({ name: 'bad-name_total', help: '', type: 'counter', unit: '1', labels: {} }),
    ).toThrow(/invalid metric name/);
    expect(() => registry.counter({ name: 'no_suffix', help: '', type: 'counter', unit: '1', labels: {} })).toThrow(
      /_total/,
    );
    expect(() => registry.counter({ name: 'x_total', help: 'other', type: 'counter', unit: '1', labels: {} })).toThrow(
      /already registered/,
    );
    expect(() => registry.histogram({ name: 'h', help: '', type: 'histogram', unit: 's', labels: {} })).toThrow(
      /buckets/,
    );
  });
});

describe('route templates', () => {
  it.each([
    ['/api/mcp', '/api/mcp'],
    ['/api/sessions/3f2b8c1e-8a4d-4c8e-9f1a-2b3c4d5e6f70', '/api/sessions/:id'],
    ['/api/items/12345?x=1#h', '/api/items/:id'],
    ['/', '/'],
    ['', '/'],
    ['/a/b/c/d/e/f/g/h', '/a/b/c/d/e/f/…'],
    ['/users/someone%40example.com', '/users/:id'],
    ['/api/sessions/:id', '/api/sessions/:id'],
  ])('%s -> %s', (path, template) => expect(routeTemplate(path)).toBe(template));
});

describe('prom-client backend', () => {
  it('includes process default metrics unless disabled', async () => {
    const withDefaults = new AtomsMetrics(createPromClientBackend());
    const text = await withDefaults.render();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    const without = new AtomsMetrics(createPromClientBackend({ defaultMetrics: false }));
    expect(await without.render()).not.toContain('process_cpu_user_seconds_total');
  });
});
