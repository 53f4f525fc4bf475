// The Node wiring end to end over real HTTP: a node:http server whose handler is wrapped by createNodeObservability.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthResponse } from '../src/index.js';
import {
  createNodeObservability,
  currentCorrelation,
  isServerless,
  type NodeObservability,
} from '../src/node/index.js';
import { captureLines } from './support/capture.js';

const sink = captureLines();
let obs: NodeObservability;
let server: Server;
let base: string;

/** Code far from the request that was never handed a logger or context. */
async function deepInTheStack() {
  await new Promise((resolve) => setTimeout(resolve, 5));
  obs.logger.info({ step: 'deep' }, 'deep work');
  return currentCorrelation()?.correlationId;
}

beforeAll(async () => {
  obs = createNodeObservability({
    service: 'atoms-mcp',
    version: '3.1.0',
    log: { destination: sink.stream },
    health: { checks: [{ name: 'database', componentType: 'database', check: async () => 'pass' }] },
  });
  server = createServer((req, res) => {
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value);
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers });
    void obs
      .http(request, async (r) => {
        const path = new URL(r.url).pathname;
        if (path === '/metrics') return obs.metricsHandler()(r);
        if (path === '/health') return healthResponse(await obs.health.check());
        if (path === '/health/ready') return healthResponse(await obs.health.readiness());
        return new Response(JSON.stringify({ seen: await deepInTheStack() }), {
          headers: { 'content-type': 'application/json' },
        });
      })
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('createNodeObservability over real HTTP', () => {
  it('carries the correlation id into code that was never handed it, and into its log lines', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => fetch(`${base}/api/work`, { headers: { 'x-correlation-id': `corr-${i}` } })),
    );
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ seen: string }>));
    bodies.forEach((body, i) => expect(body.seen).toBe(`corr-${i}`));
    responses.forEach((r, i) => expect(r.headers.get('x-correlation-id')).toBe(`corr-${i}`));
    const deep = sink.parsed().filter((l) => l['message'] === 'deep work');
    expect(deep).toHaveLength(20);
    for (const line of deep) {
      expect(line).toMatchObject({ service: 'atoms-mcp', version: '3.1.0', route: '/api/work', method: 'GET' });
      expect(String(line['correlationId'])).toMatch(/^corr-\d+$/);
    }
  });

  it('serves Prometheus text with the catalogue and process metrics, and health', async () => {
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.text();
    expect(text).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_route="/api/work",http_response_status_class="2xx"} 20',
    );
    expect(text).toContain('process_resident_memory_bytes');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('content-type')).toBe('application/health+json');
    expect(await health.json()).toMatchObject({ status: 'pass', version: '3.1.0', serviceId: 'atoms-mcp' });
    obs.health.startDraining();
    expect((await fetch(`${base}/health/ready`)).status).toBe(503);
  });
});

describe('isServerless', () => {
  it('recognises serverless platforms, where stdout stays synchronous', () => {
    expect(isServerless({})).toBe(false);
    expect(isServerless({ VERCEL: '1' })).toBe(true);
    expect(isServerless({ AWS_LAMBDA_FUNCTION_NAME: 'fn' })).toBe(true);
  });
});
