import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListToolsRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type ListToolsResult,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  ELICITATION_DEFAULTS_SCHEMA,
  ELICITATION_ENUMS_SCHEMA,
  JSON_SCHEMA_2020_12_INPUT_SCHEMA,
  TEST_AUDIO_BASE64,
  TEST_IMAGE_BASE64,
} from './fixtures.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ConformanceServerOptions {
  name?: string;
  version?: string;
  /** Pause between the notifications of the logging and progress tools (default 50 ms, as the reference server). */
  stepDelayMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
const failure = (value: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text: value }] });

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A server factory implementing every fixture `@modelcontextprotocol/conformance` calls: the `test_*` tools
 * (content types, logging, progress, errors, SSE reconnection, sampling, elicitation with SEP-1034 defaults and
 * SEP-1330 enums, SEP-1613/2106 JSON Schema 2020-12), the `test://` resources and template with
 * subscribe/unsubscribe, the four prompts, argument completion and logging/setLevel. Serve it through the real
 * HTTP pipeline (a fresh server per request or per session) and run the suite against that URL.
 *
 * Server-to-client requests (sampling, elicitation) and notifications go through the request's own `extra`, so
 * they travel on that request's stream, which is what stateless Streamable HTTP needs.
 */
export function createConformanceServer(options: ConformanceServerOptions = {}): McpServer {
  const stepDelay = options.stepDelayMs ?? 50;
  const server = new McpServer(
    { name: options.name ?? 'atoms-conformance-fixtures', version: options.version ?? '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
      },
    },
  );

  server.registerTool('test_simple_text', { description: 'Tests simple text content response' }, () =>
    text('This is a simple text response for testing.'),
  );

  server.registerTool('test_image_content', { description: 'Tests image content response' }, () => ({
    content: [{ type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' }],
  }));

  server.registerTool('test_audio_content', { description: 'Tests audio content response' }, () => ({
    content: [{ type: 'audio', data: TEST_AUDIO_BASE64, mimeType: 'audio/wav' }],
  }));

  server.registerTool('test_embedded_resource', { description: 'Tests embedded resource content response' }, () => ({
    content: [
      {
        type: 'resource',
        resource: {
          uri: 'test://embedded-resource',
          mimeType: 'text/plain',
          text: 'This is an embedded resource content.',
        },
      },
    ],
  }));

  server.registerTool(
    'test_multiple_content_types',
    { description: 'Tests response with multiple content types (text, image, resource)' },
    () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    }),
  );

  server.registerTool(
    'test_tool_with_logging',
    { description: 'Tests tool that emits log messages during execution', inputSchema: {} },
    async (_args, extra: Extra) => {
      for (const [index, data] of [
        'Tool execution started',
        'Tool processing data',
        'Tool execution completed',
      ].entries()) {
        if (index > 0) await sleep(stepDelay);
        await extra.sendNotification({
          method: 'notifications/message',
          params: { level: 'info', logger: 'conformance', data },
        });
      }
      return text('Tool with logging executed successfully');
    },
  );

  server.registerTool(
    'test_tool_with_progress',
    { description: 'Tests tool that reports progress notifications', inputSchema: {} },
    async (_args, extra: Extra) => {
      const progressToken = extra._meta?.progressToken;
      // Progress goes only to a caller that asked for it (a progress token), as the specification requires.
      if (progressToken !== undefined) {
        for (const [index, progress] of [0, 50, 100].entries()) {
          if (index > 0) await sleep(stepDelay);
          await extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress, total: 100, message: `Completed step ${progress} of 100` },
          });
        }
      }
      return text(String(progressToken ?? 'no progress token'));
    },
  );

  server.registerTool('test_error_handling', { description: 'Tests error response handling' }, () =>
    failure('This tool intentionally returns an error for testing'),
  );

  server.registerTool(
    'test_reconnection',
    {
      description:
        'Tests SSE stream disconnection and client reconnection (SEP-1699): the server closes the stream mid-call and the result arrives after the client reconnects.',
      inputSchema: {},
    },
    async (_args, extra: Extra) => {
      // Only a transport with resumable streams offers this; elsewhere the call simply completes.
      extra.closeSSEStream?.();
      await sleep(100);
      return text(
        'Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.',
      );
    },
  );

  server.registerTool(
    'test_sampling',
    {
      description: 'Tests server-initiated sampling (LLM completion request)',
      inputSchema: { prompt: z.string().describe('The prompt to send to the LLM') },
    },
    async ({ prompt }, extra: Extra): Promise<CallToolResult> => {
      try {
        const result = await extra.sendRequest(
          {
            method: 'sampling/createMessage',
            params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 },
          },
          CreateMessageResultSchema,
        );
        const content = result.content as { type: string; text?: string };
        return text(`LLM response: ${content.type === 'text' ? content.text : `[${content.type}]`}`);
      } catch (error) {
        return failure(`Sampling failed: ${describeFailure(error)}`);
      }
    },
  );

  const elicit = async (
    extra: Extra,
    message: string,
    requestedSchema: object,
    label: string,
  ): Promise<CallToolResult> => {
    try {
      const result = await extra.sendRequest(
        { method: 'elicitation/create', params: { mode: 'form', message, requestedSchema } as never },
        ElicitResultSchema,
      );
      return text(`${label}: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
    } catch (error) {
      return failure(`Elicitation failed: ${describeFailure(error)}`);
    }
  };

  server.registerTool(
    'test_elicitation',
    {
      description: 'Tests server-initiated elicitation (user input request)',
      inputSchema: { message: z.string().describe('The message to show the user') },
    },
    ({ message }, extra: Extra) =>
      elicit(
        extra,
        message,
        {
          type: 'object',
          properties: { response: { type: 'string', description: "User's response" } },
          required: ['response'],
        },
        'User response',
      ),
  );

  server.registerTool(
    'test_elicitation_sep1034_defaults',
    { description: 'Tests elicitation with default values per SEP-1034', inputSchema: {} },
    (_args, extra: Extra) =>
      elicit(
        extra,
        'Please review and update the form fields with defaults',
        ELICITATION_DEFAULTS_SCHEMA,
        'Elicitation completed',
      ),
  );

  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Tests elicitation with enum schema improvements per SEP-1330', inputSchema: {} },
    (_args, extra: Extra) =>
      elicit(extra, 'Please select options from the enum fields', ELICITATION_ENUMS_SCHEMA, 'Elicitation completed'),
  );

  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613, SEP-2106)',
      // Validation of calls; tools/list advertises the raw 2020-12 schema instead (see below).
      inputSchema: {
        name: z.string().optional(),
        address: z.object({ street: z.string().optional(), city: z.string().optional() }).optional(),
        contactMethod: z.enum(['phone', 'email']).optional(),
        phone: z.string().optional(),
        email: z.string().optional(),
      },
    },
    (args) => text(`JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`),
  );

  server.registerResource(
    'static-text',
    'test://static-text',
    { title: 'Static Text Resource', description: 'A static text resource for testing', mimeType: 'text/plain' },
    () => ({
      contents: [
        { uri: 'test://static-text', mimeType: 'text/plain', text: 'This is the content of the static text resource.' },
      ],
    }),
  );

  server.registerResource(
    'static-binary',
    'test://static-binary',
    {
      title: 'Static Binary Resource',
      description: 'A static binary resource (image) for testing',
      mimeType: 'image/png',
    },
    () => ({ contents: [{ uri: 'test://static-binary', mimeType: 'image/png', blob: TEST_IMAGE_BASE64 }] }),
  );

  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', {
      list: undefined,
      complete: { id: (value) => ['1', '2', '3', '123'].filter((id) => id.startsWith(value)) },
    }),
    {
      title: 'Resource Template',
      description: 'A resource template with parameter substitution',
      mimeType: 'application/json',
    },
    (uri, variables) => ({
      contents: [
        {
          uri: uri.toString(),
          mimeType: 'application/json',
          text: JSON.stringify({
            id: variables['id'],
            templateTest: true,
            data: `Data for ID: ${String(variables['id'])}`,
          }),
        },
      ],
    }),
  );

  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { title: 'Watched Resource', description: 'A resource clients can subscribe to', mimeType: 'text/plain' },
    () => ({
      contents: [{ uri: 'test://watched-resource', mimeType: 'text/plain', text: 'Watched resource content' }],
    }),
  );

  const subscriptions = new Set<string>();
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });

  server.registerPrompt(
    'test_simple_prompt',
    { title: 'Simple Test Prompt', description: 'A simple prompt without arguments' },
    () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }] }),
  );

  const suggestions = ['paris', 'park', 'party', 'test', 'testing', 'tested'];
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'Prompt With Arguments',
      description: 'A prompt with required arguments',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) =>
          suggestions.filter((s) => s.startsWith(value)),
        ),
        arg2: completable(z.string().describe('Second test argument'), (value) =>
          suggestions.filter((s) => s.startsWith(value)),
        ),
      },
    },
    ({ arg1, arg2 }) => ({
      messages: [
        { role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } },
      ],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      title: 'Prompt With Embedded Resource',
      description: 'A prompt that includes an embedded resource',
      argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') },
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
          },
        },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );

  server.registerPrompt(
    'test_prompt_with_image',
    { title: 'Prompt With Image', description: 'A prompt that includes image content' },
    () => ({
      messages: [
        { role: 'user', content: { type: 'image', data: TEST_IMAGE_BASE64, mimeType: 'image/png' } },
        { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
      ],
    }),
  );

  advertiseRawSchema(server, 'json_schema_2020_12_tool', JSON_SCHEMA_2020_12_INPUT_SCHEMA);
  return server;
}

/**
 * McpServer converts zod input schemas to JSON Schema on tools/list, which cannot express `$anchor` or
 * `if`/`then`/`else`; this swaps in the raw schema for one tool and leaves every other tool as the SDK lists it.
 */
function advertiseRawSchema(server: McpServer, toolName: string, inputSchema: object): void {
  const handlers = (server.server as unknown as { _requestHandlers: Map<string, (...args: unknown[]) => unknown> })
    ._requestHandlers;
  const original = handlers.get('tools/list');
  if (!original) throw new Error('tools/list is not registered: register the tools first');
  server.server.setRequestHandler(ListToolsRequestSchema, async (request, extra) => {
    const result = (await original(request, extra)) as ListToolsResult;
    return {
      ...result,
      tools: result.tools.map((tool) =>
        tool.name === toolName
          ? { ...tool, inputSchema: inputSchema as ListToolsResult['tools'][number]['inputSchema'] }
          : tool,
      ),
    };
  });
}
