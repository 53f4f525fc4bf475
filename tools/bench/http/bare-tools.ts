/**
 * The comparison server's MCP side: `@modelcontextprotocol/sdk`'s McpServer with the five Atoms tool definitions
 * and nothing of Atoms' HTTP stack (no auth, sessions, rate limits, logging, metrics or tool instrumentation).
 *
 * - `idiomaticBareServer`: the SDK's `registerTool` with zod, as an SDK user writes it. `registerTool` only takes
 *   object schemas, so each tool's per-operation inputs (a union in the Atoms listing) are flattened into one object:
 *   the operation discriminator as an enum plus every operation's fields, optional, with the field's schemas of the
 *   operations united where they differ; outputs likewise (every operation's result object plus the error
 *   envelope). Names, titles, descriptions and annotations are the Atoms listing's own. The SDK converts these zod
 *   schemas to JSON Schema on every `tools/list`: that per-request work is what the target compares against.
 *   `tools/call` runs the same operation handler on the same database port as the full stack, as a fixed user.
 * - `staticListingServer`: the same per-request McpServer answering `tools/list` with the Atoms listing itself,
 *   computed once (byte-identical to the full stack's): the pure cost of the SDK round trip, for reference.
 */
import type { Database, UserContext } from '@atoms/schema';
import {
  ATOMS_SERVER_NAME,
  ATOMS_SERVER_VERSION,
  atomsTools,
  createAtomsMcpServer,
  errorEnvelopeSchema,
  errorResult,
  operationInputSchema,
  progressReporter,
  silentLogger,
  successResult,
  toToolError,
  validationError,
  type EmbeddingsProvider,
  type OperationDefinition,
  type ToolContext,
  type ToolDefinition,
} from '@atoms/tools';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** The Atoms `tools/list` result, asked once from the real factory (no database needed for a listing). */
export async function atomsListing(): Promise<Tool[]> {
  const server = createAtomsMcpServer();
  const [client, transport] = InMemoryTransport.createLinkedPair();
  await server.connect(transport);
  await client.start();
  const result = await new Promise<unknown>((resolve, reject) => {
    client.onmessage = (message) => {
      if ('id' in message && message.id === 1) {
        if ('error' in message) reject(new Error(JSON.stringify(message.error)));
        else resolve((message as { result: unknown }).result);
      }
    };
    void client.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
  });
  await client.close();
  await server.close();
  return (result as { tools: Tool[] }).tools;
}

function jsonKey(schema: z.ZodType): string {
  return JSON.stringify(z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }));
}

/** One optional field per name; a field whose schema differs between operations accepts any of them. */
function flattened(objects: readonly z.ZodObject[], skip: string): Record<string, z.ZodType> {
  const variants = new Map<string, Map<string, z.ZodType>>();
  for (const object of objects) {
    for (const [key, schema] of Object.entries(object.shape as Record<string, z.ZodType>)) {
      if (key === skip) continue;
      const byJson = variants.get(key) ?? new Map<string, z.ZodType>();
      variants.set(key, byJson);
      const json = jsonKey(schema);
      if (!byJson.has(json)) byJson.set(json, schema);
    }
  }
  const shape: Record<string, z.ZodType> = {};
  for (const [key, byJson] of variants) {
    const [first, ...others] = [...byJson.values()] as [z.ZodType, ...z.ZodType[]];
    shape[key] = (others.length === 0 ? first : z.union([first, ...others])).optional();
  }
  return shape;
}

interface FlatTool {
  readonly definition: ToolDefinition;
  readonly listing: Tool;
  readonly input: z.ZodObject;
  readonly output: z.ZodObject;
  /** Each operation's strict input, built once (the SDK user's module constants). */
  readonly operationInputs: ReadonlyMap<OperationDefinition, z.ZodObject>;
}

