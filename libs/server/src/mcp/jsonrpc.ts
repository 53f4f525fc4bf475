/** A JSON-RPC error as an HTTP response (the shape the SDK's transport uses for its own refusals). */
export function jsonRpcError(
  status: number,
  code: number,
  message: string,
  headers: Iterable<[string, string]> = [],
): Response {
  const response = new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
  for (const [name, value] of headers) response.headers.set(name, value);
  return response;
}

interface MessageLike {
  readonly method?: unknown;
  readonly id?: unknown;
  readonly params?: { readonly name?: unknown } & Record<string, unknown>;
}

export const messagesOf = (body: unknown): MessageLike[] =>
  (Array.isArray(body) ? body : [body]).filter((m): m is MessageLike => typeof m === 'object' && m !== null);

/**
 * The rate-limit buckets a JSON-RPC body spends: one per `tools/call` (by tool name), one shared bucket (`*`) for
 * any other request. Notifications and responses (a client answering a sampling request) spend nothing.
 */
export function rateLimitBuckets(body: unknown): string[] {
  const buckets = new Set<string>();
  for (const message of messagesOf(body)) {
    if (typeof message.method !== 'string' || message.id === undefined) continue;
    if (message.method === 'tools/call' && typeof message.params?.name === 'string') buckets.add(message.params.name);
    else buckets.add('*');
  }
  return [...buckets];
}

export const initializeParams = (body: unknown): Record<string, unknown> | undefined =>
  messagesOf(body).find((m) => m.method === 'initialize')?.params as Record<string, unknown> | undefined;
