/**
 * Test support for @atoms/schema (and anyone testing against the Atoms database).
 *
 * - `openTestDatabase(backend)`: an isolated, fully migrated database per test file, in about a second.
 *   PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres): a clone
 *   (`CREATE DATABASE atoms_schema_t_… TEMPLATE atoms_schema_template_<checksum>`) of a template migrated once
 *   per migration checksum, dropped by `close()`. PGlite: an in-memory instance loaded from a snapshot
 *   (`dumpDataDir`) migrated once per checksum and cached in the OS temp directory.
 *   Use `describe.each(BACKENDS)` so every suite runs on both; PostgreSQL missing = the suite fails.
 * - `asUser(db, claims | profileId, fn, { rollback })`: run as `authenticated` with `request.jwt.claims`
 *   in one transaction (RLS applies); `asService`, `asAnon` likewise. `pgError(tx, fn)` captures a refusal
 *   inside such a transaction (savepoint) and returns `{ code, message }` plus `constraint`, `column`, `detail`,
 *   `hint` where Postgres set them.
 * - `createProfile(db, …)`: provisions a profile (and, through the triggers, its personal organization) as the
 *   migration owner, like the server's just-in-time provisioning.
 *
 * The template/snapshot builders themselves are exported by `@atoms/schema/migrate`
 * (`cloneMigratedDatabase`, `openMigratedPglite`) for other libraries' tests.
 */
export {
  BACKENDS,
  databaseUrl,
  openTestDatabase,
  type Backend,
  type Queryable,
  type TestDatabase,
} from './database.js';
export { createProfile, type TestProfile } from './fixtures.js';
export { asAnon, asService, asUser, pgError, type Claims, type PgErrorFields, type RunOptions } from './roles.js';
