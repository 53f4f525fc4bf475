/** Why a migration run stopped. `code` is stable and machine-readable; `message` names the file. */
export type MigrationErrorCode =
  | 'migrations_dir_unreadable'
  | 'bad_file_name'
  | 'duplicate_version'
  | 'unparsable_sql'
  | 'drift'
  | 'missing_file'
  | 'out_of_order'
  | 'statement_failed'
  | 'connection_failed';

export interface MigrationErrorDetails {
  readonly code: MigrationErrorCode;
  /** The migration file concerned, e.g. `20251122000003_tables.sql`. */
  readonly file?: string;
  /** One-based index of the failing statement within the file. */
  readonly statement?: number;
  /** One-based line and column in the file where Postgres located the error (or where the statement starts). */
  readonly line?: number;
  readonly column?: number;
  /** The Postgres SQLSTATE, message, detail and hint, unchanged. */
  readonly sqlState?: string;
  readonly postgresMessage?: string;
  readonly detail?: string;
  readonly hint?: string;
  /** For drift: the checksum recorded when the file was applied and the checksum of the file now. */
  readonly appliedChecksum?: string;
  readonly currentChecksum?: string;
}

export class MigrationError extends Error {
  readonly details: MigrationErrorDetails;

  constructor(message: string, details: MigrationErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
    this.details = details;
  }

  get code(): MigrationErrorCode {
    return this.details.code;
  }
}

/** The fields `pg` and PGlite both put on a server error. */
export interface PostgresErrorFields {
  code?: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
  internalPosition?: string;
  internalQuery?: string;
  where?: string;
}

export function isPostgresError(error: unknown): error is PostgresErrorFields {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}
