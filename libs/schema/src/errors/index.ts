export { DatabaseError, isDatabaseError, type DatabaseErrorCode, type DatabaseErrorDetails } from './database-error.js';
export { classifySqlState } from './classify.js';
export { fromPostgresError } from './from-postgres.js';
export { fromPostgrestError, type PostgrestErrorLike } from './from-postgrest.js';
