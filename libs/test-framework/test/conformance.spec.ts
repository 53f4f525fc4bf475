import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  type CallToolResult,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { connect, type Connection } from '../src/client/connect.js';
import { CONFORMANCE_FIXTURES } from '../src/conformance/fixtures.js';
import { createConformanceServer } from '../src/conformance/server.js';
import { startFixtureHttpServer, type FixtureHttpServer } from './support/http-server.js';

const fast = () => createConformanceServer({ stepDelayMs: 5 });

function contentOf(result: unknown): Array<Record<string, unknown>> {
  return (result as CallToolResult).content as Array<Record<string, unknown>>;
}

describe('conformance fixture server (in-process)', () => {
  let connection: Connection;
  let client: Client;
  const logs: unknown[] = [];
  let sampled: unknown;
  let elicited: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    connection = await connect(
      { kind: 'in-process', server: fast },
      { clientOptions: { capabilities: { sampling: {}, elicitation: { form: {} } } } },
    );
    client = connection.client;
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
    client.setRequestHandler(CreateMessageRequestSchema, (request) => {
      sampled = request.params;
      return { role: 'assistant', content: { type: 'text', text: 'client says hi' }, model: 'test-model' };
    });
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      elicited.push(request.params as Record<string, unknown>);
      return { action: 'accept', content: { response: 'yes' } };
    });
  });

  afterAll(async () => {
    await connection.close();
  });

  test('advertises exactly the fixture tools, each with a description and an input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...CONFORMANCE_FIXTURES.tools].sort());
    for (const tool of tools) {
      expect(tool.description).toBeTruthy();
      expect(tool.inputSchema).toMatchObject({ type: 'object' });
    }
  });

  test('content tools return text, image, audio, embedded resource and mixed content', async () => {
    expect(contentOf(await client.callTool({ name: 'test_simple_text', arguments: {} }))).toEqual([
      { type: 'text', text: 'This is a simple text response for testing.' },
    ]);
    expect(contentOf(await client.callTool({ name: 'test_image_content', arguments: {} }))[0]).toMatchObject({
      type: 'image',
      mimeType: 'image/png',
    });
    expect(contentOf(await client.callTool({ name: 'test_audio_content', arguments: {} }))[0]).toMatchObject({
      type: 'audio',
      mimeType: 'audio/wav',
    });
    expect(contentOf(await client.callTool({ name: 'test_embedded_resource', arguments: {} }))[0]).toMatchObject({
      type: 'resource',
      resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: expect.any(String) },
    });
    const mixed = contentOf(await client.callTool({ name: 'test_multiple_content_types', arguments: {} }));
    expect(mixed.map((c) => c.type)).toEqual(['text', 'image', 'resource']);
  });

  test('the logging tool sends three log notifications during the call', async () => {
    logs.length = 0;
    await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
    expect(logs).toHaveLength(3);
    expect(logs.map((l) => (l as { data: string }).data)).toEqual([
      'Tool execution started',
      'Tool processing data',
      'Tool execution completed',
    ]);
  });

  test('the progress tool reports increasing progress to a caller that asked for it', async () => {
    const updates: Progress[] = [];
    const result = await client.request(
      {
        method: 'tools/call',
        params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 'p-1' } },
      },
      CallToolResultSchema,
      { onprogress: (p) => void updates.push(p) },
    );
    expect(updates.map((u) => u.progress)).toEqual([0, 50, 100]);
    // The SDK client replaces the token with its own request id when onprogress is given: any token, echoed.
    expect(contentOf(result)[0]!['text']).toMatch(/^\S+$/);
    expect(contentOf(result)[0]!['text']).not.toBe('no progress token');
  });

  test('the error tool returns isError with a message', async () => {
    const result = (await client.callTool({ name: 'test_error_handling', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(contentOf(result)[0]!['text']).toMatch(/intentionally returns an error/);
  });

  test('sampling asks the client and returns its answer', async () => {
    const result = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'Say hi' } });
    expect(sampled).toMatchObject({ messages: [{ role: 'user', content: { type: 'text', text: 'Say hi' } }] });
    expect(contentOf(result)[0]!['text']).toBe('LLM response: client says hi');
  });

  test('elicitation tools ask the client with the form schemas the scenarios check', async () => {
    elicited = [];
    await client.callTool({ name: 'test_elicitation', arguments: { message: 'Please provide your information' } });
    await client.callTool({ name: 'test_elicitation_sep1034_defaults', arguments: {} });
    await client.callTool({ name: 'test_elicitation_sep1330_enums', arguments: {} });
    expect(elicited).toHaveLength(3);
    expect(elicited[0]).toMatchObject({ message: 'Please provide your information', mode: 'form' });
    const defaults = (elicited[1]!['requestedSchema'] as { properties: Record<string, { default: unknown }> })
      .properties;
    expect(Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, v.default]))).toEqual({
      name: 'John Doe',
      age: 30,
      score: 95.5,
      status: 'active',
      verified: true,
    });
    const enums = (elicited[2]!['requestedSchema'] as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(enums)).toEqual([
      'untitledSingle',
      'titledSingle',
      'legacyEnum',
      'untitledMulti',
      'titledMulti',
    ]);
  });

  test('the JSON Schema 2020-12 tool keeps every keyword through tools/list, and still validates calls', async () => {
    const { tools } = await client.listTools();
    const schema = tools.find((t) => t.name === 'json_schema_2020_12_tool')!.inputSchema as Record<string, unknown>;
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['additionalProperties']).toBe(false);
    expect((schema['$defs'] as Record<string, Record<string, unknown>>)['address']!['$anchor']).toBe('addressDef');
    expect(schema).toHaveProperty('allOf.0.anyOf');
    expect(Object.keys(schema)).toEqual(expect.arrayContaining(['if', 'then', 'else']));
    const ok = await client.callTool({ name: 'json_schema_2020_12_tool', arguments: { name: 'Ada', email: 'a@b.c' } });
    expect(contentOf(ok)[0]!['text']).toContain('"name":"Ada"');
    const bad = (await client.callTool({
      name: 'json_schema_2020_12_tool',
      arguments: { name: 42 },
    })) as CallToolResult;
    expect(bad.isError).toBe(true);
  });

  test('the reconnection tool completes where the transport has no resumable stream', async () => {
    const result = await client.callTool({ name: 'test_reconnection', arguments: {} });
    expect(contentOf(result)[0]!['text']).toMatch(/Reconnection test completed/);
  });

  test('resources: list, text, binary, template substitution, subscribe and unsubscribe', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual([...CONFORMANCE_FIXTURES.resources].sort());
    for (const resource of resources) expect(resource.name).toBeTruthy();
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([...CONFORMANCE_FIXTURES.resourceTemplates]);
    expect((await client.readResource({ uri: 'test://static-text' })).contents[0]).toEqual({
      uri: 'test://static-text',
      mimeType: 'text/plain',
      text: 'This is the content of the static text resource.',
    });
    expect((await client.readResource({ uri: 'test://static-binary' })).contents[0]).toMatchObject({
      mimeType: 'image/png',
      blob: expect.any(String),
    });
    const templated = (await client.readResource({ uri: 'test://template/123/data' })).contents[0] as { text: string };
    expect(JSON.parse(templated.text)).toEqual({ id: '123', templateTest: true, data: 'Data for ID: 123' });
    await expect(client.subscribeResource({ uri: 'test://watched-resource' })).resolves.toEqual({});
    await expect(client.unsubscribeResource({ uri: 'test://watched-resource' })).resolves.toEqual({});
  });

  test('prompts: list and get each, with arguments, embedded resource and image', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual([...CONFORMANCE_FIXTURES.prompts].sort());
    expect((await client.getPrompt({ name: 'test_simple_prompt' })).messages).toHaveLength(1);
    const withArgs = await client.getPrompt({
      name: 'test_prompt_with_arguments',
      arguments: { arg1: 'a', arg2: 'b' },
    });
    expect(withArgs.messages[0]!.content).toEqual({ type: 'text', text: "Prompt with arguments: arg1='a', arg2='b'" });
    const embedded = await client.getPrompt({
      name: 'test_prompt_with_embedded_resource',
      arguments: { resourceUri: 'test://example' },
    });
    expect(embedded.messages[0]!.content).toMatchObject({ type: 'resource', resource: { uri: 'test://example' } });
    const image = await client.getPrompt({ name: 'test_prompt_with_image' });
    expect(image.messages[0]!.content).toMatchObject({ type: 'image', mimeType: 'image/png' });
  });

  test('completion suggests prompt arguments and template variables; logging/setLevel answers {}', async () => {
    const prompt = await client.complete({
      ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
      argument: { name: 'arg1', value: 'test' },
    });
    expect(prompt.completion.values).toEqual(['test', 'testing', 'tested']);
    const template = await client.complete({
      ref: { type: 'ref/resource', uri: 'test://template/{id}/data' },
      argument: { name: 'id', value: '12' },
    });
    expect(template.completion.values).toEqual(['123']);
    await expect(client.setLoggingLevel('info')).resolves.toEqual({});
  });
});

describe('conformance fixture server over Streamable HTTP (stateless, SSE responses)', () => {
  let http: FixtureHttpServer;

  beforeAll(async () => {
    http = await startFixtureHttpServer(fast, 'token', { json: false });
  });

  afterAll(async () => {
    await http.close();
  });

  test('tools, notifications and progress travel on the request stream', async () => {
    const connection = await connect({ kind: 'http', url: http.url, token: 'token' });
    try {
      const logs: unknown[] = [];
      connection.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
      expect(contentOf(await connection.client.callTool({ name: 'test_simple_text', arguments: {} }))[0]).toMatchObject(
        {
          type: 'text',
        },
      );
      await connection.client.callTool({ name: 'test_tool_with_logging', arguments: {} });
      expect(logs).toHaveLength(3);
      const updates: Progress[] = [];
      await connection.client.request(
        {
          method: 'tools/call',
          params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 7 } },
        },
        CallToolResultSchema,
        { onprogress: (p) => void updates.push(p) },
      );
      expect(updates.map((u) => u.progress)).toEqual([0, 50, 100]);
    } finally {
      await connection.close();
    }
  });
});
