import { classifySqlState, looksLikeConnectionFailure, namesFromMessage } from './classify.js';
import { DatabaseError, type DatabaseErrorCode } from './database-error.js';

/** The error object supabase-js returns (PostgREST's JSON error body, or a fetch failure). */
export interface PostgrestErrorLike {
  code?: string | null;
  message?: string | null;
  details?: string | null;
  hint?: string | null;
}

/** PostgREST's own error codes (https://docs.postgrest.org/en/stable/references/errors.html). */
function classifyPostgrestCode(code: string): DatabaseErrorCode | undefined {
  if (/^PGRST00\d$/.test(code)) return 'unavailable'; // cannot reach or use the database
  if (/^PGRST10\d$/.test(code)) return 'validation'; // malformed request
  if (code === 'PGRST116') return 'not_found'; // one row expected, none (or several) found
  if (code === 'PGRST202' || code === 'PGRST205') return 'not_found'; // unknown function / table
  if (/^PGRST20\d$/.test(code)) return 'validation'; // unknown column, relationship
  if (code === 'PGRST300') return 'internal'; // server JWT configuration
  if (/^PGRST30\d$/.test(code)) return 'permission_denied'; // token missing, invalid or expired
  return undefined;
}

function classifyStatus(status: number): DatabaseErrorCode | undefined {
  if (status === 0 || status === 502 || status === 503 || status === 504 || status === 520) return 'unavailable';
  if (status === 401 || status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'validation';
  return undefined;
}

/** Classifies a supabase-js/PostgREST error (with the HTTP status when known) into a DatabaseError. */
export function fromPostgrestError(error: PostgrestErrorLike, status?: number): DatabaseError {
  const message = error.message || 'Database request failed';
  const code = error.code || undefined;
  const kind =
    classifySqlState(code) ??
    (code ? classifyPostgrestCode(code) : undefined) ??
    (looksLikeConnectionFailure(message) || looksLikeConnectionFailure(error.details ?? '')
      ? 'unavailable'
      : undefined) ??
    (status !== undefined ? classifyStatus(status) : undefined) ??
    'internal';
  const names = namesFromMessage(message);
  return new DatabaseError(
    kind,
    message,
    {
      ...(code !== undefined && { sqlState: code }),
      ...names,
      ...(error.details ? { detail: error.details } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
    },
    { cause: error },
  );
}
