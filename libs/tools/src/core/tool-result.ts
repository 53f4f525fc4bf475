import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolError } from './tool-error.js';

/** A successful result: `structuredContent` plus its JSON as text for clients that read text only. */
export function successResult(value: Record<string, unknown>): CallToolResult {
  return { structuredContent: value, content: [{ type: 'text', text: JSON.stringify(value) }] };
}

/** A failed result: `isError`, the structured error under `error`, and the same JSON as text. */
export function errorResult(error: ToolError): CallToolResult {
  const body = { error: error.toBody() };
  return { isError: true, structuredContent: body, content: [{ type: 'text', text: JSON.stringify(body) }] };
}
