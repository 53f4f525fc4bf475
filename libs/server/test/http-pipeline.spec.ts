import {
  createDevIssuer,
  deviceFromHeaders,
  MemorySigningKeyStore,
  MemoryStore,
  RefreshTokenService,
  RevocationService,
  SessionManager,
  type DevIssuer,
} from '@atoms/session';
import { createEdgeObservability, hmacHex } from '@atoms/observability';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createAtomsHandler, issueDevTokens, MemoryRateLimiter, type AtomsHandler } from '../src/index.js';
import { connectClient, MCP_HEADERS, rawRequest, rpc, startHttp, testMcpServer } from './support/harness.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const CAROL = '88888888-8888-4888-8888-888888888888';
const DAVE = '99999999-9999-4999-8999-999999999999';
const BROWSER = 'https://app.example.com';
const WEBHOOK_SECRET = 'whsec_test_0123456789abcdef';

let http: Awaited<ReturnType<typeof startHttp>>;
let handler: AtomsHandler;
let issuer: DevIssuer;
let keyStore: MemorySigningKeyStore;
let mcpUrl: string;
let wiring: Parameters<typeof issueDevTokens>[0];
let store: MemoryStore;
let revocation: RevocationService;
const webhookEvents: unknown[] = [];

beforeAll(async () => {
  http = await startHttp();
  mcpUrl = `${http.url}/api/mcp`;
  keyStore = new MemorySigningKeyStore();
  issuer = await createDevIssuer({ issuer: http.url, audience: mcpUrl, keyStore });
  store = new MemoryStore();
  const sessions = new SessionManager({ store });
  const refreshTokens = new RefreshTokenService({ store, sessions });
  revocation = new RevocationService({ store, sessions, refreshTokens });
  wiring = { issuer, sessions, refreshTokens, scopes: ['mcp'] };
  handler = createAtomsHandler({
    publicUrl: http.url,
    createMcpServer: testMcpServer,
    auth: {
      verifier: issuer.accessTokenVerifier(),
      revocation,
      requiredScopes: ['mcp'],
    },
    sessions,
    sessionStore: store,
    devIssuer: { issuer, sessions, refreshTokens, scopes: ['mcp'] },
    rateLimiter: new MemoryRateLimiter({ limit: 3 }),
    ipRateLimiter: new MemoryRateLimiter({ limit: 4 }),
    allowedOrigins: [BROWSER],
    maxBodyBytes: 10_000,
    metricsToken: 'metrics-secret',
    vercelWebhook: { secret: WEBHOOK_SECRET, onEvent: (event) => void webhookEvents.push(event) },
    observability: createEdgeObservability({ service: 'server-test', version: '1.0.0', log: { level: 'silent' } }),
  });
  http.setHandler(handler);
});

afterAll(() => http.close());

const mint = (sub = ALICE, extra: Parameters<DevIssuer['mintAccessToken']>[0] = { sub }) =>
  issuer.mintAccessToken({ scopes: ['mcp'], ...extra, sub }).then((t) => t.token);

const callTool = (token: string, name: string, args: Record<string, unknown> = {}) =>
  fetch(mcpUrl, {
    method: 'POST',
    headers: { ...MCP_HEADERS, authorization: `Bearer ${token}` },
    body: rpc('tools/call', { name, arguments: args }),
  });

const resourceMetadata = () => `${http.url}/.well-known/oauth-protected-resource/api/mcp`;

