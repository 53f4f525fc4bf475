import type { Database, UserContext } from '@atoms/schema';
import { instrumentTool, type AtomsMetrics, type Logger, type PerformanceMonitor } from '@atoms/observability';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { resolveCaller, type AuthInfoLike } from './caller.js';
import type { EmbeddingsProvider } from './embeddings-port.js';
import { progressReporter, throwIfCancelled, type ProgressExtraLike } from './progress.js';
import { permissionDenied, toToolError, ToolError, validationError } from './tool-error.js';
import type { ToolContext, ToolDefinition } from './tool-definition.js';
import { errorResult, successResult } from './tool-result.js';
import { toolListing, cachedOperationInputSchema } from './tool-listing.js';
import { advertisedOperations } from './tool-schema.js';

export interface ToolRuntime {
  db: Database | undefined;
  /** Fixed caller (one server per request); else each call's `authInfo.extra.claims`. */
  user?: UserContext;
  embeddings?: EmbeddingsProvider;
  logger: Logger;
  metrics?: AtomsMetrics;
  performance?: PerformanceMonitor;
  readOnly: boolean;
  /** Workspace context scope: one MCP session's context; default the user's own (shared by all sessions). */
  sessionId?: string;
}

type CallExtra = ProgressExtraLike & { authInfo?: AuthInfoLike; sessionId?: string; signal: AbortSignal };

/**
 * Registers the tools on the server's low-level handlers (`tools/list`, `tools/call`). The McpServer's own
 * `registerTool` cannot advertise discriminated-union inputs (it flattens them to `{}`) and turns invalid input
 * into unstructured text; here every input problem is a structured `validation_error`. Tools keep the order given.
 */
export function registerAtomsTools(server: McpServer, tools: readonly ToolDefinition[], runtime: ToolRuntime): void {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  // A tool left without operations (read-only mode, workflow_tool) is not advertised; calls to it are refused.
  const listing = tools.flatMap((tool) => toolListing(tool, runtime.readOnly) ?? []);
  const handlers = new Map(
    tools.map((tool) => [
      tool.name,
      instrumentTool<Record<string, unknown>, CallExtra, CallToolResult>(
        tool.name,
        (args, extra, call) => runTool(tool, args, extra, runtime, call.logger),
        {
          logger: runtime.logger,
          operationOf: (args) => operationName(tool, args),
          ...(runtime.metrics ? { metrics: runtime.metrics } : {}),
          ...(runtime.performance ? { performance: runtime.performance } : {}),
        },
      ),
    ]),
  );

  server.server.registerCapabilities({ tools: { listChanged: false } });
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listing }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    const handler = handlers.get(request.params.name);
    if (!tool || !handler) throw new McpError(ErrorCode.InvalidParams, `Tool ${request.params.name} not found`);
    return handler((request.params.arguments ?? {}) as Record<string, unknown>, extra as unknown as CallExtra);
  });
}

function operationName(tool: ToolDefinition, args: Record<string, unknown>): string | undefined {
  const explicit = args[tool.operationParameter];
  if (typeof explicit === 'string') return explicit;
  return explicit === undefined || explicit === null ? tool.inferOperation?.(args) : undefined;
}

async function runTool(
  tool: ToolDefinition,
  rawArgs: Record<string, unknown>,
  extra: CallExtra,
  runtime: ToolRuntime,
  logger: Logger,
): Promise<CallToolResult> {
  try {
    const name = operationName(tool, rawArgs);
    const operation = tool.operations.find((o) => o.name === name);
    if (!operation) {
      const allowed = advertisedOperations(tool, runtime.readOnly).map((o) => o.name);
      throw validationError(
        name === undefined
          ? `Missing parameter ${tool.operationParameter}.`
          : `Unknown ${tool.operationParameter} "${String(name)}" for ${tool.name}.`,
        { allowed },
        `Use one of: ${allowed.join(', ')}.`,
      );
    }
    if (runtime.readOnly && operation.mutating) {
      throw permissionDenied(`${tool.name} ${operation.name} is not available: this server is read-only.`, {
        read_only: true,
      });
    }
    const parsed = cachedOperationInputSchema(tool, operation).safeParse({
      ...rawArgs,
      [tool.operationParameter]: name,
    });
    if (!parsed.success) {
      throw validationError(
        `Invalid parameters for ${tool.name} ${operation.name}.`,
        { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
        'Check the parameters against the tool input schema.',
      );
    }
    if (!runtime.db) throw new ToolError('unavailable', 'No database is configured for this server.');
    const user = resolveCaller(runtime.user, extra.authInfo);
    const db = runtime.db;
    const signal = extra.signal ?? new AbortController().signal;
    const context: ToolContext = {
      tool: tool.name,
      operation: operation.name,
      db,
      user,
      // Per user by default (survives new sessions and stateless requests); per MCP session only when the host
      // scopes it explicitly through the factory's `context.sessionId`.
      sessionId: runtime.sessionId,
      embeddings: runtime.embeddings,
      logger,
      signal,
      progress: progressReporter(extra),
      readOnly: runtime.readOnly,
      asUser: (work) => {
        throwIfCancelled(signal);
        return db.asUser(user, work);
      },
    };
    const value = await operation.handler(parsed.data, context);
    const checked = operation.output.safeParse(value);
    if (!checked.success) {
      // A result outside its own schema is a bug here, not the caller's problem: never send it.
      logger.error(
        { tool: tool.name, operation: operation.name, issues: checked.error.issues.slice(0, 5) },
        'tool result does not match its output schema',
      );
      throw new ToolError('internal', 'Internal error: the result did not match the output schema.');
    }
    return successResult(value);
  } catch (error) {
    const toolError = toToolError(error);
    if (toolError.code === 'internal' && !(error instanceof ToolError)) {
      logger.error(
        { err: error instanceof Error ? { name: error.name, message: error.message } : String(error) },
        'tool failed',
      );
    }
    return errorResult(toolError);
  }
}
