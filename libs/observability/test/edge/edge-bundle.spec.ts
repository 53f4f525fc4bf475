// The isomorphic entry as an edge function would ship it: bundled by esbuild for a browser-like platform (any
// Node built-in, pino or prom-client import fails the build), then evaluated in the `edge-runtime` package's VM.
import { describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';
import { EdgeRuntime } from 'edge-runtime';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

describe('edge bundle of @atoms/observability', () => {
  it('bundles without Node built-ins or Node-only packages and works inside EdgeRuntime', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      globalName: 'observability',
      target: 'es2022',
      conditions: ['@atoms/source'],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text ?? '';
    expect(code.length).toBeGreaterThan(10_000);
    for (const forbidden of ['require("', 'node:', 'prom-client', 'sonic-boom', 'async_hooks']) {
      expect(code).not.toContain(forbidden);
    }

    const runtime = new EdgeRuntime({ initialCode: code });
    const output = (await runtime.evaluate(`
      (async () => {
        const lines = [];
        const obs = observability.createEdgeObservability({ service: 'bundled', version: '1', log: { write: (l) => lines.push(l) } });
        const response = await obs.http(
          new Request('https://edge.example.com/api/mcp', { method: 'POST', headers: { cookie: 'sid=supersecret' } }),
          async (request, context) => { context.logger.info({ headers: Object.fromEntries(request.headers) }, 'in handler'); return new Response('ok'); },
        );
        const metrics = await obs.metrics.render();
        const page = await obs.dashboardResponse();
        return JSON.stringify({
          status: response.status,
          correlation: response.headers.get('x-correlation-id'),
          lines,
          metrics,
          csp: page.headers.get('content-security-policy'),
          evalBlocked: (() => { try { new Function('return 1'); return false; } catch { return true; } })(),
        });
      })()
    `)) as string;
    const parsed = JSON.parse(output) as {
      status: number;
      correlation: string;
      lines: string[];
      metrics: string;
      csp: string;
      evalBlocked: boolean;
    };
    expect(parsed.evalBlocked).toBe(true);
    expect(parsed.status).toBe(200);
    expect(parsed.correlation).toMatch(/^[0-9a-f-]{36}$/);
    expect(parsed.lines).toHaveLength(2);
    expect(parsed.lines.join('')).not.toContain('supersecret');
    expect(parsed.metrics).toContain(
      'http_server_request_duration_seconds_count{http_request_method="POST",http_route="/api/mcp",http_response_status_class="2xx"} 1',
    );
    expect(parsed.csp).toContain("default-src 'none'");
  });
});
