/**
 * Error shape in log lines, identical to pino's standard `err` serializer (`type`, `message`, `stack`, plus own
 * enumerable properties such as `code`), so edge and Node lines match.
 */
export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  cause?: SerializedError | unknown;
  [key: string]: unknown;
}

export function serializeError(error: unknown, depth = 0): SerializedError | unknown {
  if (!isError(error)) return error;
  const out: SerializedError = { type: error.constructor?.name || error.name || 'Error', message: error.message };
  if (error.stack) out.stack = error.stack;
  for (const key of Object.keys(error)) {
    if (key === 'cause' || key in out) continue;
    out[key] = (error as unknown as Record<string, unknown>)[key];
  }
  if (error.cause !== undefined && depth < 3) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

/** `instanceof Error` fails for errors from another realm (VM contexts, edge primitives); the brand check does not. */
export function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}
