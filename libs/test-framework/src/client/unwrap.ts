import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * The value a successful tool result carries: `structuredContent` when present (the Atoms contract), else the JSON
 * of a single text part, else the text itself (servers outside the contract, e.g. the conformance fixtures).
 */
export function unwrapToolResult(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const texts = result.content.filter((part) => part.type === 'text').map((part) => (part as { text: string }).text);
  const text = texts.join('\n');
  if (texts.length === 1) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
