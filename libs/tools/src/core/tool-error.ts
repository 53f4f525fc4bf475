import { isDatabaseError, type DatabaseError } from '@atoms/schema';
import { z } from 'zod';

/** The error codes of tools.md; anything a caller sees on `isError: true` results carries one of them. */
export const TOOL_ERROR_CODES = [
  'validation_error',
  'not_found',
  'permission_denied',
  'conflict',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[number];

export interface ToolErrorBody {
  code: ToolErrorCode;
  message: string;
  details?: Record<string, unknown>;
  hint?: string;
}

/** The structured error of a failed tool call (`structuredContent.error`). */
export const toolErrorBodySchema = z.object({
  code: z.enum(TOOL_ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  hint: z.string().optional(),
});

/** The envelope every output schema admits, because SDK clients validate `structuredContent` even on errors. */
export const errorEnvelopeSchema = z.object({ error: toolErrorBodySchema });

/** A failure a handler means to report to the caller as is. */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  readonly code: ToolErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly hint: string | undefined;

  constructor(
    code: ToolErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; hint?: string } = {},
  ) {
    super(message);
    this.code = code;
    this.details = options.details;
    this.hint = options.hint;
  }

  toBody(): ToolErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.details && Object.keys(this.details).length > 0 ? { details: this.details } : {}),
      ...(this.hint ? { hint: this.hint } : {}),
    };
  }
}

export const validationError = (message: string, details?: Record<string, unknown>, hint?: string) =>
  new ToolError('validation_error', message, { ...(details ? { details } : {}), ...(hint ? { hint } : {}) });
export const notFound = (message: string, details?: Record<string, unknown>, hint?: string) =>
  new ToolError('not_found', message, { ...(details ? { details } : {}), ...(hint ? { hint } : {}) });
export const permissionDenied = (message: string, details?: Record<string, unknown>, hint?: string) =>
  new ToolError('permission_denied', message, { ...(details ? { details } : {}), ...(hint ? { hint } : {}) });
export const conflict = (message: string, details?: Record<string, unknown>, hint?: string) =>
  new ToolError('conflict', message, { ...(details ? { details } : {}), ...(hint ? { hint } : {}) });

const DATABASE_CODES: Record<DatabaseError['code'], ToolErrorCode> = {
  conflict: 'conflict',
  validation: 'validation_error',
  permission_denied: 'permission_denied',
  not_found: 'not_found',
  unavailable: 'unavailable',
  internal: 'internal',
};

const DATABASE_HINTS: Partial<Record<ToolErrorCode, string>> = {
  permission_denied: 'The database refused this for your role; ask an organization or project admin.',
  conflict: 'Something with the same unique value already exists, or the row changed meanwhile; re-read and retry.',
  unavailable: 'The database is temporarily unavailable; retry shortly.',
};

function fromDatabaseError(error: DatabaseError): ToolError {
  const code = DATABASE_CODES[error.code];
  if (code === 'internal') return internalError();
  const details: Record<string, unknown> = {};
  for (const key of ['constraint', 'column', 'table', 'detail', 'step', 'issues'] as const) {
    if (error[key] !== undefined) details[key] = error[key];
  }
  if (error.sqlState) details['sql_state'] = error.sqlState;
  const hint = error.hint && !error.hint.startsWith('atoms_') ? error.hint : DATABASE_HINTS[code];
  return new ToolError(code, error.message, { details, ...(hint ? { hint } : {}) });
}

function internalError(): ToolError {
  return new ToolError('internal', 'Internal error while running the operation.', {
    hint: 'Retry; if it persists, report it with the time of the call.',
  });
}

/**
 * Any thrown value as a ToolError: ToolErrors as they are, DatabaseErrors by their code (Postgres' message,
 * never SQL), zod errors as validation errors listing each issue, everything else `internal` with no message
 * from the original (it could carry SQL or a stack).
 */
export function toToolError(error: unknown): ToolError {
  if (error instanceof ToolError) return error;
  if (isDatabaseError(error)) return fromDatabaseError(error);
  if (error instanceof z.ZodError) {
    return validationError(
      'Invalid parameters.',
      { issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      'Check the parameters against the tool input schema.',
    );
  }
  if (error && typeof error === 'object' && (error as { name?: string }).name === 'AbortError') {
    return new ToolError('unavailable', 'The operation was cancelled.', { details: { cancelled: true } });
  }
  return internalError();
}
