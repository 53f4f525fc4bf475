import { createEdgeObservability } from '@atoms/observability';
import { createDevIssuer, MemorySigningKeyStore, MemoryStore, RevocationService, SessionManager } from '@atoms/session';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Caller } from '../auth/caller.js';
import { createAtomsHandler, MemoryRateLimiter } from '../index.js';
import { plainToolsListId } from './tools-list-cache.js';

const URL_ = 'http://127.0.0.1:9/api/mcp';
const MCP_HEADERS = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
const list = (id: unknown = 1, extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/list',
  ...extra,
});
const post = (headers: Record<string, string> = MCP_HEADERS) => new Request(URL_, { method: 'POST', headers });

describe('plainToolsListId: only what the SDK answers with the plain listing', () => {
  it('accepts an SDK client’s tools/list, with or without empty params, and returns its id', () => {
    expect(plainToolsListId(post(), list(7))).toBe(7);
    expect(plainToolsListId(post(), list('a-1', { params: {} }))).toBe('a-1');
    expect(plainToolsListId(post({ ...MCP_HEADERS, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION }), list(1))).toBe(
      1,
    );
  });

  it.each([
    [
      'Accept without text/event-stream (the SDK answers 406)',
      post({ ...MCP_HEADERS, accept: 'application/json' }),
      list(),
    ],
    [
      'a Content-Type with parameters (left to the SDK’s media-type parser)',
      post({ ...MCP_HEADERS, 'content-type': 'application/json; charset=utf-8' }),
      list(),
    ],
    [
      'an unsupported protocol version (the SDK answers 400)',
      post({ ...MCP_HEADERS, 'mcp-protocol-version': '1999-01-01' }),
      list(),
    ],
    ['a cursor', post(), list(1, { params: { cursor: 'x' } })],
    ['_meta (progress, tasks)', post(), list(1, { params: { _meta: { progressToken: 1 } } })],
    ['a batch', post(), [list()]],
    ['a notification (no id)', post(), { jsonrpc: '2.0', method: 'tools/list' }],
    ['a fractional id (invalid JSON-RPC)', post(), list(1.5)],
    ['an id beyond the safe integers (the SDK’s schema refuses it)', post(), list(2 ** 53)],
    ['params that are an array (the SDK’s schema refuses them)', post(), list(1, { params: [] })],
    ['an unknown member (the SDK’s strict schema refuses it)', post(), list(1, { extra: true })],
    ['another method', post(), { jsonrpc: '2.0', id: 1, method: 'tools/call' }],
    ['another JSON-RPC version', post(), { jsonrpc: '1.0', id: 1, method: 'tools/list' }],
  ])('leaves %s to the SDK', (_why, request, body) => {
    expect(plainToolsListId(request, body)).toBeUndefined();
  });
});

