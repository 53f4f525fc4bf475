import type { Database, Session, UserContext } from '@atoms/schema';
import type { Logger } from '@atoms/observability';
import type { z } from 'zod';
import type { EmbeddingsProvider } from './embeddings-port.js';
import type { ProgressReporter } from './progress.js';

/** Everything a handler gets besides its parsed arguments. One per tool call. */
export interface ToolContext {
  readonly tool: string;
  readonly operation: string;
  readonly db: Database;
  /** The caller; every database access goes through `asUser` so row-level security decides. */
  readonly user: UserContext;
  /** The MCP session id when the transport has one (workspace context is then per session, else per user). */
  readonly sessionId: string | undefined;
  readonly embeddings: EmbeddingsProvider | undefined;
  readonly logger: Logger;
  /** Aborted when the client cancels the request. */
  readonly signal: AbortSignal;
  /** MCP progress notifications (no-op unless the client sent a progressToken); also checks cancellation. */
  readonly progress: ProgressReporter;
  readonly readOnly: boolean;
  /** Runs `work` as the caller: one transaction on the SQL adapters, RLS applied. Cancellation is checked first. */
  asUser<T>(work: (session: Session) => Promise<T>): Promise<T>;
}

/** A JSON object result; the framework wraps it as `structuredContent` plus a text rendering. */
export type OperationResult = Record<string, unknown>;

/**
 * One operation of a tool. `input` holds the parameters besides the operation discriminator (the framework adds
 * `<operationParameter>: z.literal(name)` and makes the object strict). `output` describes the success result.
 */
export interface OperationDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  /** Writes anything: removed from the advertised schema and refused in read-only mode. */
  readonly mutating: boolean;
  readonly input: S;
  readonly output: z.ZodType<OperationResult>;
  handler(args: z.output<S>, context: ToolContext): Promise<OperationResult>;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** The parameter naming the operation: `operation`, or `workflow` / `query_type` for those tools. */
  readonly operationParameter: string;
  readonly annotations: ToolAnnotations;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- operations are heterogeneous by design
  readonly operations: readonly OperationDefinition<any>[];
  /** Fills the operation when the caller omitted it (entity_tool's inference rules). */
  inferOperation?(args: Record<string, unknown>): string | undefined;
}

/** Identity helper that keeps the handler's argument type tied to its input schema. */
export function defineOperation<S extends z.ZodObject>(definition: OperationDefinition<S>): OperationDefinition<S> {
  return definition;
}

export function defineTool(definition: ToolDefinition): ToolDefinition {
  const names = definition.operations.map((o) => o.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`${definition.name}: operation ${duplicate} defined twice`);
  return definition;
}
