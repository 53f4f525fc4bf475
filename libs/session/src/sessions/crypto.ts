/**
 * Web Crypto helpers shared by the session modules (CSPRNG ids, SHA-256 hashes, sealing of rotation successors).
 * Only globals available on Node 20 and the Edge runtime are used.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** `byteLength` bytes from the platform CSPRNG, base64url encoded (32 bytes -> 43 characters, 256 bits). */
export function randomToken(byteLength = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(byteLength)));
}

export async function sha256Bytes(text: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/** Lower-case hex SHA-256: how session ids and refresh tokens are stored (never in the clear). */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(await sha256Bytes(text));
}

/** How many inputs `recentSha256Hex` remembers. */
export const RECENT_HASHES = 1024;
const recentHashes = new Map<string, string>();

/**
 * `sha256Hex` for values a client repeats on every request (its session id, its device headers, a token's issuer and
 * jti). A WebCrypto digest is an asynchronous job on the thread pool, so the last {@link RECENT_HASHES} results are
 * kept. Not for one-time values (refresh tokens): they would only push the repeated ones out.
 */
export async function recentSha256Hex(text: string): Promise<string> {
  const cached = recentHashes.get(text);
  if (cached !== undefined) return cached;
  const hex = await sha256Hex(text);
  // Oldest first out: a Map iterates in insertion order.
  if (recentHashes.size >= RECENT_HASHES) recentHashes.delete(recentHashes.keys().next().value as string);
  recentHashes.set(text, hex);
  return hex;
}

/**
 * A stable UUID (version 8, RFC 9562 custom layout) derived from SHA-256 of `key`: lets a table whose only unique
 * constraint is a UUID primary key serve as a key-value store with atomic upserts.
 */
export async function uuidFromKey(key: string): Promise<string> {
  const bytes = (await sha256Bytes(key)).slice(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The sealing key is derived with a different domain separator than the stored hash, so the stored SHA-256 of a
// token never decrypts anything: only a caller holding the raw previous token can open its successor.
async function sealingKey(secret: string) {
  const material = await sha256Bytes(`atoms-session/successor-seal/v1\u0000${secret}`);
  return crypto.subtle.importKey('raw', material, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/** AES-256-GCM encrypts `plaintext` under a key derived from `secret`; output is base64url(iv || ciphertext). */
export async function seal(plaintext: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await sealingKey(secret), encoder.encode(plaintext)),
  );
  const out = new Uint8Array(iv.length + ciphertext.length);
  out.set(iv);
  out.set(ciphertext, iv.length);
  return toBase64Url(out);
}

/** Opens what `seal` produced; throws when `secret` is wrong or the data was altered. */
export async function unseal(sealed: string, secret: string): Promise<string> {
  const bytes = fromBase64Url(sealed);
  const plaintext = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.slice(0, 12) },
    await sealingKey(secret),
    bytes.slice(12),
  );
  return decoder.decode(plaintext);
}
