/** Random identifiers from the Web Crypto API (available on Node 20 and in V8 isolates). */
export function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = '';
  for (let i = 0; i < buf.length; i++) out += (buf[i] as number).toString(16).padStart(2, '0');
  return out;
}

export function randomId(): string {
  return crypto.randomUUID();
}
