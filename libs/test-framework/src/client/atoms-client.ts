import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { connect, type ClientTarget, type ConnectOptions } from './connect.js';
import { operationOf, type JsonObject } from './contract.js';
import {
  EntityToolHelpers,
  QueryToolHelpers,
  RelationshipToolHelpers,
  WorkflowToolHelpers,
  WorkspaceToolHelpers,
} from './tool-helpers.js';
import { McpToolError, parseToolError } from './tool-error.js';
import { unwrapToolResult } from './unwrap.js';

/** One finished tool call, as observers (the `harmful` tracker, loggers) see it. */
export interface ToolCallEvent {
  tool: string;
  /** The operation after the contract's inference (see `operationOf`). */
  operation?: string;
  arguments: JsonObject;
  result: CallToolResult;
  /** The unwrapped value of a successful call. */
  value?: unknown;
  /** The typed failure of an `isError` result. */
  error?: McpToolError;
  durationMs: number;
}

export type ToolCallListener = (event: ToolCallEvent) => void;

/**
 * The MCP test client: the real SDK `Client` plus typed helpers per Atoms tool. Successful results are unwrapped
 * (`structuredContent`); `isError` results throw `McpToolError` with the contract's `code`; protocol failures
 * (unknown tool, malformed request) stay the SDK's `McpError`.
 */
export class AtomsTestClient {
  readonly workspace = new WorkspaceToolHelpers(this);
  readonly entity = new EntityToolHelpers(this);
  readonly relationship = new RelationshipToolHelpers(this);
  readonly workflow = new WorkflowToolHelpers(this);
  readonly query = new QueryToolHelpers(this);
  private readonly listeners = new Set<ToolCallListener>();
  private closed = false;

  constructor(
    /** The underlying SDK client, for anything the helpers do not cover (resources, prompts, notifications). */
    readonly sdk: Client,
    private readonly closeConnection: () => Promise<void>,
    /** Which mode built this client, when a mode environment did. */
    readonly label = 'client',
  ) {}

  static async connect(
    target: ClientTarget,
    options: ConnectOptions & { label?: string } = {},
  ): Promise<AtomsTestClient> {
    const connection = await connect(target, options);
    return new AtomsTestClient(connection.client, connection.close, options.label ?? target.kind);
  }

  /** Observes every tool call; returns the function that stops observing. */
  onToolCall(listener: ToolCallListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls a tool and returns the raw result, `isError` included (nothing thrown for tool errors). */
  async callToolRaw(name: string, args: JsonObject = {}, options?: RequestOptions): Promise<CallToolResult> {
    const started = performance.now();
    const result = (await this.sdk.callTool({ name, arguments: args }, undefined, options)) as CallToolResult;
    const operation = operationOf(name, args);
    const event: ToolCallEvent = {
      tool: name,
      ...(operation ? { operation } : {}),
      arguments: args,
      result,
      durationMs: performance.now() - started,
    };
    if (result.isError) event.error = new McpToolError(name, operation, parseToolError(result), result);
    else event.value = unwrapToolResult(result);
    for (const listener of this.listeners) listener(event);
    return result;
  }

  /** Calls a tool and returns its unwrapped value; an `isError` result throws `McpToolError`. */
  async callTool<T = JsonObject>(name: string, args: JsonObject = {}, options?: RequestOptions): Promise<T> {
    const result = await this.callToolRaw(name, args, options);
    if (result.isError) throw new McpToolError(name, operationOf(name, args), parseToolError(result), result);
    return unwrapToolResult(result) as T;
  }

  /** Calls a tool that is expected to fail and returns the typed error; a success is itself a failure. */
  async expectToolError(name: string, args: JsonObject = {}, options?: RequestOptions): Promise<McpToolError> {
    const result = await this.callToolRaw(name, args, options);
    if (!result.isError) {
      throw new Error(`${name} was expected to fail but succeeded with ${JSON.stringify(unwrapToolResult(result))}`);
    }
    return new McpToolError(name, operationOf(name, args), parseToolError(result), result);
  }

  /** Every advertised tool, following `nextCursor` pages. */
  async listTools(): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.sdk.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await this.closeConnection();
  }
}
