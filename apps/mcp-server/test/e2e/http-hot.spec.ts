import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWTPayload } from 'jose';
import { createModeEnvironment, harmful, type ModeEnvironment } from '@atoms/test-framework';
import { freePort, printedToken, startApp, waitForReady, type RunningApp } from '../support/app-process.js';

/**
 * The started app (child process, PGlite, dev issuer, memory stores) driven over real HTTP: the test framework in
 * HOT mode (MCP_ENDPOINT + the banner's real token) and raw fetch for the HTTP edge (auth, CORS, limits, Host).
 * RATE_LIMIT_REQUESTS_PER_MINUTE is low so the 429 is reachable; the budget is per (user, tool), so the limit test
 * uses its own user.
 */
const RATE_LIMIT = 25;
/** RATE_LIMIT_BURST_SIZE − RATE_LIMIT: requests allowed beyond the per-minute budget, at once. */
const BURST_EXTRA = 5;
let dataDir: string;
let port: number;
let app: RunningApp | undefined;
let token: string;
let hot: ModeEnvironment<unknown>;

const origin = (): string => `http://127.0.0.1:${port}`;
const mcpUrl = (): string => `${origin()}/api/mcp`;
const listBody = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** Re-signs the banner token's claims with the app's persisted dev key: a real signature, altered claims. */
async function resign(changes: JWTPayload): Promise<string> {
  const record = JSON.parse(await readFile(join(dataDir, 'dev-issuer-keys.json'), 'utf8')) as {
    keys: { kid: string; alg: string; privateJwk: Record<string, unknown> }[];
  };
  const key = record.keys[0];
  if (!key) throw new Error('no dev key');
  const header = decodeProtectedHeader(token);
  expect(header.kid).toBe(key.kid);
  const payload = { ...decodeJwt(token), jti: crypto.randomUUID(), ...changes };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .sign(await importJWK(key.privateJwk, key.alg));
}

async function postList(headers: Record<string, string>): Promise<Response> {
  return fetch(mcpUrl(), { method: 'POST', headers: { ...mcpHeaders, ...headers }, body: listBody });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'atoms-mcp-e2e-hot-'));
  port = await freePort();
  app = startApp({
    ATOMS_DATA_DIR: dataDir,
    PORT: String(port),
    RATE_LIMIT_REQUESTS_PER_MINUTE: String(RATE_LIMIT),
    RATE_LIMIT_BURST_SIZE: String(RATE_LIMIT + BURST_EXTRA),
    MAX_BODY_BYTES: '4096',
    CORS_ALLOWED_ORIGINS: 'http://localhost:5173',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  });
  await waitForReady(app);
  token = printedToken(app.stdout());
  hot = await createModeEnvironment({ mode: 'HOT', env: { MCP_ENDPOINT: mcpUrl(), ATOMS_TEST_AUTH_TOKEN: token } });
});

