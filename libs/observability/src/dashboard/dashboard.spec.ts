import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { must } from '../../test/support/must.js';
import { HealthService } from '../health/health-service.js';
import { PerformanceMonitor } from '../health/performance-monitor.js';
import { AtomsMetrics } from '../metrics/atoms-metrics.js';
import { createInIsolateMetricsBackend } from '../metrics/in-isolate-backend.js';
import { createPromClientBackend } from '../node/prom-client-backend.js';
import { dashboardJsonResponse, dashboardResponse, renderDashboardPage } from './dashboard-page.js';
import { type DashboardSnapshot, DashboardSource } from './dashboard-snapshot.js';

function populated(backend = createInIsolateMetricsBackend()) {
  let now = 1_000_000;
  const metrics = new AtomsMetrics(backend);
  const performance = new PerformanceMonitor({ now: () => now });
  const health = new HealthService({
    serviceId: 'atoms-mcp',
    version: '2.0.0',
    checks: [
      { name: 'database', componentType: 'database', check: async () => 'pass' },
      {
        name: 'session_store',
        componentType: 'datastore',
        critical: false,
        check: async () => ({ status: 'warn', output: 'slow' }),
      },
    ],
  });
  const source = new DashboardSource({
    service: 'atoms-mcp',
    version: '2.0.0',
    metrics,
    health,
    performance,
    now: () => now,
  });
  // 100 requests: 1..100 ms, 4 of them 5xx, 6 of them 4xx.
  for (let i = 1; i <= 100; i++) {
    const status = i <= 4 ? 503 : i <= 10 ? 404 : 200;
    metrics.recordHttpRequest({ method: 'POST', route: '/api/mcp', status, durationSeconds: i / 1000 });
    performance.record('POST /api/mcp', i);
  }
  for (let i = 0; i < 30; i++) {
    metrics.recordMcpOperation({
      method: 'tools/call',
      tool: 'entity_tool',
      operation: 'read',
      outcome: i < 3 ? 'error' : 'success',
      durationSeconds: 0.02,
    });
  }
  metrics.recordMcpOperation({
    method: 'tools/call',
    tool: 'query_tool',
    operation: 'search',
    outcome: 'tool_error',
    durationSeconds: 0.3,
  });
  metrics.setActiveSessions(12);
  metrics.recordRateLimited({ tool: 'entity_tool', key: 'user' });
  return { metrics, source, advance: (ms: number) => (now += ms) };
}

