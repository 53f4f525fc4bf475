/**
 * @atoms/test-framework/database — migrated Atoms test databases (PGlite snapshot or PostgreSQL template clone)
 * with a rollback scope, the COLD-mode provider, and fixtures built through the schema's database port.
 */
export {
  atomsDatabaseProvider,
  openAtomsTestDatabase,
  testDatabaseBackend,
  type AtomsTestDatabase,
  type DatabaseBackend,
  type OpenTestDatabaseOptions,
  type OwnerSql,
} from './test-database.js';
export { rollbackablePglite } from './rollbackable-pglite.js';
export { savepointPool } from './savepoint-pool.js';
export {
  AtomsFixtures,
  type AtomsFixturesOptions,
  type FixtureUser,
  type FixtureWorkspace,
  type OrganizationRole,
  type ProjectRole,
  type TraceLinkType,
  type UserFields,
} from '../fixtures/atoms-fixtures.js';
