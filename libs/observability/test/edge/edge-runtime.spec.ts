/** @jest-environment @edge-runtime/jest-environment */
// Runs the isomorphic entry inside the `edge-runtime` VM (Vercel's Edge runtime emulation): no Node built-ins in
// scope, `eval`/`new Function` disabled, web primitives (fetch, Request, crypto.subtle) from the edge runtime.
import { describe, expect, it } from '@jest/globals';
import {
  AlertDispatcher,
  createEdgeLogger,
  createEdgeObservability,
  createInIsolateMetricsBackend,
  createVercelWebhookHandler,
  extractCorrelation,
  hmacHex,
} from '../../src/index.js';

declare const EdgeRuntime: string | undefined;

describe('isomorphic entry inside the edge runtime', () => {
  it('really runs in the edge VM', () => {
    expect(typeof EdgeRuntime).toBe('string');
    expect(typeof (globalThis as { require?: unknown }).require).toBe('undefined');
    expect(typeof (globalThis as { setImmediate?: unknown }).setImmediate).toBe('undefined');
    expect(() => new Function('return 1')).toThrow();
  });

  it('logs redacted JSON lines, measures a request through the middleware and renders Prometheus text', async () => {
    const lines: string[] = [];
    const obs = createEdgeObservability({
      service: 'atoms-edge',
      version: '1.0.0',
      log: { write: (l) => void lines.push(l) },
    });
    const response = await obs.http(
      new Request('https://edge.example.com/api/mcp', {
        method: 'POST',
        headers: {
          authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl',
          'x-correlation-id': 'edge-1',
        },
      }),
      async (request, context) => {
        context.logger.info({ headers: Object.fromEntries(request.headers) }, 'handling');
        return new Response('{}', { status: 200 });
      },
    );
    expect(response.headers.get('x-correlation-id')).toBe('edge-1');
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain('eyJ');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({
      level: 'info',
      service: 'atoms-edge',
      version: '1.0.0',
      correlationId: 'edge-1',
      message: 'handling',
    });
    expect(parsed[1]).toMatchObject({ message: 'request completed', status: 200, route: '/api/mcp' });

    const metricsResponse = await obs.metricsHandler({ token: 'scrape-token' })(
      new Request('https://edge.example.com/metrics', { headers: { authorization: 'Bearer scrape-token' } }),
    );
    expect(metricsResponse.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await metricsResponse.text()).toContain(
      'http_server_request_duration_seconds_count{http_request_method="POST",http_route="/api/mcp",http_response_status_class="2xx"} 1',
    );
    expect(
      (await obs.metricsHandler({ token: 'scrape-token' })(new Request('https://edge.example.com/metrics'))).status,
    ).toBe(401);
  });

  it('verifies Vercel webhooks with crypto.subtle (accept, wrong secret, modified body, missing header)', async () => {
    const body = JSON.stringify({
      id: 'e1',
      type: 'deployment.created',
      createdAt: 1,
      payload: { deployment: { id: 'd1' } },
    });
    const signature = await hmacHex('s3cret', 'SHA-1', body);
    const seen: string[] = [];
    const handler = createVercelWebhookHandler({ secret: 's3cret', onEvent: (e) => void seen.push(e.type) });
    const post = (b: string, headers: Record<string, string>) =>
      handler(new Request('https://edge.example.com/api/webhooks/vercel', { method: 'POST', body: b, headers }));
    expect((await post(body, { 'x-vercel-signature': signature })).status).toBe(200);
    expect((await post(body, { 'x-vercel-signature': await hmacHex('wrong', 'SHA-1', body) })).status).toBe(401);
    expect((await post(body.replace('d1', 'd2'), { 'x-vercel-signature': signature })).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);
    expect(seen).toEqual(['deployment.created']);
  });

  it('renders the dashboard page with its CSP and health JSON', async () => {
    const obs = createEdgeObservability({ service: 'atoms-edge', version: '1.0.0', log: { write: () => undefined } });
    obs.health.addCheck({ name: 'kv', componentType: 'datastore', check: async () => 'pass' });
    const page = await obs.dashboardResponse();
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(await page.text()).toContain('atoms-edge observability');
    const json = (await (await obs.dashboardJsonResponse()).json()) as { health: { status: string } };
    expect(json.health.status).toBe('pass');
  });

  it('generates correlation ids and renders the same exposition as a fresh registry', async () => {
    const ctx = extractCorrelation(new Headers());
    expect(ctx.traceId).toMatch(/^[0-9a-f]{32}$/);
    const backend = createInIsolateMetricsBackend();
    expect(await backend.render()).toBe('');
    const lines: string[] = [];
    createEdgeLogger({ service: 's', write: (l) => void lines.push(l) }).error(new Error('x'));
    expect(JSON.parse(lines[0] as string)).toMatchObject({ err: { type: 'Error', message: 'x' } });
  });

  it('reports a failed alert delivery (nothing listening) without throwing', async () => {
    const dispatcher = new AlertDispatcher({
      environment: 'edge',
      webhooks: [{ name: 'nowhere', url: 'http://127.0.0.1:9/hook' }],
      retries: 1,
      backoffMs: 1,
      timeoutMs: 2000,
    });
    const report = await dispatcher.send({ type: 'custom.event', title: 'edge' });
    expect(report.deliveries[0]).toMatchObject({ delivered: false, attempts: 2 });
  });
});
