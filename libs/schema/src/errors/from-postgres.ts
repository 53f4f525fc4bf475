import { classifySqlState, isNetworkErrorCode, looksLikeConnectionFailure, namesFromMessage } from './classify.js';
import { DatabaseError, type DatabaseErrorCode } from './database-error.js';

/** The fields `pg`, PGlite (both use pg-protocol's DatabaseError) and Node socket errors carry. */
interface PostgresLikeError {
  message?: unknown;
  code?: unknown;
  constraint?: unknown;
  column?: unknown;
  table?: unknown;
  detail?: unknown;
  hint?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Classifies an error thrown by a SQL client (pg, PGlite) into a DatabaseError. DatabaseErrors pass through
 * unchanged; anything unrecognised becomes `internal` (with the original as `cause`).
 */
export function fromPostgresError(error: unknown): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as PostgresLikeError;
  const message = str(e.message) ?? 'Database error';
  const sqlState = str(e.code);
  let code: DatabaseErrorCode | undefined = classifySqlState(sqlState);
  if (!code && (isNetworkErrorCode(sqlState) || looksLikeConnectionFailure(message))) code = 'unavailable';
  const fromMessage = namesFromMessage(message);
  return new DatabaseError(
    code ?? 'internal',
    message,
    {
      ...(sqlState !== undefined && { sqlState }),
      constraint: str(e.constraint) ?? fromMessage.constraint,
      column: str(e.column) ?? fromMessage.column,
      table: str(e.table) ?? fromMessage.table,
      ...(str(e.detail) !== undefined && { detail: str(e.detail) }),
      ...(str(e.hint) !== undefined && { hint: str(e.hint) }),
    },
    { cause: error },
  );
}
