import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The error codes of the Atoms tool contract (tools.md, "Errors"). */
export const TOOL_ERROR_CODES = [
  'validation_error',
  'not_found',
  'permission_denied',
  'conflict',
  'rate_limited',
  'unavailable',
  'internal',
] as const;

export type ContractErrorCode = (typeof TOOL_ERROR_CODES)[number];

/**
 * `unstructured_error` marks an `isError` result that carried no `{code, message}` object (for example the SDK's
 * own "Input validation error" text): the contract was broken, so tests can tell it apart from a contract error.
 */
export type ToolErrorCode = ContractErrorCode | 'unstructured_error';

export interface StructuredToolError {
  code: ToolErrorCode;
  message: string;
  details?: unknown;
  hint?: string;
}

/** A tool call that returned `isError: true`, surfaced as a typed failure. */
export class McpToolError extends Error {
  override readonly name = 'McpToolError';
  readonly code: ToolErrorCode;
  readonly details?: unknown;
  readonly hint?: string;
  readonly tool: string;
  readonly operation?: string;
  /** The raw tool result, for assertions on the text rendering. */
  readonly result: CallToolResult;

  constructor(tool: string, operation: string | undefined, error: StructuredToolError, result: CallToolResult) {
    super(`${tool}${operation ? `.${operation}` : ''} failed with ${error.code}: ${error.message}`);
    this.code = error.code;
    this.details = error.details;
    this.hint = error.hint;
    this.tool = tool;
    this.operation = operation;
    this.result = result;
  }

  /** The structured error as the server sent it. */
  toJSON(): StructuredToolError & { tool: string; operation?: string } {
    return {
      tool: this.tool,
      ...(this.operation ? { operation: this.operation } : {}),
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
    };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asStructuredError(value: unknown): StructuredToolError | undefined {
  if (!isRecord(value)) return undefined;
  const candidate = isRecord(value['error']) ? value['error'] : value;
  const { code, message } = candidate;
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  return {
    code: (TOOL_ERROR_CODES as readonly string[]).includes(code) ? (code as ContractErrorCode) : 'unstructured_error',
    message,
    ...(candidate['details'] === undefined ? {} : { details: candidate['details'] }),
    ...(typeof candidate['hint'] === 'string' ? { hint: candidate['hint'] } : {}),
  };
}

function textOf(result: CallToolResult): string {
  return result.content
    .filter((part): part is { type: 'text'; text: string } => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
}

/**
 * Reads the structured error of an `isError` result: from `structuredContent` (`{code, message}` or
 * `{error: {code, message}}`), else from a JSON text part, else the text itself as an `unstructured_error`.
 */
export function parseToolError(result: CallToolResult): StructuredToolError {
  const fromStructured = asStructuredError(result.structuredContent);
  if (fromStructured) return fromStructured;
  const text = textOf(result);
  try {
    const fromText = asStructuredError(JSON.parse(text));
    if (fromText) return fromText;
  } catch {
    // Not JSON: the text is the message.
  }
  return { code: 'unstructured_error', message: text || 'tool returned isError without content' };
}
