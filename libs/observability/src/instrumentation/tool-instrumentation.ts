import type { ContextCarrier } from '../correlation/context-carrier.js';
import { explicitContextCarrier } from '../correlation/context-carrier.js';
import {
  type CorrelationContext,
  correlationLogFields,
  deriveCallContext,
  extractCorrelation,
  type HeaderSource,
} from '../correlation/correlation-context.js';
import type { PerformanceMonitor } from '../health/performance-monitor.js';
import type { Logger } from '../logging/logger.js';
import { createRedactor } from '../logging/redaction.js';
import type { AtomsMetrics } from '../metrics/atoms-metrics.js';

/** Handed to an instrumented handler as its third argument: the call's correlation and a logger bound to it. */
export interface ToolCallContext {
  correlation: CorrelationContext;
  logger: Logger;
}

/** The parts of the MCP SDK's `RequestHandlerExtra` the wrapper reads; structurally compatible with it. */
export interface ToolExtraLike {
  _meta?: Record<string, unknown>;
  requestInfo?: { headers?: HeaderSource };
}

export interface ToolInstrumentationOptions<Args> {
  /** The root logger (not a request logger: the call's fields are bound here, once). */
  logger: Logger;
  metrics?: AtomsMetrics;
  performance?: PerformanceMonitor;
  carrier?: ContextCarrier;
  /** The operation of a call (for tools with an `operation` argument, the default reads it). */
  operationOf?: (args: Args) => string | undefined;
  /** The enclosing request's context when it is not ambient (edge): e.g. `() => requestContext.correlation`. */
  parentContext?: () => CorrelationContext | undefined;
  /**
   * What of the arguments reaches the log: nothing, their key names (default), or the arguments with every
   * credential-named key redacted. Values can hold user content, so `keys` is the default.
   */
  logArguments?: 'none' | 'keys' | 'redacted';
  /** The error type label of a thrown error; default: its string `code`, else its class name. */
  errorType?: (error: unknown) => string;
}

const redactor = createRedactor();
const ERROR_CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,47}$/;

export function defaultErrorType(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && ERROR_CODE.test(code)) return code;
    const name = (error as Error).constructor?.name ?? (error as Error).name;
    if (typeof name === 'string' && ERROR_CODE.test(name)) return name;
  }
  return 'Error';
}

function defaultOperation(args: unknown): string | undefined {
  const operation = args && typeof args === 'object' ? (args as { operation?: unknown }).operation : undefined;
  return typeof operation === 'string' ? operation : undefined;
}

type ToolResultLike = { isError?: boolean; structuredContent?: { error?: { code?: unknown } } };

/**
 * Wraps an MCP tool handler so every call gets a span of logs (tool, operation, outcome, duration), the
 * `mcp_server_operation_duration_seconds` metric, a performance sample, and error capture. Thrown errors are
 * logged and rethrown unchanged; results with `isError: true` count as `tool_error`.
 */
export function instrumentTool<Args, Extra extends ToolExtraLike | undefined, Result>(
  tool: string,
  handler: (args: Args, extra: Extra, call: ToolCallContext) => Result | Promise<Result>,
  options: ToolInstrumentationOptions<Args>,
): (args: Args, extra: Extra) => Promise<Result> {
  const carrier = options.carrier ?? explicitContextCarrier;
  const operationOf = options.operationOf ?? defaultOperation;
  const errorTypeOf = options.errorType ?? defaultErrorType;
  const argumentMode = options.logArguments ?? 'keys';
  const { metrics, performance: monitor } = options;

  return async function instrumentedTool(args, extra) {
    const startedAt = performance.now();
    const operation = operationOf(args);
    const meta = extra?._meta;
    const parent = options.parentContext?.() ?? carrier.current();
    const correlation = parent
      ? deriveCallContext(parent, meta, { tool, operation })
      : { ...extractCorrelation(extra?.requestInfo?.headers ?? {}, meta), tool, operation };
    if (operation === undefined) delete correlation.operation;
    const logger = carrier.implicit ? options.logger : options.logger.child(correlationLogFields(correlation));
    const argumentFields =
      argumentMode === 'none'
        ? {}
        : argumentMode === 'keys'
          ? { argKeys: args && typeof args === 'object' ? Object.keys(args) : [] }
          : { args: redactor.redactValue(args) };

    const finish = (outcome: 'success' | 'tool_error' | 'error', errorType?: string) => {
      const durationMs = performance.now() - startedAt;
      metrics?.recordMcpOperation({
        method: 'tools/call',
        tool,
        operation,
        outcome,
        errorType,
        durationSeconds: durationMs / 1000,
        trace: correlation,
      });
      monitor?.record(operation ? `tool:${tool}.${operation}` : `tool:${tool}`, durationMs, outcome !== 'error');
      return Math.round(durationMs * 1000) / 1000;
    };

    return carrier.run(correlation, async () => {
      let result: Result;
      try {
        result = await handler(args, extra, { correlation, logger });
      } catch (error) {
        const errorType = errorTypeOf(error);
        const durationMs = finish('error', errorType);
        logger.error({ err: error, outcome: 'error', errorType, durationMs, ...argumentFields }, 'tool call failed');
        throw error;
      }
      const toolResult = result as ToolResultLike | undefined;
      if (toolResult && typeof toolResult === 'object' && toolResult.isError === true) {
        const code = toolResult.structuredContent?.error?.code;
        const errorType = typeof code === 'string' && ERROR_CODE.test(code) ? code : 'tool_error';
        const durationMs = finish('tool_error', errorType);
        logger.warn({ outcome: 'tool_error', errorType, durationMs, ...argumentFields }, 'tool call returned an error');
      } else {
        const durationMs = finish('success');
        logger.info({ outcome: 'success', durationMs, ...argumentFields }, 'tool call completed');
      }
      return result;
    });
  };
}