function flatTool(definition: ToolDefinition, listing: Tool): FlatTool {
  const operationInputs = new Map(definition.operations.map((op) => [op, operationInputSchema(definition, op)]));
  const names = definition.operations.map((op) => op.name) as [string, ...string[]];
  const discriminator = z.enum(names).describe('The operation.');
  const input = z.object({
    [definition.operationParameter]: definition.inferOperation ? discriminator.optional() : discriminator,
    ...flattened([...operationInputs.values()], definition.operationParameter),
  });
  // Entity results are records (any entity's columns): such an operation leaves the merged object open.
  const outputs = [...definition.operations.map((op) => op.output), errorEnvelopeSchema];
  const objects = outputs.filter((schema): schema is z.ZodObject => schema instanceof z.ZodObject);
  const merged = z.object(flattened(objects, ''));
  const output = objects.length === outputs.length ? merged : merged.catchall(z.unknown());
  return { definition, listing, input, output, operationInputs };
}

export interface BareToolsDeps {
  readonly db: Database;
  readonly user: UserContext;
  /** Built once per process, as the app builds its provider once. */
  readonly embeddings: EmbeddingsProvider;
}

type CallExtra = Parameters<typeof progressReporter>[0] & { signal: AbortSignal };

async function runOperation(
  tool: FlatTool,
  args: Record<string, unknown>,
  extra: CallExtra,
  deps: BareToolsDeps,
): Promise<CallToolResult> {
  const definition = tool.definition;
  try {
    const name = (args[definition.operationParameter] as string | undefined) ?? definition.inferOperation?.(args);
    const operation = definition.operations.find((op) => op.name === name);
    const schema = operation && tool.operationInputs.get(operation);
    if (!operation || !schema)
      throw validationError(`Unknown ${definition.operationParameter} for ${definition.name}.`);
    // The SDK parsed the flattened object (defaults of other operations included): keep this operation's fields.
    const own: Record<string, unknown> = {};
    for (const key of Object.keys(schema.shape)) if (args[key] !== undefined) own[key] = args[key];
    const parsed = schema.safeParse({ ...own, [definition.operationParameter]: operation.name });
    if (!parsed.success) throw validationError(`Invalid parameters for ${definition.name} ${operation.name}.`);
    const context: ToolContext = {
      tool: definition.name,
      operation: operation.name,
      db: deps.db,
      user: deps.user,
      sessionId: undefined,
      embeddings: deps.embeddings,
      logger: silentLogger,
      signal: extra.signal,
      progress: progressReporter(extra),
      readOnly: false,
      asUser: (work) => deps.db.asUser(deps.user, work),
    };
    return successResult(await operation.handler(parsed.data, context));
  } catch (error) {
    return errorResult(toToolError(error));
  }
}

/** Everything per process: the listing, the flattened zod schemas and the per-operation inputs. */
export interface BareDefinitions {
  readonly listing: readonly Tool[];
  readonly tools: readonly FlatTool[];
}

export async function bareDefinitions(): Promise<BareDefinitions> {
  const listing = await atomsListing();
  const tools = atomsTools().map((definition) => {
    const listed = listing.find((tool) => tool.name === definition.name);
    if (!listed) throw new Error(`${definition.name} is not in the Atoms listing`);
    return flatTool(definition, listed);
  });
  return { listing, tools };
}

/** A fresh server per request (the SDK's stateless example): `registerTool` with the flattened zod schemas. */
export function idiomaticBareServer(definitions: BareDefinitions, deps: BareToolsDeps): McpServer {
  const server = new McpServer({ name: ATOMS_SERVER_NAME, version: ATOMS_SERVER_VERSION });
  for (const tool of definitions.tools) {
    server.registerTool(
      tool.listing.name,
      {
        ...(tool.listing.title ? { title: tool.listing.title } : {}),
        ...(tool.listing.description ? { description: tool.listing.description } : {}),
        inputSchema: tool.input,
        outputSchema: tool.output,
        ...(tool.listing.annotations ? { annotations: tool.listing.annotations } : {}),
      },
      (args, extra) => runOperation(tool, args as Record<string, unknown>, extra as CallExtra, deps),
    );
  }
  return server;
}

/** A fresh server per request answering `tools/list` with the precomputed Atoms listing (no `tools/call`). */
export function staticListingServer(definitions: BareDefinitions): McpServer {
  const server = new McpServer({ name: ATOMS_SERVER_NAME, version: ATOMS_SERVER_VERSION });
  server.server.registerCapabilities({ tools: { listChanged: false } });
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: definitions.listing as Tool[] }));
  return server;
}
