import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { compileSchema, type JsonSchema, type SchemaChecker } from './json-schema.js';
import { sampleFromSchema } from './sample-from-schema.js';

export interface SimulatedCall {
  tool: string;
  arguments: Record<string, unknown>;
  accepted: boolean;
}

export interface SimulatedServerOptions {
  name?: string;
  /** Sees every call, accepted or refused (DRY tests can assert what would have been sent). */
  onCall?: (call: SimulatedCall) => void;
}

interface CompiledTool {
  tool: Tool;
  input: SchemaChecker;
}

function validationFailure(tool: string, message: string): CallToolResult {
  const error = {
    code: 'validation_error',
    message: `DRY: arguments for ${tool} do not match its input schema`,
    details: { schema_errors: message },
  };
  // The error travels as JSON text only: a structuredContent that is not the tool's output shape would be refused by
  // the SDK client's own output validation.
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error }) }] };
}

/**
 * A server with no database behind it: it advertises exactly the given tools, refuses calls whose arguments break a
 * tool's input schema (as a `validation_error`), and answers valid calls with a result generated from the tool's
 * output schema (arguments and `data` are echoed where they fit).
 */
export function createSimulatedServer(tools: Tool[], options: SimulatedServerOptions = {}): Server {
  const compiled = new Map<string, CompiledTool>(
    tools.map((tool) => [tool.name, { tool, input: compileSchema(tool.inputSchema as JsonSchema) }]),
  );
  const server = new Server(
    { name: options.name ?? 'atoms-dry-simulator', version: '0.1.0' },
    { capabilities: { tools: {} } },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, (request): CallToolResult => {
    const { name } = request.params;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const entry = compiled.get(name);
    if (!entry) throw new McpError(ErrorCode.InvalidParams, `Tool ${name} not found`);
    const check = entry.input(args);
    options.onCall?.({ tool: name, arguments: args, accepted: check.valid });
    if (!check.valid) return validationFailure(name, check.message);
    const outputSchema = entry.tool.outputSchema as JsonSchema | undefined;
    if (!outputSchema) {
      return {
        content: [{ type: 'text', text: `DRY: ${name} accepted the call (the tool declares no output schema)` }],
      };
    }
    const data = typeof args['data'] === 'object' && args['data'] !== null ? (args['data'] as object) : {};
    const structured = sampleFromSchema(outputSchema, { hints: { ...args, ...data } }) as Record<string, unknown>;
    return { structuredContent: structured, content: [{ type: 'text', text: JSON.stringify(structured) }] };
  });
  return server;
}
