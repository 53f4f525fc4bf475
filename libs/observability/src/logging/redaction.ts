/**
 * Secret redaction applied to every log line on both runtimes. Two layers:
 *  1. by key, at any depth: a value whose key names a credential (authorization, cookie, token, secret, password,
 *     api key, signature, ...) is replaced before serialisation;
 *  2. by value, on the serialised line: bearer/basic credentials and JWT-shaped strings are replaced wherever they
 *     appear (messages, error text, keys we did not anticipate).
 */
import { isError } from './error-serializer.js';

export const REDACTED = '[REDACTED]';

// Compared against the key lower-cased with '-' and '_' removed, so `X-Api-Key`, `api_key` and `apiKey` all match.
const SENSITIVE_SUFFIXES = [
  'authorization',
  'cookie',
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'signature',
  'credential',
  'credentials',
  'jwt',
  'sessionid',
];

export interface RedactionOptions {
  /** Extra key names (any case, '-'/'_' ignored) to redact in addition to the built-in list. */
  extraKeys?: readonly string[];
  /** Deepest object level inspected; deeper values are replaced by '[Truncated]' rather than logged unchecked. */
  maxDepth?: number;
}

export interface Redactor {
  isSensitiveKey(key: string): boolean;
  /** Returns `value` itself when nothing needed redaction, otherwise a redacted copy (the input is not mutated). */
  redactValue<T>(value: T): T;
  /** Scrubs credential-shaped substrings from a serialised line. */
  scrubLine(line: string): string;
}

const normalizeKey = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

// Bearer/Basic credentials and JWTs (three base64url segments, the first one a JSON header: `eyJ`).
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

export function createRedactor(options: RedactionOptions = {}): Redactor {
  const extra = new Set((options.extraKeys ?? []).map(normalizeKey));
  const maxDepth = options.maxDepth ?? 8;
  const cache = new Map<string, boolean>();

  const isSensitiveKey = (key: string): boolean => {
    let hit = cache.get(key);
    if (hit === undefined) {
      const k = normalizeKey(key);
      hit = extra.has(k) || SENSITIVE_SUFFIXES.some((suffix) => k.endsWith(suffix));
      // Keys come from code, not users, so the cache stays small; cap it anyway.
      if (cache.size < 2048) cache.set(key, hit);
    }
    return hit;
  };

  const walk = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object') return value;
    // Errors go through the error serializer; their text is covered by the line scrub.
    if (isError(value) || value instanceof Date) return value;
    if (depth >= maxDepth) return '[Truncated]';
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = walk(value[i], depth + 1);
        if (next !== value[i]) {
          copy ??= value.slice();
          copy[i] = next;
        }
      }
      return copy ?? value;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      // Headers and other web objects: reduce them to plain data first so they are checked, not skipped.
      if (isHeadersLike(value)) return walk(Object.fromEntries(value.entries()), depth);
      return value;
    }
    let copy: Record<string, unknown> | undefined;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const current = record[key];
      const next = isSensitiveKey(key) ? (current === undefined ? current : REDACTED) : walk(current, depth + 1);
      if (next !== current) {
        copy ??= { ...record };
        copy[key] = next;
      }
    }
    return copy ?? value;
  };

  return {
    isSensitiveKey,
    redactValue: <T>(value: T): T => walk(value, 0) as T,
    scrubLine(line: string): string {
      // Cheap pre-check keeps the common case (no credential in the line) free of regex work.
      if (!line.includes('eyJ') && !line.includes('Bearer') && !line.includes('Basic')) return line;
      return line.replace(BEARER, `$1 ${REDACTED}`).replace(JWT, REDACTED);
    },
  };
}

function isHeadersLike(value: object): value is { entries(): IterableIterator<[string, string]> } {
  return typeof Headers !== 'undefined' && value instanceof Headers;
}