afterAll(async () => {
  await hot?.close().catch(() => undefined);
  if (app && app.child.exitCode === null) {
    app.child.kill('SIGTERM');
    const timer = setTimeout(() => app?.child.kill('SIGKILL'), 5000);
    await app.exited;
    clearTimeout(timer);
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('HOT mode against the started app', () => {
  it('lists the five tools', async () => {
    expect((await hot.client.listTools()).map((t) => t.name)).toEqual([
      'workspace_tool',
      'entity_tool',
      'relationship_tool',
      'workflow_tool',
      'query_tool',
    ]);
  });

  it('reaches every tool (one call each)', async () => {
    const client = hot.client;
    const workspaces = await client.workspace.listWorkspaces<{ organizations?: unknown[] }>();
    expect(JSON.stringify(workspaces)).toContain('Atoms Demo');
    const requirements = await client.entity.list<{ total: number }>('requirement');
    expect(requirements.total).toBe(3);
    const org = (await client.entity.list<{ items: { id: string }[] }>('organization', { limit: 1 })).items[0];
    if (!org) throw new Error('no organization');
    const members = await client.relationship.list<{ items?: unknown[] }>('member', {
      type: 'organization',
      id: org.id,
    });
    expect(Array.isArray(members.items)).toBe(true);
    expect((members.items ?? []).length).toBeGreaterThan(0);
    const search = await client.query.search<object>(['requirement'], 'demo');
    expect(search).toBeDefined();
    const refused = await client.expectToolError('workflow_tool', { workflow: 'setup_project', parameters: {} });
    expect(refused.code).toBe('validation_error');
  });

  it(
    'runs a full workflow: setup_project, then entity reads; cleaned up by cascade_delete',
    harmful(
      async ({ client, tracker }) => {
        const result = await client.workflow.setupProject<{
          success: boolean;
          project_id: string;
          created: { entity_type: string; id: string }[];
        }>({ organization_id: 'auto', name: 'E2E Apollo', initial_documents: ['Spec', 'Plan'] });
        expect(result.success).toBe(true);
        expect(result.created.filter((c) => c.entity_type === 'document')).toHaveLength(2);
        const project = await client.entity.read<{ name: string }>('project', result.project_id);
        expect(project.name).toBe('E2E Apollo');
        const docs = await client.entity.list<{ total: number }>('document', {
          filters: { project_id: result.project_id },
        });
        expect(docs.total).toBe(2);
        // Auto-tracked from the workflow's `created` list: the project and its two documents.
        expect(
          tracker
            .entities()
            .map((e) => e.entityType)
            .sort(),
        ).toEqual(['document', 'document', 'project']);
      },
      { client: () => hot.client, strategy: 'cascade_delete' },
    ),
  );
});

describe('auth failures over HTTP', () => {
  it('no token: 401 with the resource metadata challenge', async () => {
    const response = await postList({});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\//);
  });

  it.each([
    ['bad token', async () => 'not.a.token', 'malformed'],
    ['wrong audience', async () => resign({ aud: 'http://elsewhere.example/api/mcp' }), 'wrong_audience'],
    [
      'expired',
      async () => resign({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }),
      'expired',
    ],
  ])('%s: 401 invalid_token with the reason', async (_name, make, reason) => {
    const response = await postList({ authorization: `Bearer ${await make()}` });
    expect(response.status).toBe(401);
    const header = response.headers.get('www-authenticate') ?? '';
    expect(header).toContain('error="invalid_token"');
    expect(header).toContain(`(${reason})`);
    expect(header).toContain('resource_metadata=');
  });

  it('a re-signed but unchanged token is accepted (the forgeries above failed only for their claim)', async () => {
    const response = await postList({ authorization: `Bearer ${await resign({})}` });
    expect(response.status).toBe(200);
  });
});

describe('HTTP edge', () => {
  it.each(['/api/mcp', '/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/api/mcp'])(
    'CORS preflight from an allowed browser origin on %s',
    async (path) => {
      const response = await fetch(`${origin()}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': path === '/api/mcp' ? 'POST' : 'GET',
          'access-control-request-headers': 'authorization, content-type, mcp-protocol-version',
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(response.headers.get('access-control-allow-methods')).toMatch(path === '/api/mcp' ? /POST/ : /GET/);
      if (path === '/api/mcp') {
        expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
        // The actual request (a 401 here) carries CORS headers too, exposing the challenge to the browser.
        const actual = await fetch(`${origin()}${path}`, {
          method: 'POST',
          headers: { ...mcpHeaders, origin: 'http://localhost:5173' },
          body: listBody,
        });
        expect(actual.status).toBe(401);
        expect(actual.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
        expect(actual.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('www-authenticate');
      }
    },
  );

  it('a foreign origin is refused with 403', async () => {
    const response = await fetch(mcpUrl(), {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('429 with RateLimit headers after the per-minute limit and the burst above it', async () => {
    const other = await resign({ sub: 'dev:ratelimit@example.com', email: 'ratelimit@example.com' });
    let last: Response | undefined;
    const remaining: string[] = [];
    for (let i = 0; i <= RATE_LIMIT + BURST_EXTRA; i++) {
      last = await postList({ authorization: `Bearer ${other}` });
      if (last.status !== 200) break;
      remaining.push(last.headers.get('ratelimit') ?? '');
      await last.body?.cancel();
    }
    expect(remaining).toHaveLength(RATE_LIMIT + BURST_EXTRA);
    expect(remaining[0]).toMatch(new RegExp(`r=${RATE_LIMIT - 1}\\b`));
    // Past the per-minute budget the burst allowance answers: allowed, with nothing left of the minute's budget.
    expect(remaining.slice(RATE_LIMIT).every((header) => /r=0\b/.test(header))).toBe(true);
    if (!last) throw new Error('no response');
    expect(last.status).toBe(429);
    expect(last.headers.get('ratelimit-policy')).toContain(`q=${RATE_LIMIT};w=60`);
    expect(last.headers.get('ratelimit')).toMatch(/r=0\b/);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another user's budget is untouched.
    expect((await postList({ authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('413 for a body over MAX_BODY_BYTES, declared or streamed', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(8192) } });
    const declared = await fetch(mcpUrl(), {
      method: 'POST',
      headers: { ...mcpHeaders, authorization: `Bearer ${token}` },
      body: big,
    });
    expect(declared.status).toBe(413);
    const streamed = await fetch(mcpUrl(), {
      method: 'POST',
      headers: { ...mcpHeaders, authorization: `Bearer ${token}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });

  it('403 for a Host that is not allowed', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/health/live', headers: { host: 'attacker.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
