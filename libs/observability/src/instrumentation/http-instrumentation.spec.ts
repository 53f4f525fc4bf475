import { describe, expect, it } from '@jest/globals';
import { captureLines } from '../../test/support/capture.js';
import { must } from '../../test/support/must.js';
import { PerformanceMonitor } from '../health/performance-monitor.js';
import { createEdgeLogger } from '../logging/edge-logger.js';
import { AtomsMetrics } from '../metrics/atoms-metrics.js';
import { createInIsolateMetricsBackend } from '../metrics/in-isolate-backend.js';
import { createAsyncContextCarrier } from '../node/async-context-carrier.js';
import { createNodeLogger } from '../node/pino-logger.js';
import { createHttpInstrumentation, pathnameOf } from './http-instrumentation.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function setup(kind: 'edge' | 'node', slowRequestMs = 60_000) {
  const sink = captureLines();
  const metrics = new AtomsMetrics(createInIsolateMetricsBackend());
  const performance = new PerformanceMonitor();
  const carrier = kind === 'node' ? createAsyncContextCarrier() : undefined;
  const logger =
    kind === 'node'
      ? createNodeLogger({ service: 's', destination: sink.stream, carrier })
      : createEdgeLogger({ service: 's', write: sink.write });
  const http = createHttpInstrumentation({ logger, metrics, performance, carrier, slowRequestMs });
  return { sink, metrics, performance, http, carrier };
}

describe.each(['edge', 'node'] as const)('HTTP instrumentation (%s context)', (kind) => {
  it('logs one completion line with correlation fields, records duration by status class, echoes headers', async () => {
    const { sink, metrics, performance, http } = setup(kind);
    const response = await http(
      new Request('https://mcp.example.com/api/sessions/3f2b8c1e-8a4d-4c8e-9f1a-2b3c4d5e6f70?x=1', {
        method: 'DELETE',
        headers: {
          'x-correlation-id': 'corr-1',
          traceparent: `00-${TRACE}-00f067aa0ba902b7-01`,
          authorization: 'Bearer abc.def',
        },
      }),
      async (_request, context) => {
        context.logger.info({ step: 'handler' }, 'inside');
        await context.identify({ userId: 'user-7', sessionId: 'raw-session-id' });
        context.logger.info('after auth');
        return new Response(null, { status: 204 });
      },
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('x-correlation-id')).toBe('corr-1');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('traceparent')).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));

    const lines = sink.parsed();
    expect(lines.map((l) => l['message'])).toEqual(['inside', 'after auth', 'request completed']);
    for (const line of lines) {
      expect(line).toMatchObject({
        correlationId: 'corr-1',
        traceId: TRACE,
        method: 'DELETE',
        route: '/api/sessions/:id',
      });
    }
    expect(lines[0]).not.toHaveProperty('userId');
    expect(lines[1]).toMatchObject({ userId: 'user-7', sessionHash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(lines[2]).toMatchObject({ level: 'info', status: 204, durationMs: expect.any(Number), userId: 'user-7' });
    // Keys appear once per line: no duplicate bindings between context and fields.
    for (const raw of sink.lines) expect((raw.match(/"correlationId"/g) ?? []).length).toBe(1);
    expect(sink.text()).not.toContain('raw-session-id');
    expect(sink.text()).not.toContain('abc.def');

    const text = await metrics.render();
    expect(text).toContain(
      'http_server_request_duration_seconds_count{http_request_method="DELETE",http_route="/api/sessions/:id",http_response_status_class="2xx"} 1',
    );
    expect(text).toContain('http_server_active_requests{http_request_method="DELETE"} 0');
    expect(performance.stats()[0]).toMatchObject({ operation: 'DELETE /api/sessions/:id', count: 1 });
  });

  it('counts a thrown error as 5xx, logs it with the stack, and rethrows it unchanged', async () => {
    const { sink, metrics, http } = setup(kind);
    const boom = new Error('handler exploded');
    await expect(
      http(new Request('http://localhost/api/mcp', { method: 'POST' }), () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    const [line] = sink.parsed();
    expect(line).toMatchObject({
      level: 'error',
      message: 'request failed',
      status: 500,
      err: { message: 'handler exploded' },
    });
    expect(await metrics.render()).toContain('http_response_status_class="5xx"} 1');
  });

  it('warns on requests slower than the threshold', async () => {
    const { sink, http } = setup(kind, 20);
    await http(new Request('http://localhost/slow'), async () => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      return new Response('ok');
    });
    expect(sink.parsed()).toEqual([
      expect.objectContaining({ level: 'warn', route: '/slow', slow: true, status: 200 }),
    ]);
    expect(must(sink.parsed()[0])['durationMs']).toBeGreaterThanOrEqual(20);
  });

  it('errors on 5xx and keeps probe paths out of info logs', async () => {
    const { sink, metrics, http } = setup(kind);
    await http(new Request('http://localhost/ok'), () => new Response('ok'));
    await http(new Request('http://localhost/bad'), () => new Response('no', { status: 502 }));
    await http(new Request('http://localhost/health/live'), () => new Response('ok'));
    const lines = sink.parsed();
    expect(lines.map((l) => [l['level'], l['route'], l['slow']])).toEqual([
      ['info', '/ok', undefined],
      ['error', '/bad', undefined],
    ]);
    expect(await metrics.render()).toContain('http_route="/health/live",http_response_status_class="2xx"} 1');
  });

  it('copies responses whose headers are immutable before echoing correlation headers', async () => {
    const { http } = setup(kind);
    const immutable = Response.redirect('http://localhost/elsewhere', 302);
    const response = await http(new Request('http://localhost/r'), () => immutable);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('http://localhost/elsewhere');
    expect(response.headers.get('x-correlation-id')).toBeTruthy();
  });
});

describe('HTTP instrumentation with AsyncLocalStorage', () => {
  it('keeps 40 concurrent requests apart: each handler sees its own context after awaits', async () => {
    const { sink, http, carrier } = setup('node');
    const seen = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const response = await http(
          new Request(`http://localhost/api/mcp`, { method: 'POST', headers: { 'x-correlation-id': `c-${i}` } }),
          async () => {
            await new Promise((resolve) => setTimeout(resolve, (i * 13) % 7));
            return new Response(carrier?.current()?.correlationId ?? 'none');
          },
        );
        return [await response.text(), response.headers.get('x-correlation-id')];
      }),
    );
    seen.forEach(([body, header], i) => expect([body, header]).toEqual([`c-${i}`, `c-${i}`]));
    expect(new Set(sink.parsed().map((l) => l['correlationId'])).size).toBe(40);
  });
});

describe('pathnameOf', () => {
  it.each([
    ['https://a.example/x/y?z=1', '/x/y'],
    ['http://a.example', '/'],
    ['http://a.example/#frag', '/'],
    ['http://a.example/p#f?q', '/p'],
  ])('%s -> %s', (url, path) => expect(pathnameOf(url)).toBe(path));
});
