/** @jest-environment @edge-runtime/jest-environment */
import { createDevIssuer, MemoryStore, SessionManager } from '@atoms/session';
import { createEdgeObservability } from '@atoms/observability';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createAtomsHandler } from '../src/index.js';

// The isomorphic entry inside the Vercel Edge runtime VM: web APIs only. The tool takes no input schema: the SDK's
// default Ajv validator generates code (no eval on the edge) and @cfworker/json-schema is not installed here.
describe('createAtomsHandler in the edge runtime', () => {
  it('serves tools/list and tools/call, refuses a missing token with the challenge', async () => {
    const base = 'https://mcp.example.com';
    const issuer = await createDevIssuer({ issuer: base, audience: `${base}/api/mcp` });
    const handler = createAtomsHandler({
      publicUrl: base,
      createMcpServer: () => {
        const server = new McpServer({ name: 'edge', version: '1' });
        server.registerTool('echo', { description: 'echo' }, () => ({ content: [{ type: 'text', text: 'edge' }] }));
        return server;
      },
      auth: { verifier: issuer.accessTokenVerifier() },
      sessions: new SessionManager({ store: new MemoryStore() }),
      observability: createEdgeObservability({ service: 'edge', version: '1', log: { level: 'silent' } }),
    });
    const token = (await issuer.mintAccessToken({ sub: '66666666-6666-4666-8666-666666666666' })).token;
    const post = (body: unknown, auth = true) =>
      handler(
        new Request(`${base}/api/mcp`, {
          method: 'POST',
          headers: {
            accept: 'application/json, text/event-stream',
            'content-type': 'application/json',
            ...(auth ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        }),
      );
    const list = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { result: { tools: { name: string }[] } }).result.tools.map((t) => t.name)).toEqual([
      'echo',
    ]);
    const call = await post({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: {} },
    });
    expect(((await call.json()) as { result: { content: unknown } }).result.content).toEqual([
      { type: 'text', text: 'edge' },
    ]);
    const refused = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, false);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/api/mcp"`,
    );
  });
});
