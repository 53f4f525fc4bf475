import { z } from 'zod';
import { validationError } from './tool-error.js';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** `limit` (default 20, max 100), `offset`, or an opaque `cursor` from a previous page. */
export const paginationInput = {
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .optional()
    .describe(`Page size (default ${DEFAULT_LIMIT}, max ${MAX_LIMIT}).`),
  offset: z.number().int().min(0).optional().describe('Rows to skip (default 0); or pass `cursor`.'),
  cursor: z.string().min(1).max(512).optional().describe('The `next_cursor` of the previous page.'),
};

export const pageOutput = {
  total: z.number().int().describe('Rows matching, over all pages.'),
  limit: z.number().int(),
  offset: z.number().int(),
  has_more: z.boolean(),
  next_cursor: z.string().nullable(),
};

export interface PageRequest {
  limit: number;
  offset: number;
}

/**
 * The cursor binds the position to the query it came from (a fingerprint of the other parameters), so a cursor
 * reused with different filters is refused instead of silently paging a different result.
 */
export function pageRequest(
  input: { limit?: number | undefined; offset?: number | undefined; cursor?: string | undefined },
  fingerprint: string,
): PageRequest {
  const limit = input.limit ?? DEFAULT_LIMIT;
  if (input.cursor === undefined) return { limit, offset: input.offset ?? 0 };
  if (input.offset !== undefined) throw validationError('Pass either offset or cursor, not both.');
  let decoded: unknown;
  try {
    decoded = JSON.parse(base64UrlDecode(input.cursor));
  } catch {
    throw validationError('Invalid cursor.', undefined, 'Use the next_cursor value of the previous page as is.');
  }
  const { o, f } = (decoded ?? {}) as { o?: unknown; f?: unknown };
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || typeof f !== 'string') {
    throw validationError('Invalid cursor.', undefined, 'Use the next_cursor value of the previous page as is.');
  }
  if (f !== fingerprint) {
    throw validationError(
      'This cursor belongs to a different query.',
      undefined,
      'Repeat the same filters and order as the page the cursor came from.',
    );
  }
  return { limit, offset: o };
}

export interface Page<T> extends Record<string, unknown> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  has_more: boolean;
  next_cursor: string | null;
}

export function buildPage<T>(items: T[], total: number, request: PageRequest, fingerprint: string): Page<T> {
  const next = request.offset + items.length;
  const hasMore = next < total;
  return {
    items,
    total,
    limit: request.limit,
    offset: request.offset,
    has_more: hasMore,
    next_cursor: hasMore ? base64UrlEncode(JSON.stringify({ o: next, f: fingerprint })) : null,
  };
}

/** A short, stable fingerprint of the query parameters a cursor must be reused with. */
export function queryFingerprint(value: unknown): string {
  const text = stableStringify(value);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function base64UrlEncode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function base64UrlDecode(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}
