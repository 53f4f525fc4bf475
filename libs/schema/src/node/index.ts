/** @atoms/schema/node — Node-only database adapters: PGlite (embedded) and `pg` (PostgreSQL/Supabase, pooled). */
export { pgliteDatabase, openPglite, type PgliteDatabaseOptions, type OpenPgliteOptions } from './pglite.js';
export { pgDatabase, type PgDatabaseOptions } from './pg.js';
