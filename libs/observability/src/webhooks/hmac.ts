/** HMAC helpers on Web Crypto, shared by the outgoing signer and the inbound Vercel verifier. */
const encoder = new TextEncoder();

export type HmacHash = 'SHA-1' | 'SHA-256';

/** Web Crypto's key type, named without relying on the DOM lib. */
export type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export function importHmacKey(secret: string, hash: HmacHash, usage: 'sign' | 'verify'): Promise<HmacKey> {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash }, false, [usage]);
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const byte of view) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Decodes lower/upper-case hex; undefined for anything that is not an even-length hex string. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Constant-time comparison: the time depends only on the lengths (public: a SHA-1 MAC is always 20 bytes), never
 * on where the first differing byte is.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export async function hmacHex(secret: string, hash: HmacHash, body: Uint8Array | string): Promise<string> {
  const key = await importHmacKey(secret, hash, 'sign');
  const data = typeof body === 'string' ? encoder.encode(body) : body;
  return toHex(await crypto.subtle.sign('HMAC', key, data));
}
