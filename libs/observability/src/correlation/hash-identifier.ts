/**
 * Session ids are bearer-equivalent secrets in stateful MCP mode: logs carry a truncated SHA-256 instead, enough
 * to correlate lines of one session, useless to replay. A per-deployment salt stops dictionary lookups across
 * deployments.
 */
export async function hashIdentifier(value: string, salt = ''): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${salt}\u0000${value}`));
  const bytes = new Uint8Array(digest, 0, 8);
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}