describe('MCP over the full pipeline', () => {
  let client: Client;
  afterAll(() => client?.close());

  it('lists and calls tools with a dev-issuer token; the factory and the tool see the profile id', async () => {
    const token = await mint(ALICE, { sub: ALICE, email: 'alice@example.com' });
    client = await connectClient(mcpUrl, token);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['echo', 'whoami']);
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(echo.content).toEqual([{ type: 'text', text: 'hi' }]);
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    const seen = JSON.parse((who.content as [{ text: string }])[0].text);
    expect(seen.factoryUser).toBe(ALICE);
    expect(seen.authInfo).toMatchObject({
      clientId: http.url,
      scopes: ['mcp'],
      extra: { sub: ALICE, email: 'alice@example.com', claims: { sub: ALICE } },
    });
    expect(typeof seen.authInfo.expiresAt).toBe('number');
  });

  it('answers GET and DELETE with 405 in stateless mode', async () => {
    const response = await fetch(mcpUrl, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${await mint()}` },
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('auth failures', () => {
  it('no token: 401 with the RFC 9728 challenge and no error code', async () => {
    const response = await fetch(mcpUrl, { method: 'POST', headers: MCP_HEADERS, body: rpc('tools/list') });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${resourceMetadata()}", scope="mcp"`,
    );
  });

  it('a malformed or forged token: 401 invalid_token', async () => {
    const response = await callTool('abc.def.ghi', 'echo');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(
      new RegExp(
        `^Bearer resource_metadata="${resourceMetadata()}", scope="mcp", error="invalid_token", error_description="`,
      ),
    );
  });

  it('the wrong audience: 401 invalid_token naming the reason', async () => {
    const token = await mint(ALICE, { sub: ALICE, audience: 'https://elsewhere.example.com/api/mcp' });
    const response = await callTool(token, 'echo');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(response.headers.get('www-authenticate')).toContain('wrong_audience');
  });

  it('an expired token: 401 invalid_token (expired)', async () => {
    const past = await createDevIssuer({
      issuer: http.url,
      audience: mcpUrl,
      keyStore,
      clock: () => Date.now() - 3 * 3_600_000,
    });
    const token = (await past.mintAccessToken({ sub: ALICE, scopes: ['mcp'], ttlSeconds: 900 })).token;
    const response = await callTool(token, 'echo', { text: 'x' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(response.headers.get('www-authenticate')).toContain('expired');
  });

  it('a token without the required scope: 403 insufficient_scope', async () => {
    const token = (await issuer.mintAccessToken({ sub: ALICE })).token;
    const response = await callTool(token, 'echo', { text: 'x' });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });
});

describe('CORS and Host/Origin', () => {
  it.each(['/api/mcp', '/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server'])(
    'answers the preflight of an allowed browser origin on %s',
    async (path) => {
      const response = await fetch(`${http.url}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: BROWSER,
          'access-control-request-method': path === '/api/mcp' ? 'POST' : 'GET',
          'access-control-request-headers': 'authorization, content-type, mcp-session-id, mcp-protocol-version',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(BROWSER);
      expect(response.headers.get('access-control-allow-headers')).toEqual(
        expect.stringContaining(
          'Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID',
        ),
      );
      expect(response.headers.get('access-control-allow-methods')).toContain(path === '/api/mcp' ? 'POST' : 'GET');
    },
  );

  it('lets a browser read WWW-Authenticate on a 401 (exposed), and refuses unknown origins with 403', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: { ...MCP_HEADERS, origin: BROWSER },
      body: rpc('tools/list'),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(BROWSER);
    expect(response.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    expect(response.headers.get('access-control-expose-headers')).toContain('Mcp-Session-Id');
    const evil = await fetch(mcpUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(evil.status).toBe(403);
  });

  it('refuses a Host that is not allowed (DNS rebinding) with 403', async () => {
    const response = await rawRequest(`${http.url}/health/live`, { headers: { host: 'attacker.example:80' } });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ error: 'forbidden', error_description: 'Host not allowed' });
    const ok = await rawRequest(`${http.url}/health/live`, {
      headers: { host: new URL(http.url).host.replace('127.0.0.1', 'localhost') },
    });
    expect(ok.status).toBe(200);
  });
});

describe('rate limits', () => {
  it('refuses the 4th call of one tool within the window with 429 and IETF headers; other tools keep their budget', async () => {
    const token = await mint(BOB, { sub: BOB });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await callTool(token, 'echo', { text: String(i) });
      statuses.push(last.status);
      if (i < 3) {
        expect(last.headers.get('ratelimit-policy')).toBe('"user-tool";q=3;w=60');
        expect(last.headers.get('ratelimit')).toMatch(new RegExp(`^"user-tool";r=${2 - i};t=\\d+$`));
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last?.headers.get('ratelimit')).toMatch(/^"user-tool";r=0;t=\d+$/);
    expect(((await (last as Response).json()) as { error: { message: string } }).error.message).toBe(
      'Rate limit exceeded for echo',
    );
    expect((await callTool(token, 'whoami')).status).toBe(200);
    expect((await callTool(await mint(ALICE), 'echo', { text: 'alice has her own budget' })).status).toBe(200);
  });
});

describe('sessions and the dev issuer', () => {
  it('lists the caller’s sessions, revokes one (its token is refused next call) and signs out others', async () => {
    const issue = handler.issueDevTokens as NonNullable<AtomsHandler['issueDevTokens']>;
    const laptop = await issue({ userId: ALICE });
    const phone = await issue({ userId: ALICE });
    const tablet = await issue({ userId: ALICE });
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });

    const listed = await fetch(`${http.url}/api/sessions`, { headers: auth(phone.accessToken) });
    expect(listed.status).toBe(200);
    const { sessions } = (await listed.json()) as { sessions: { id: string; current: boolean }[] };
    expect(sessions.map((s) => s.id).sort()).toEqual([laptop, phone, tablet].map((t) => t.sessionHandle).sort());
    expect(sessions.filter((s) => s.current).map((s) => s.id)).toEqual([phone.sessionHandle]);

    expect((await callTool(laptop.accessToken, 'whoami')).status).toBe(200);
    const revoke = await fetch(`${http.url}/api/sessions/${laptop.sessionHandle}`, {
      method: 'DELETE',
      headers: auth(phone.accessToken),
    });
    expect(revoke.status).toBe(204);
    const refused = await callTool(laptop.accessToken, 'whoami');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');

    // Another user cannot revoke Alice's session.
    const bobs = await fetch(`${http.url}/api/sessions/${tablet.sessionHandle}`, {
      method: 'DELETE',
      headers: auth(await mint(BOB)),
    });
    expect(bobs.status).toBe(404);

    const others = await fetch(`${http.url}/api/sessions`, { method: 'DELETE', headers: auth(phone.accessToken) });
    expect(await others.json()).toEqual({ revoked: 1, kept: phone.sessionHandle });
    expect((await callTool(tablet.accessToken, 'whoami')).status).toBe(401);
    expect((await callTool(phone.accessToken, 'whoami')).status).toBe(200);
  });

  it('refuses a token revoked by jti or user-wide (401 revoked) and leaves its session untouched', async () => {
    const tokens = await issueDevTokens(wiring, { userId: DAVE });
    const sessionRef = { ns: 'session', id: tokens.sessionHandle, owner: DAVE };
    const claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1] as string, 'base64url').toString()) as {
      jti: string;
      exp: number;
    };
    expect((await callTool(tokens.accessToken, 'whoami')).status).toBe(200);

    await revocation.revokeToken({ iss: issuer.issuer, jti: claims.jti, exp: claims.exp });
    const version = (await store.get(sessionRef))?.version;
    const refused = await callTool(tokens.accessToken, 'whoami');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain(
      'error="invalid_token", error_description="the token was revoked"',
    );
    expect((await store.get(sessionRef))?.version).toBe(version);

    // The session itself is intact: another token naming it is served (and touches it).
    const other = await issuer.mintAccessToken({ sub: DAVE, scopes: ['mcp'], sessionId: tokens.sessionHandle });
    expect((await callTool(other.token, 'whoami')).status).toBe(200);
    expect((await store.get(sessionRef))?.version).toBeGreaterThan(version as number);

    await revocation.revokeUser(DAVE);
    const signedOut = await callTool(other.token, 'whoami');
    expect(signedOut.status).toBe(401);
    expect(signedOut.headers.get('www-authenticate')).toContain('error_description="the token was revoked"');
  });

  it('applies the device risk policy: same device passes, a new browser must re-authenticate', async () => {
    const laptop = { 'user-agent': 'LaptopBrowser/1.0', 'accept-language': 'en' };
    const device = await deviceFromHeaders(laptop, '127.0.0.1');
    const tokens = await issueDevTokens(wiring, { userId: CAROL, device });
    const call = (headers: Record<string, string>) =>
      fetch(mcpUrl, {
        method: 'POST',
        headers: { ...MCP_HEADERS, ...headers, authorization: `Bearer ${tokens.accessToken}` },
        body: rpc('tools/call', { name: 'whoami', arguments: {} }),
      });
    expect((await call(laptop)).status).toBe(200);
    const stranger = await call({ 'user-agent': 'OtherBrowser/9.0', 'accept-language': 'fr' });
    expect(stranger.status).toBe(401);
    expect(stranger.headers.get('www-authenticate')).toContain('sign in again to continue this session');
    expect((await call(laptop)).status).toBe(200);
  });

  it('rotates refresh tokens at POST /auth/token and refuses a reused one', async () => {
    const issue = handler.issueDevTokens as NonNullable<AtomsHandler['issueDevTokens']>;
    const first = await issue({ userId: BOB });
    const refresh = (token: string) =>
      fetch(`${http.url}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
      });
    const rotated = await refresh(first.refreshToken);
    expect(rotated.status).toBe(200);
    const body = (await rotated.json()) as { access_token: string; refresh_token: string; token_type: string };
    expect(body.token_type).toBe('Bearer');
    expect(body.refresh_token).not.toBe(first.refreshToken);
    expect((await callTool(body.access_token, 'whoami')).status).toBe(200);

    const second = await refresh(body.refresh_token);
    expect(second.status).toBe(200);
    const reused = await refresh(first.refreshToken);
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { error: string }).error).toBe('invalid_grant');
    const grant = await fetch(`${http.url}/auth/token`, { method: 'POST', body: 'grant_type=password' });
    expect(grant.status).toBe(400);
    // Fifth request from this address within the minute: limited by IP (no user on this route).
    const limited = await fetch(`${http.url}/auth/token`, { method: 'POST', body: 'grant_type=password' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-policy')).toBe('"ip";q=4;w=60');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('body limit', () => {
  it('refuses a declared body over the limit with 413', async () => {
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${await mint()}` },
      body: rpc('tools/call', { name: 'echo', arguments: { text: 'x'.repeat(20_000) } }),
    });
    expect(response.status).toBe(413);
  });

  it('refuses a chunked body (no Content-Length) once it passes the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(4096));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await fetch(mcpUrl, {
      method: 'POST',
      headers: { ...MCP_HEADERS, authorization: `Bearer ${await mint()}` },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
  });
});

describe('health, metadata, metrics, dashboard, webhooks, headers', () => {
  it('serves RFC 9728 metadata on both paths and the local issuer’s AS metadata and JWKS', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/api/mcp']) {
      const response = await fetch(`${http.url}${path}`);
      expect(await response.json()).toEqual({
        resource: mcpUrl,
        authorization_servers: [http.url],
        scopes_supported: ['mcp'],
        bearer_methods_supported: ['header'],
        resource_name: 'Atoms MCP',
      });
    }
    const as = (await (await fetch(`${http.url}/.well-known/oauth-authorization-server`)).json()) as Record<
      string,
      unknown
    >;
    expect(as).toMatchObject({ issuer: http.url, token_endpoint: `${http.url}/auth/token` });
    const jwks = (await (await fetch(`${http.url}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
  });

  it('sets the security headers on every response, a strict CSP on the dashboard, and no X-Powered-By', async () => {
    const response = await fetch(`${http.url}/health/live`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-correlation-id')).toMatch(/\S/);
    const echoed = await fetch(`${http.url}/health/live`, { headers: { 'x-correlation-id': 'corr-123' } });
    expect(echoed.headers.get('x-correlation-id')).toBe('corr-123');
    const dashboard = await fetch(`${http.url}/api/observability/dashboard`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(dashboard.headers.get('content-security-policy')).not.toBe(response.headers.get('content-security-policy'));
    const json = await fetch(`${http.url}/api/observability/dashboard.json`);
    expect(json.headers.get('content-type')).toContain('application/json');
  });

  it('protects /metrics with the metrics token', async () => {
    expect((await fetch(`${http.url}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${http.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret' } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('http_server_request_duration_seconds');
  });

  it('answers 404 for unknown routes and 405 with Allow for wrong methods', async () => {
    expect((await fetch(`${http.url}/nope`)).status).toBe(404);
    const wrong = await fetch(`${http.url}/health`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
  });

  it('verifies Vercel webhook signatures', async () => {
    const body = JSON.stringify({
      id: 'evt_1',
      type: 'deployment.succeeded',
      createdAt: Date.now(),
      payload: { deployment: { id: 'dpl_1' } },
    });
    const good = await fetch(`${http.url}/api/webhooks/vercel`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-vercel-signature': await hmacHex(WEBHOOK_SECRET, 'SHA-1', body),
      },
      body,
    });
    expect(good.status).toBe(200);
    expect(webhookEvents).toHaveLength(1);
    const bad = await fetch(`${http.url}/api/webhooks/vercel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-vercel-signature': '0'.repeat(40) },
      body,
    });
    expect(bad.status).toBe(401);
    expect(webhookEvents).toHaveLength(1);
  });

  it('reports health and flips readiness to 503 while draining (liveness stays 200)', async () => {
    const full = await fetch(`${http.url}/health`);
    expect(full.headers.get('content-type')).toContain('application/health+json');
    const report = (await full.json()) as { status: string; checks: Record<string, unknown> };
    expect(report.status).toBe('pass');
    expect(Object.keys(report.checks)).toEqual(
      expect.arrayContaining(['session_store:responseTime', 'auth_keys:responseTime']),
    );
    expect((await fetch(`${http.url}/health/ready`)).status).toBe(200);
    handler.startDraining();
    expect((await fetch(`${http.url}/health/ready`)).status).toBe(503);
    expect((await fetch(`${http.url}/health/live`)).status).toBe(200);
  });
});
