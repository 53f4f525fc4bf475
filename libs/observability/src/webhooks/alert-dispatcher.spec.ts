import { afterEach, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { captureLines } from '../../test/support/capture.js';
import { startServer } from '../../test/support/http-server.js';
import { must } from '../../test/support/must.js';
import { HealthService } from '../health/health-service.js';
import type { HealthStatus } from '../health/health-types.js';
import { PerformanceMonitor } from '../health/performance-monitor.js';
import { createEdgeLogger } from '../logging/edge-logger.js';
import { AtomsMetrics } from '../metrics/atoms-metrics.js';
import { createInIsolateMetricsBackend } from '../metrics/in-isolate-backend.js';
import { AlertDispatcher, type AlertDispatcherOptions } from './alert-dispatcher.js';
import type { AlertPayload } from './alert-event.js';
import { alertOnHealthTransitions } from './health-alerts.js';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(reply: Parameters<typeof startServer>[0]) {
  const s = await startServer(reply);
  servers.push(s);
  return s;
}

const fast = (overrides: Partial<AlertDispatcherOptions> & Pick<AlertDispatcherOptions, 'webhooks'>) =>
  new AlertDispatcher({ environment: 'test', backoffMs: 20, jitter: 0, timeoutMs: 2000, ...overrides });

/** A real sleep that also records the delays the dispatcher asked for. */
function recordingSleep() {
  const delays: number[] = [];
  const sleep = (ms: number) => {
    delays.push(ms);
    return new Promise<void>((resolve) => setTimeout(resolve, ms));
  };
  return { delays, sleep };
}

describe('AlertDispatcher against a real HTTP server', () => {
  it('posts the reference payload with delivery headers', async () => {
    const hook = await server((_req, _i, res) => res.writeHead(204).end());
    const report = await fast({ webhooks: [{ name: 'ops', url: hook.url, headers: { 'x-team': 'core' } }] }).send({
      type: 'error.occurred',
      title: 'Tool failed',
      message: 'entity_tool create failed',
      metadata: { tool: 'entity_tool' },
    });
    expect(report.deliveries).toEqual([{ webhook: 'ops', filtered: false, delivered: true, attempts: 1, status: 204 }]);
    const [request] = hook.received;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['x-team']).toBe('core');
    expect(request?.headers['x-atoms-event']).toBe('error.occurred');
    const body = JSON.parse(must(request).body) as AlertPayload;
    expect(body).toEqual({
      id: report.payload.id,
      event_type: 'error.occurred',
      severity: 'error',
      title: 'Tool failed',
      message: 'entity_tool create failed',
      timestamp: expect.stringMatching(/Z$/),
      metadata: { tool: 'entity_tool' },
      source: 'atoms-mcp',
      environment: 'test',
    });
    expect(request?.headers['x-atoms-delivery']).toBe(body.id);
  });

  it('retries 5xx with doubling backoff and the same delivery id, then succeeds', async () => {
    const hook = await server((_req, i, res) => res.writeHead(i < 2 ? 503 : 200).end());
    const metrics = new AtomsMetrics(createInIsolateMetricsBackend());
    const { delays, sleep } = recordingSleep();
    const report = await fast({ webhooks: [{ name: 'ops', url: hook.url }], metrics, sleep }).send({
      type: 'health.degraded',
      title: 't',
    });
    expect(report.deliveries[0]).toMatchObject({ delivered: true, attempts: 3, status: 200 });
    expect(hook.received).toHaveLength(3);
    expect(new Set(hook.received.map((r) => r.headers['x-atoms-delivery'])).size).toBe(1);
    expect(delays).toEqual([20, 40]);
    // The waits really happened between the requests the server saw.
    const [a, b, c] = hook.received.map((r) => r.at);
    expect(must(b) - must(a)).toBeGreaterThanOrEqual(18);
    expect(must(c) - must(b)).toBeGreaterThanOrEqual(38);
    expect(await metrics.render()).toContain(
      'atoms_alert_webhook_deliveries_total{alert_event_type="health.degraded",outcome="delivered"} 1',
    );
  });

  it('gives up after the configured retries and reports the last status; logs without the URL', async () => {
    const hook = await server((_req, _i, res) => res.writeHead(500).end());
    const sink = captureLines();
    const { delays, sleep } = recordingSleep();
    const report = await fast({
      sleep,
      webhooks: [{ name: 'pager', url: `${hook.url}/secret-path-token` }],
      retries: 2,
      logger: createEdgeLogger({ service: 's', write: sink.write }),
    }).send({ type: 'deployment.failed', title: 'deploy failed' });
    expect(report.deliveries[0]).toMatchObject({ delivered: false, attempts: 3, status: 500, error: 'HTTP 500' });
    expect(hook.received).toHaveLength(3);
    expect(delays).toEqual([20, 40]);
    expect(sink.parsed().map((l) => l['message'])).toEqual([
      'alert webhook attempt failed; retrying',
      'alert webhook attempt failed; retrying',
      'alert webhook delivery failed',
    ]);
    expect(sink.text()).not.toContain('secret-path-token');
  });

  it('does not retry a 4xx other than 408/425/429', async () => {
    const hook = await server((_req, _i, res) => res.writeHead(400).end());
    const report = await fast({ webhooks: [{ name: 'x', url: hook.url }] }).send({ type: 'custom.event', title: 't' });
    expect(report.deliveries[0]).toMatchObject({ delivered: false, attempts: 1, status: 400 });
  });

  it('honours Retry-After on 429 (capped by maxBackoffMs)', async () => {
    const hook = await server((_req, i, res) =>
      i === 0 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end(),
    );
    const { delays, sleep } = recordingSleep();
    const report = await fast({ webhooks: [{ name: 'x', url: hook.url }], maxBackoffMs: 150, sleep }).send({
      type: 'custom.event',
      title: 't',
    });
    expect(report.deliveries[0]).toMatchObject({ delivered: true, attempts: 2 });
    // Retry-After (1 s) wins over the 20 ms backoff and is capped at maxBackoffMs.
    expect(delays).toEqual([150]);
    expect(must(hook.received[1]).at - must(hook.received[0]).at).toBeGreaterThanOrEqual(140);
  });

  it('times out a hanging receiver per attempt and retries', async () => {
    const hook = await server((_req, i, res) => {
      if (i === 0) return; // never answers
      res.writeHead(200).end();
    });
    const started = performance.now();
    const report = await fast({ webhooks: [{ name: 'slow', url: hook.url }], timeoutMs: 300 }).send({
      type: 'custom.event',
      title: 't',
    });
    expect(report.deliveries[0]).toMatchObject({ delivered: true, attempts: 2 });
    expect(hook.received).toHaveLength(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('reports a timeout when every attempt hangs', async () => {
    const hook = await server(() => undefined);
    const report = await fast({ webhooks: [{ name: 'slow', url: hook.url }], timeoutMs: 400, retries: 1 }).send({
      type: 'custom.event',
      title: 't',
    });
    expect(report.deliveries[0]).toMatchObject({ delivered: false, attempts: 2, error: 'timed out after 400 ms' });
    expect(hook.received).toHaveLength(2);
  });

  it('retries connection failures (nothing listening)', async () => {
    const hook = await server((_req, _i, res) => res.writeHead(200).end());
    const deadUrl = hook.url;
    await hook.close();
    servers.length = 0;
    const report = await fast({ webhooks: [{ name: 'dead', url: deadUrl }], retries: 1 }).send({
      type: 'custom.event',
      title: 't',
    });
    expect(report.deliveries[0]).toMatchObject({
      delivered: false,
      attempts: 2,
      error: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('applies event and severity filters per webhook', async () => {
    const hook = await server((_req, _i, res) => res.writeHead(200).end());
    const dispatcher = fast({
      webhooks: [
        { name: 'all', url: hook.url },
        { name: 'deploys', url: hook.url, events: ['deployment.completed', 'deployment.failed'] },
        { name: 'critical', url: hook.url, minSeverity: 'critical' },
      ],
    });
    const report = await dispatcher.send({ type: 'deployment.failed', title: 'x' });
    expect(report.deliveries.map((d) => [d.webhook, d.filtered, d.delivered])).toEqual([
      ['all', false, true],
      ['deploys', false, true],
      ['critical', true, false],
    ]);
    const health = await dispatcher.send({ type: 'health.degraded', severity: 'critical', title: 'x' });
    expect(health.deliveries.map((d) => d.filtered)).toEqual([false, true, false]);
    expect(hook.received).toHaveLength(4);
  });

  it('signs bodies with HMAC-SHA256 over timestamp.body when a secret is set', async () => {
    const hook = await server((_req, _i, res) => res.writeHead(200).end());
    await fast({ webhooks: [{ name: 'signed', url: hook.url, secret: 'whsec' }] }).send({
      type: 'custom.event',
      title: 't',
    });
    const request = must(hook.received[0]);
    const timestamp = String(request.headers['x-atoms-timestamp']);
    const expected = createHmac('sha256', 'whsec').update(`${timestamp}.${request.body}`).digest('hex');
    expect(request.headers['x-atoms-signature']).toBe(`sha256=${expected}`);
  });

  it('rejects invalid input: unknown event types and non-http URLs', async () => {
    expect(() => fast({ webhooks: [{ name: 'x', url: 'ftp://example.com/hook' }] })).toThrow(/unsupported URL scheme/);
    const dispatcher = fast({ webhooks: [] });
    await expect(dispatcher.send({ type: 'made.up' as never, title: 't' })).rejects.toThrow(/unknown alert event type/);
  });
});

describe('alertOnHealthTransitions', () => {
  it('sends health.degraded, performance.degraded and health.recovered as health changes', async () => {
    const hook = await server((_req, _i, res) => res.writeHead(200).end());
    const dispatcher = fast({ webhooks: [{ name: 'ops', url: hook.url }] });
    let database: HealthStatus = 'pass';
    const monitor = new PerformanceMonitor({ minSamples: 1 });
    const health = new HealthService({
      serviceId: 'atoms-mcp',
      version: '1',
      checks: [{ name: 'database', check: async () => database }, monitor.asHealthCheck()],
      onTransition: alertOnHealthTransitions(dispatcher),
    });
    await health.check();
    database = 'fail';
    await health.check();
    database = 'pass';
    await health.check();
    monitor.record('tool:query_tool.search', 30_000);
    await health.check();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const events = hook.received.map((r) => {
      const body = JSON.parse(r.body) as AlertPayload;
      return [body.event_type, body.severity];
    });
    expect(events).toEqual([
      ['health.degraded', 'critical'],
      ['health.recovered', 'info'],
      ['health.degraded', 'warning'],
      ['performance.degraded', 'error'],
    ]);
  });
});
