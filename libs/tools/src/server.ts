import type { Database, UserContext } from '@atoms/schema';
import type { AtomsMetrics, Logger, PerformanceMonitor } from '@atoms/observability';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerOptions } from '@modelcontextprotocol/sdk/server/index.js';
import type { EmbeddingsProvider } from './core/embeddings-port.js';
import { registerAtomsTools } from './core/register-tools.js';
import { silentLogger } from './core/silent-logger.js';
import { localEmbeddingProvider } from './embeddings/index.js';
import { atomsTools } from './tools.js';

export interface AtomsMcpServerOptions {
  /** The database port. Omit only to build a server for `tools/list` (DRY): calls then fail `unavailable`. */
  db?: Database;
  /** The caller, when the server is built for one request; else each call's `authInfo.extra.claims`. */
  user?: UserContext;
  /** Default: the local deterministic provider (no network), the embedded default of tools.md. */
  embeddings?: EmbeddingsProvider;
  /** Per-connection context: the MCP session id scopes the persisted workspace context. */
  context?: { sessionId?: string };
  logger?: Logger;
  /** Where tool calls are measured (`mcp_server_operation_duration_seconds`, the dashboard's tool usage). */
  metrics?: AtomsMetrics;
  /** The rolling p50/p95/p99 per tool operation that feeds health. */
  performance?: PerformanceMonitor;
  /** `ATOMS_READ_ONLY=true`: mutating operations are neither advertised nor accepted. */
  readOnly?: boolean;
  /** Passed to the SDK server (e.g. `jsonSchemaValidator` for the edge runtime). */
  serverOptions?: ServerOptions;
}

export const ATOMS_SERVER_NAME = 'atoms-mcp';
export const ATOMS_SERVER_VERSION = '0.1.0';

const INSTRUCTIONS = [
  'Atoms requirements management. Use workspace_tool to see and set the active organization/project/document,',
  'entity_tool to create, read, update, delete, list and search entities, relationship_tool for members,',
  'assignments, trace links, requirement tests and invitations, workflow_tool for atomic multi-step setups, and',
  'query_tool for search, analytics, traceability and coverage. Ids may be UUIDs or names; "auto" uses the',
  'workspace context. Errors are structured: {error: {code, message, details?, hint?}}.',
].join(' ');

/**
 * The Atoms MCP server: the five tools on the given database port, in a stable order. Isomorphic; building it
 * touches no database (DRY listings work without one).
 */
export function createAtomsMcpServer(options: AtomsMcpServerOptions = {}): McpServer {
  const server = new McpServer(
    { name: ATOMS_SERVER_NAME, version: ATOMS_SERVER_VERSION },
    { ...options.serverOptions, instructions: INSTRUCTIONS },
  );
  registerAtomsTools(server, atomsTools(), {
    db: options.db,
    ...(options.user ? { user: options.user } : {}),
    embeddings: options.embeddings ?? localEmbeddingProvider(),
    ...(options.context?.sessionId ? { sessionId: options.context.sessionId } : {}),
    logger: options.logger ?? silentLogger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.performance ? { performance: options.performance } : {}),
    readOnly: options.readOnly ?? false,
  });
  return server;
}
