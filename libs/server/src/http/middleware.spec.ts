import { createEdgeObservability } from '@atoms/observability';
import { bodyLimit, BodyTooLargeError, readBodyText } from './body-limit.js';
import { cors } from './cors.js';
import { errorBoundary } from './error-boundary.js';
import { hostAllowlist } from './host-allowlist.js';
import { compose, type Middleware, type RequestState } from './pipeline.js';
import { securityHeaders } from './security-headers.js';

const obs = createEdgeObservability({ service: 't', version: '1', log: { level: 'silent' } });

async function run(
  middleware: Middleware,
  request: Request,
  inner = async () => new Response('inner'),
): Promise<Response> {
  let state!: RequestState;
  await obs.http(request, async (_r, context) => {
    state = { url: new URL(request.url), context };
    return new Response();
  });
  return compose([middleware], inner)(request, state);
}

describe('hostAllowlist', () => {
  const allow = hostAllowlist({ allowedHosts: ['mcp.example.com'], allowedOrigins: ['https://app.example.com'] });

  it('passes an allowed Host (any port) and requests without Origin', async () => {
    expect((await run(allow, new Request('https://mcp.example.com:8443/x'))).status).toBe(200);
  });

  it('refuses a foreign Host or Origin with 403 before the handler runs', async () => {
    let reached = false;
    const inner = async () => ((reached = true), new Response());
    expect((await run(allow, new Request('https://rebind.attacker.example/x'), inner)).status).toBe(403);
    const origin = new Request('https://mcp.example.com/x', { headers: { origin: 'https://evil.example' } });
    expect((await run(allow, origin, inner)).status).toBe(403);
    expect(reached).toBe(false);
  });
});

describe('cors', () => {
  const middleware = cors({ allowedOrigins: ['https://app.example.com'], methodsFor: () => ['POST'] });

  it('answers preflight itself with the route’s methods and the MCP headers', async () => {
    const response = await run(
      middleware,
      new Request('https://mcp.example.com/api/mcp', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com' },
      }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toContain('Mcp-Session-Id');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  it('adds allow/expose headers to responses for allowed origins only', async () => {
    const allowed = await run(
      middleware,
      new Request('https://m/x', { headers: { origin: 'https://app.example.com' } }),
    );
    expect(allowed.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    const other = await run(middleware, new Request('https://m/x'));
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('securityHeaders', () => {
  it('sets the fixed headers, keeps a route’s own CSP and strips X-Powered-By', async () => {
    const response = await run(
      securityHeaders(),
      new Request('https://m/x'),
      async () =>
        new Response('x', { headers: { 'content-security-policy': "default-src 'self'", 'x-powered-by': 'me' } }),
    );
    expect(response.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
  });
});

describe('body limit', () => {
  it('refuses a declared Content-Length above the limit', async () => {
    const request = new Request('https://m/x', {
      method: 'POST',
      body: 'x'.repeat(11),
      headers: { 'content-length': '11' },
    });
    expect((await run(bodyLimit(10), request)).status).toBe(413);
  });

  it('stops reading a stream at the limit and reads bodies within it', async () => {
    await expect(
      readBodyText(new Request('https://m/x', { method: 'POST', body: 'x'.repeat(11) }), 10),
    ).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(await readBodyText(new Request('https://m/x', { method: 'POST', body: 'héllo' }), 10)).toBe('héllo');
  });
});

describe('errorBoundary', () => {
  const failing = async (): Promise<Response> => {
    throw new Error('boom at /secret/path');
  };

  it('answers 500 without internals for an unexpected error', async () => {
    const response = await run(errorBoundary(), new Request('https://mcp.example.com/x'), failing);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('secret');
  });

  it('answers 499, not 500, when the client had already gone', async () => {
    const controller = new AbortController();
    controller.abort();
    const response = await run(
      errorBoundary(),
      new Request('https://mcp.example.com/x', { signal: controller.signal }),
      failing,
    );
    expect(response.status).toBe(499);
    expect(await response.json()).toMatchObject({ error: 'client_closed_request' });
  });
});
