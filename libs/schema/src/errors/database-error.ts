/** The kinds of failure the tools distinguish; everything else is `internal`. */
export type DatabaseErrorCode =
  | 'conflict'
  | 'validation'
  | 'permission_denied'
  | 'not_found'
  | 'unavailable'
  | 'internal';

export interface DatabaseErrorDetails {
  /** SQLSTATE (e.g. `23505`) or a PostgREST code (`PGRST116`) when the database gave one. */
  readonly sqlState?: string;
  readonly constraint?: string;
  readonly column?: string;
  readonly table?: string;
  /** Postgres' DETAIL (e.g. which key collided). */
  readonly detail?: string;
  readonly hint?: string;
  /** The workflow step that failed (SQL functions put `atoms_step:<step>` first in the HINT). */
  readonly step?: string;
  /** Field-level problems found before anything was sent to the database. */
  readonly issues?: readonly { path: string; message: string }[];
}

/**
 * A failure of a database operation, already classified. `message` is Postgres' (or our) message, never SQL text;
 * the original error is kept as `cause` for logs.
 */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  readonly code: DatabaseErrorCode;
  readonly sqlState: string | undefined;
  readonly constraint: string | undefined;
  readonly column: string | undefined;
  readonly table: string | undefined;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly step: string | undefined;
  readonly issues: readonly { path: string; message: string }[] | undefined;

  constructor(
    code: DatabaseErrorCode,
    message: string,
    details: DatabaseErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.sqlState = details.sqlState;
    this.constraint = details.constraint;
    this.column = details.column;
    this.table = details.table;
    this.detail = details.detail;
    this.hint = details.hint;
    this.step = details.step ?? stepFromHint(details.hint);
    this.issues = details.issues;
  }

  /** A plain object for structured logs and tool errors (no stack, no cause). */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message };
    for (const key of ['sqlState', 'constraint', 'column', 'table', 'detail', 'hint', 'step', 'issues'] as const) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    return out;
  }
}

// A step may carry an item index or an id after a colon (`create_requirement:2`, `create_test:<uuid>`); it ends at
// the first character outside the step alphabet (the SQL functions append `; <original hint>`).
function stepFromHint(hint: string | undefined): string | undefined {
  return hint ? /^atoms_step:([A-Za-z0-9_.:-]+)/.exec(hint)?.[1] : undefined;
}

export function isDatabaseError(error: unknown): error is DatabaseError {
  return error instanceof DatabaseError;
}
