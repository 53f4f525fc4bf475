import type { HeaderSource } from './device.js';
import { readHeader } from './device.js';

export type BearerExtraction =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed'; readonly description: string };

// RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Reads the bearer token of the `Authorization` header (RFC 6750 header method only: tokens in query strings or
 * bodies end up in logs). The scheme is case-insensitive; anything else (another scheme, several credentials,
 * characters outside b64token) is malformed.
 */
export function extractBearer(headers: HeaderSource, maxLength = 8192): BearerExtraction {
  const header = readHeader(headers, 'authorization');
  if (header === undefined || header.trim() === '') return { kind: 'missing' };
  const token = /^Bearer +(\S+)\s*$/i.exec(header.trim())?.[1];
  if (!token) return { kind: 'malformed', description: 'Authorization must be "Bearer <token>"' };
  if (token.length > maxLength) return { kind: 'malformed', description: `bearer token longer than ${maxLength}` };
  if (!B64TOKEN.test(token) || token.includes(',')) {
    return { kind: 'malformed', description: 'bearer token has characters outside RFC 6750 b64token' };
  }
  return { kind: 'token', token };
}