describe('DashboardSource', () => {
  it.each([
    ['in-isolate', () => createInIsolateMetricsBackend()],
    ['prom-client', () => createPromClientBackend({ defaultMetrics: false })],
    ['prom-client OpenMetrics', () => createPromClientBackend({ defaultMetrics: false, openMetrics: true })],
    ['in-isolate OpenMetrics', () => createInIsolateMetricsBackend({ openMetrics: true })],
  ])('summarises traffic, latency, tools, sessions and health (%s)', async (_name, backend) => {
    const { metrics, source, advance } = populated(backend());
    // A scrape first: prom-client renames counters while rendering OpenMetrics; the snapshot must not care.
    await metrics.render();
    advance(10_000);
    const snapshot = await source.snapshot();
    expect(snapshot).toMatchObject({
      service: 'atoms-mcp',
      version: '2.0.0',
      uptimeSeconds: 10,
      requests: { total: 100, ratePerSecond: 10, errorRate: 0.04, byStatusClass: { '2xx': 90, '4xx': 6, '5xx': 4 } },
      sessions: { active: 12 },
      rateLimited: 1,
      health: { status: 'warn' },
    });
    // Bucket estimates: true p50 = 50 ms sits on the 0.05 bound; p95/p99 fall inside 0.075..0.1.
    expect(snapshot.requests.latency.p50Ms).toBeCloseTo(50, 0);
    expect(must(snapshot.requests.latency.p95Ms)).toBeGreaterThan(75);
    expect(must(snapshot.requests.latency.p99Ms)).toBeLessThanOrEqual(100);
    expect(snapshot.tools).toEqual([
      expect.objectContaining({ tool: 'entity_tool', calls: 30, errors: 3, toolErrors: 0, errorRate: 0.1 }),
      expect.objectContaining({ tool: 'query_tool', calls: 1, errors: 0, toolErrors: 1, errorRate: 1 }),
    ]);
    expect(snapshot.operations[0]).toMatchObject({ operation: 'POST /api/mcp', p50Ms: 50, p95Ms: 95, p99Ms: 99 });
    expect(snapshot.health?.components.map((c) => [c.name, c.status, c.critical])).toEqual([
      ['database', 'pass', true],
      ['session_store', 'warn', false],
    ]);
  });

  it('computes the request rate over the interval since the previous snapshot', async () => {
    const { metrics, source, advance } = populated();
    advance(10_000);
    await source.snapshot();
    for (let i = 0; i < 50; i++)
      metrics.recordHttpRequest({ method: 'GET', route: '/health', status: 200, durationSeconds: 0.001 });
    advance(5_000);
    expect((await source.snapshot()).requests.ratePerSecond).toBe(10);
  });

  it('reports empty latency as null, not zero or NaN', async () => {
    const source = new DashboardSource({
      service: 's',
      version: '1',
      metrics: new AtomsMetrics(createInIsolateMetricsBackend()),
    });
    const snapshot = await source.snapshot();
    expect(snapshot.requests.latency).toEqual({ p50Ms: null, p95Ms: null, p99Ms: null });
    expect(snapshot.health).toBeNull();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('dashboard page', () => {
  it('is self-contained, and its CSP allows exactly its own inline script and style by hash', async () => {
    const { source } = populated();
    const page = await renderDashboardPage(await source.snapshot());
    const script = must(/<script>([\s\S]*?)<\/script>/.exec(page.html))[1] as string;
    const style = must(/<style>([\s\S]*?)<\/style>/.exec(page.html))[1] as string;
    expect(page.csp).toContain(`script-src ${sha256(script)}`);
    expect(page.csp).toContain(`style-src ${sha256(style)}`);
    for (const directive of [
      "default-src 'none'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ]) {
      expect(page.csp).toContain(directive);
    }
    expect(page.csp).not.toContain('unsafe');
    // Nothing is loaded from anywhere: the only reference is the empty data: favicon (stops a /favicon.ico request).
    expect(page.html.replace('<link rel="icon" href="data:,">', '')).not.toMatch(/\s(src|href)=/i);
    expect(page.html).not.toMatch(/https?:\/\//);
    expect(page.html).not.toMatch(/\sstyle=|\son[a-z]+=/i);
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': page.csp,
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
  });

  it('embeds data so that hostile strings cannot close the data block or inject markup', async () => {
    const snapshot: DashboardSnapshot = {
      generatedAt: new Date(0).toISOString(),
      service: '<img src=x onerror=alert(1)>',
      version: '1',
      uptimeSeconds: 0,
      requests: {
        total: 0,
        ratePerSecond: 0,
        errorRate: 0,
        byStatusClass: {},
        latency: { p50Ms: null, p95Ms: null, p99Ms: null },
      },
      tools: [
        {
          tool: '</script><script>alert(1)</script>',
          calls: 1,
          errors: 0,
          toolErrors: 0,
          errorRate: 0,
          p50Ms: 1,
          p95Ms: 1,
          p99Ms: 1,
        },
      ],
      operations: [],
      health: null,
      sessions: { active: null },
      rateLimited: 0,
    };
    const { html } = await renderDashboardPage(snapshot);
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toContain('<img');
    const data = must(
      /<script type="application\/json" id="dashboard-data">([\s\S]*?)<\/script>/.exec(html),
    )[1] as string;
    expect(JSON.parse(data)).toEqual(snapshot);
  });

  it('uses the configured JSON path (default /api/observability/dashboard.json) and refuses cross-origin ones', async () => {
    const { source } = populated();
    const snapshot = await source.snapshot();
    expect((await renderDashboardPage(snapshot)).html).toContain('data-endpoint="/api/observability/dashboard.json"');
    expect((await renderDashboardPage(snapshot, { jsonPath: '/ops/dash.json', refreshSeconds: 10 })).html).toContain(
      'data-endpoint="/ops/dash.json" data-refresh-ms="10000"',
    );
    await expect(renderDashboardPage(snapshot, { jsonPath: 'https://evil.example/x' })).rejects.toThrow(TypeError);
    await expect(renderDashboardPage(snapshot, { jsonPath: '//evil.example/x' })).rejects.toThrow(TypeError);
  });

  it('serves the page and the JSON as Responses with the right headers', async () => {
    const { source } = populated();
    const snapshot = await source.snapshot();
    const page = await dashboardResponse(snapshot);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(await page.text()).toMatch(/^<!doctype html>/);
    const json = dashboardJsonResponse(snapshot);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await json.json()).toEqual(JSON.parse(JSON.stringify(snapshot)));
  });
});
