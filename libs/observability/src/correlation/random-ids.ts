/**
 * Random identifiers from the Web Crypto API (available on Node 20 and in V8 isolates). Trace and span ids are
 * drawn from a pooled CSPRNG buffer: one `getRandomValues` call per 4 KiB instead of one per id, which was the
 * single largest per-request cost of the HTTP middleware on Node (each call is a synchronous syscall there).
 */
const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let offset = POOL_SIZE;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function randomHex(bytes: number): string {
  if (bytes > POOL_SIZE) throw new RangeError('randomHex: at most 4096 bytes');
  if (offset + bytes > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    offset = 0;
  }
  let out = '';
  for (let i = offset; i < offset + bytes; i++) out += HEX[pool[i] as number];
  // Consumed bytes are zeroed so an id can never be derived twice from the same pool bytes.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return out;
}

export function randomId(): string {
  return crypto.randomUUID();
}
