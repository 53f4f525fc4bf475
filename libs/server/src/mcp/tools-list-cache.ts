import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../auth/caller.js';

/**
 * Serves stateless `tools/list` from bytes the SDK produced once.
 *
 * A stateless request builds a fresh `McpServer`, and `tools/list` is its largest answer (the Atoms listing is ~70 KB
 * of JSON): re-serializing it was half of that request's CPU (docs/performance.md). Callers that see the same tools
 * share a key; the first plain `tools/list` of a key is answered by the SDK and its `result` is kept as bytes, and
 * later plain requests get those bytes with their own id. Anything the SDK might judge differently (an Accept or
 * Content-Type other than an SDK client's, an unsupported protocol version, params, a batch) is left to the SDK.
 */
export interface ToolsListCache {
  /** The cached answer when `body` is a plain `tools/list` and the caller's key has been learnt; else undefined. */
  answer(caller: Caller, request: Request, body: unknown): Response | undefined;
  /**
   * Keeps the SDK's answer for the caller's key when `body` was a plain `tools/list` and `response` a JSON result.
   * Returns the response to send: its body may have been read, so the caller must send this one, not the original.
   */
  learn(caller: Caller, request: Request, body: unknown, response: Response): Promise<Response>;
}

/** Callers with the same key see the same `tools/list`; undefined: this caller's listing is not cached. */
export type ToolsListKey = (caller: Caller) => string | undefined;

type RequestId = string | number;

const encoder = new TextEncoder();

/** The request id of a `tools/list` the SDK would answer with the plain listing, else undefined. */
export function plainToolsListId(request: Request, body: unknown): RequestId | undefined {
  const accept = request.headers.get('accept');
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
  if (request.headers.get('content-type') !== 'application/json') return undefined;
  const version = request.headers.get('mcp-protocol-version');
  if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const message = body as Record<string, unknown>;
  for (const name of Object.keys(message)) {
    if (name !== 'jsonrpc' && name !== 'id' && name !== 'method' && name !== 'params') return undefined;
  }
  if (message['jsonrpc'] !== '2.0' || message['method'] !== 'tools/list') return undefined;
  const params = message['params'];
  const emptyParams =
    params === undefined ||
    (typeof params === 'object' && params !== null && !Array.isArray(params) && Object.keys(params).length === 0);
  if (!emptyParams) return undefined;
  const id = message['id'];
  // The SDK's RequestId: a string or a safe integer (zod's `int()`).
  if (typeof id === 'string' || Number.isSafeInteger(id)) return id as RequestId;
  return undefined;
}

export function createToolsListCache(keyOf: ToolsListKey): ToolsListCache {
  // Per key, the answer up to its id: `{"result":<listing>,"jsonrpc":"2.0","id":` (the SDK's own member order).
  const prefixes = new Map<string, Uint8Array>();

  return {
    answer(caller, request, body) {
      const key = keyOf(caller);
      const prefix = key === undefined ? undefined : prefixes.get(key);
      if (!prefix) return undefined;
      const id = plainToolsListId(request, body);
      if (id === undefined) return undefined;
      const tail = encoder.encode(`${JSON.stringify(id)}}`);
      const bytes = new Uint8Array(prefix.byteLength + tail.byteLength);
      bytes.set(prefix);
      bytes.set(tail, prefix.byteLength);
      return new Response(bytes, { status: 200, headers: { 'content-type': 'application/json' } });
    },

    async learn(caller, request, body, response) {
      const key = keyOf(caller);
      if (key === undefined || prefixes.has(key) || response.status !== 200) return response;
      if (response.headers.get('content-type') !== 'application/json') return response;
      if (plainToolsListId(request, body) === undefined) return response;
      const text = await response.text();
      const answer = JSON.parse(text) as { result?: unknown };
      if (answer.result !== undefined && typeof answer.result === 'object') {
        prefixes.set(key, encoder.encode(`{"result":${JSON.stringify(answer.result)},"jsonrpc":"2.0","id":`));
      }
      return new Response(text, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
  };
}
