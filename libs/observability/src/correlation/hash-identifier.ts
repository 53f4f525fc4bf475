/**
 * Session ids are bearer-equivalent secrets in stateful MCP mode: logs carry a truncated SHA-256 instead, enough
 * to correlate lines of one session, useless to replay. A per-deployment salt stops dictionary lookups across
 * deployments.
 *
 * A client sends the same session on every request, and a WebCrypto digest is an asynchronous job on the thread
 * pool: the last {@link HASH_CACHE_SIZE} results are kept, so a session is hashed once, not once per request.
 */
export const HASH_CACHE_SIZE = 1024;

const cache = new Map<string, string>();

export async function hashIdentifier(value: string, salt = ''): Promise<string> {
  const input = `${salt}\u0000${value}`;
  const cached = cache.get(input);
  if (cached !== undefined) return cached;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(input));
  const bytes = new Uint8Array(digest, 0, 8);
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  // Oldest first out: a Map iterates in insertion order.
  if (cache.size >= HASH_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(input, out);
  return out;
}
