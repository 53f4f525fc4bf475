/**
 * @atoms/schema/migrate — the migration runner (Node only): applies `migrations/*.sql` in order, one transaction
 * each, recorded in `schema_migrations` with checksums; refuses drift; serialises concurrent runners with an
 * advisory lock. Works on PostgreSQL/Supabase (`pg`) and PGlite. Also: migrated template databases and PGlite
 * snapshots for fast, isolated test databases.
 */
export {
  isPostgresUrl,
  openMigrationTarget,
  pgConnection,
  pgliteConnection,
  type MigrationConnection,
} from './connection.js';
export { MigrationError, type MigrationErrorCode, type MigrationErrorDetails } from './errors.js';
export {
  checksumOf,
  combinedChecksum,
  compareVersions,
  defaultMigrationsDir,
  readMigrationFiles,
  type MigrationFile,
} from './migration-files.js';
export { openPglite, pgliteExtensions } from './pglite.js';
export { migratedPgliteSnapshot, openMigratedPglite, type PgliteSnapshotOptions } from './pglite-snapshot.js';
export {
  MIGRATION_LOCK_KEY,
  migrate,
  migrationStatus,
  type AppliedMigration,
  type MigrateOptions,
  type MigrateResult,
  type MigrationStatusEntry,
} from './runner.js';
export { splitStatements, type SqlStatement } from './split-statements.js';
export {
  cloneMigratedDatabase,
  createEmptyDatabase,
  ensureMigratedTemplate,
  withDatabase,
  type ClonedDatabase,
  type TemplateDatabaseOptions,
} from './template-database.js';
