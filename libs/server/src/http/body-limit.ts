import { errorResponse, type Middleware } from './pipeline.js';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Rejects a declared `Content-Length` above the limit before the body is read (413). Bodies without a length
 * (chunked) are bounded where they are read, by {@link readBodyText}.
 */
export function bodyLimit(maxBytes: number): Middleware {
  return async (request, state, next) => {
    const declared = request.headers.get('content-length');
    if (declared !== null && Number(declared) > maxBytes) {
      return errorResponse(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes`);
    }
    return next(request, state);
  };
}

/**
 * Reads a body as UTF-8 text, counting bytes as they stream in and cancelling the stream as soon as the limit is
 * passed, so a chunked upload without `Content-Length` cannot make the server buffer more than the limit.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

export const payloadTooLarge = (limit: number): Response =>
  errorResponse(413, 'payload_too_large', `request body exceeds ${limit} bytes`);
