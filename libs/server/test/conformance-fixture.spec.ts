import { createDevIssuer, MemoryStore } from '@atoms/session';
import { createEdgeObservability } from '@atoms/observability';
import { createConformanceServer } from '@atoms/test-framework/conformance';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createAtomsHandler } from '../src/index.js';
import { startHttp } from './support/harness.js';

const USER = '33333333-3333-4333-8333-333333333333';

// Smoke test only: the official conformance suite run against this pipeline is a separate (later) job.
describe('the conformance fixture server through the handler (stateful mode)', () => {
  let http: Awaited<ReturnType<typeof startHttp>>;
  let client: Client;

  beforeAll(async () => {
    http = await startHttp();
    const issuer = await createDevIssuer({ issuer: http.url, audience: `${http.url}/api/mcp` });
    http.setHandler(
      createAtomsHandler({
        publicUrl: http.url,
        createMcpServer: () => createConformanceServer(),
        auth: { verifier: issuer.accessTokenVerifier() },
        stateful: { store: new MemoryStore() },
        rateLimiter: false,
        observability: createEdgeObservability({ service: 'conformance', version: '1', log: { level: 'silent' } }),
      }),
    );
    const token = (await issuer.mintAccessToken({ sub: USER })).token;
    client = new Client({ name: 'conformance-smoke', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({
      model: 'test-model',
      role: 'assistant',
      content: { type: 'text', text: 'sampled answer' },
    }));
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${http.url}/api/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
  });

  afterAll(async () => {
    await client?.close();
    await http?.close();
  });

  it('lists the fixture tools and calls one over HTTP', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['test_simple_text', 'test_sampling']));
    const result = await client.callTool({ name: 'test_simple_text', arguments: {} });
    expect(result.isError).toBeFalsy();
    expect((result.content as { type: string }[])[0]?.type).toBe('text');
  });

  it('round-trips a server-initiated sampling request through the same session', async () => {
    const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hello' } });
    expect(result.content).toEqual([{ type: 'text', text: 'LLM response: sampled answer' }]);
  });
});