describe('a stateless handler with toolsListKey', () => {
  const ALICE = '11111111-1111-4111-8111-111111111111';
  const BOB = '22222222-2222-4222-8222-222222222222';
  let built: string[];
  let handler: ReturnType<typeof createAtomsHandler>;
  let baseline: ReturnType<typeof createAtomsHandler>;
  let tokens: Record<string, string>;

  // Alice's key sees one tool, Bob's another: proves answers are kept per key, never shared across keys.
  const factory = (caller: Caller) => {
    built.push(caller.userId);
    const server = new McpServer({ name: 'list-cache-test', version: '1.0.0' });
    const name = caller.userId === ALICE ? 'alice_tool' : 'bob_tool';
    server.registerTool(name, { description: `for ${name}`, inputSchema: { text: z.string() } }, ({ text }) => ({
      content: [{ type: 'text', text }],
    }));
    return server;
  };

  beforeAll(async () => {
    const issuer = await createDevIssuer({
      issuer: 'http://127.0.0.1:9',
      audience: URL_,
      keyStore: new MemorySigningKeyStore(),
    });
    const build = (withKey: boolean) => {
      const store = new MemoryStore();
      const sessions = new SessionManager({ store });
      return createAtomsHandler({
        publicUrl: 'http://127.0.0.1:9',
        createMcpServer: factory,
        ...(withKey ? { toolsListKey: (caller: Caller) => caller.userId } : {}),
        auth: {
          verifier: issuer.accessTokenVerifier(),
          revocation: new RevocationService({ store, sessions }),
          requiredScopes: ['mcp'],
        },
        sessions,
        sessionStore: store,
        rateLimiter: new MemoryRateLimiter({ limit: 1000 }),
        observability: createEdgeObservability({
          service: 'list-cache-test',
          version: '1.0.0',
          log: { level: 'silent' },
        }),
      });
    };
    handler = build(true);
    baseline = build(false);
    tokens = {
      [ALICE]: (await issuer.mintAccessToken({ sub: ALICE, scopes: ['mcp'] })).token,
      [BOB]: (await issuer.mintAccessToken({ sub: BOB, scopes: ['mcp'] })).token,
    };
  });

  beforeEach(() => {
    built = [];
  });

  const send = (h: typeof handler, user: string, body: unknown, headers: Record<string, string> = MCP_HEADERS) =>
    h(
      new Request(URL_, {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${tokens[user]}` },
        body: JSON.stringify(body),
      }),
    );

  it('builds no server for a learnt key, answers byte for byte as the SDK does, with the request’s id', async () => {
    const first = await send(handler, ALICE, list(1));
    expect(first.status).toBe(200);
    const firstText = await first.text();
    expect(built).toEqual([ALICE]);

    for (const id of [2, 'req-"3"', 0]) {
      const cached = await send(handler, ALICE, list(id, { params: {} }));
      const sdk = await send(baseline, ALICE, list(id, { params: {} }));
      expect(cached.status).toBe(200);
      expect(cached.headers.get('content-type')).toBe('application/json');
      expect(await cached.text()).toBe(await sdk.text());
    }
    // Only the baseline (no key) built servers after the first request.
    expect(built).toEqual([ALICE, ALICE, ALICE, ALICE]);
    expect(JSON.parse(firstText)).toMatchObject({ id: 1, result: { tools: [{ name: 'alice_tool' }] } });
  });

  it('keeps the rate-limit headers and counts the request against the limit', async () => {
    await send(handler, ALICE, list(1));
    const cached = await send(handler, ALICE, list(9));
    expect(cached.headers.get('ratelimit-policy')).toBe(
      (await send(baseline, ALICE, list(9))).headers.get('ratelimit-policy'),
    );
    const before = Number(/r=(\d+)/.exec(cached.headers.get('ratelimit') ?? '')?.[1]);
    const after = Number(/r=(\d+)/.exec((await send(handler, ALICE, list(10))).headers.get('ratelimit') ?? '')?.[1]);
    expect(after).toBe(before - 1);
  });

  it('keeps answers per key: another key gets its own listing from the SDK first', async () => {
    await send(handler, ALICE, list(1));
    const bob = await send(handler, BOB, list(1));
    expect(await bob.json()).toMatchObject({ result: { tools: [{ name: 'bob_tool' }] } });
    const alice = await send(handler, ALICE, list(2));
    expect(await alice.json()).toMatchObject({ result: { tools: [{ name: 'alice_tool' }] } });
  });

  it('leaves everything else to the SDK: its errors and the other methods are unchanged', async () => {
    await send(handler, ALICE, list(1));
    built = [];
    const notAcceptable = await send(handler, ALICE, list(2), { ...MCP_HEADERS, accept: 'application/json' });
    expect(notAcceptable.status).toBe(406);
    const badVersion = await send(handler, ALICE, list(3), { ...MCP_HEADERS, 'mcp-protocol-version': '1999-01-01' });
    expect(badVersion.status).toBe(400);
    const call = await send(handler, ALICE, {
      jsonrpc: '2.0',
      id: 4,
      method: 'tools/call',
      params: { name: 'alice_tool', arguments: { text: 'hi' } },
    });
    expect(await call.json()).toMatchObject({ id: 4, result: { content: [{ type: 'text', text: 'hi' }] } });
    expect(built).toEqual([ALICE, ALICE, ALICE]);
  });
});
