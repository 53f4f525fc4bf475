import type { DatabaseErrorCode } from './database-error.js';

/**
 * SQLSTATE -> error kind. Exact codes first, then two-character classes. Functions and triggers of the schema raise
 * these codes on purpose (e.g. `P0002` for "no such entity", `23514` for a broken business rule).
 */
const exact: Record<string, DatabaseErrorCode> = {
  '23505': 'conflict', // unique_violation
  '23P01': 'conflict', // exclusion_violation
  '40001': 'conflict', // serialization_failure: a concurrent change won
  '40P01': 'conflict', // deadlock_detected
  '23503': 'validation', // foreign_key_violation
  '23502': 'validation', // not_null_violation
  '23514': 'validation', // check_violation
  '23000': 'validation', // integrity_constraint_violation
  '22P02': 'validation', // invalid_text_representation
  P0001: 'validation', // raise_exception: a trigger/function refusing the change, with its own message
  '42703': 'validation', // undefined_column
  '42804': 'validation', // datatype_mismatch
  '42P18': 'validation', // indeterminate_datatype
  '42725': 'validation', // ambiguous_function
  '42501': 'permission_denied', // insufficient_privilege, including row-level security refusals
  '28000': 'permission_denied', // invalid_authorization_specification
  '28P01': 'permission_denied', // invalid_password
  '54000': 'validation', // program_limit_exceeded: a batch or bulk request over the functions' limits
  '42P01': 'validation', // undefined_table: a table name passed to a generic function (the port checks its own)
  P0002: 'not_found', // no_data_found: ids missing or invisible to the caller (DETAIL lists them)
  '42883': 'not_found', // undefined_function
  '57014': 'unavailable', // query_canceled (statement timeout)
  '57P01': 'unavailable', // admin_shutdown
  '57P02': 'unavailable', // crash_shutdown
  '57P03': 'unavailable', // cannot_connect_now
  '55P03': 'unavailable', // lock_not_available
  '3D000': 'unavailable', // invalid_catalog_name: the configured database does not exist
};

const classes: Record<string, DatabaseErrorCode> = {
  '08': 'unavailable', // connection exception
  '53': 'unavailable', // insufficient resources (too many connections, out of memory)
  '22': 'validation', // data exception (bad value, out of range, too long)
  '23': 'validation', // integrity constraint
};

export function classifySqlState(sqlState: string | undefined): DatabaseErrorCode | undefined {
  if (!sqlState || !/^[0-9A-Z]{5}$/.test(sqlState)) return undefined;
  return exact[sqlState] ?? classes[sqlState.slice(0, 2)];
}

/** Node socket errors and client-side connection failures. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function isNetworkErrorCode(code: unknown): boolean {
  return typeof code === 'string' && networkCodes.has(code);
}

const connectionMessages = [
  /connection terminated/i,
  /connection (?:refused|reset)/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /fetch failed/i,
  /network ?error/i,
  /pglite is closed/i,
];

export function looksLikeConnectionFailure(message: string): boolean {
  return connectionMessages.some((re) => re.test(message));
}

/** What Postgres puts in its messages, for clients (PostgREST) that pass only the message on. */
export function namesFromMessage(message: string): { constraint?: string; column?: string; table?: string } {
  const constraint = /constraint "([^"]+)"/.exec(message)?.[1];
  const column = /column "([^"]+)"/.exec(message)?.[1];
  const table = /(?:relation|table) "([^"]+)"/.exec(message)?.[1];
  return {
    ...(constraint !== undefined && { constraint }),
    ...(column !== undefined && { column }),
    ...(table !== undefined && { table }),
  };
}
