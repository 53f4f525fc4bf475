/**
 * @atoms/schema — the Atoms database: zod models of every table and enum, column metadata, the database port
 * and its supabase-js adapter. Isomorphic: no Node built-ins; the PGlite and `pg` adapters live in
 * `@atoms/schema/node`, the migration runner in `@atoms/schema/migrate`.
 */
export * from './models/index.js';
export * from './errors/index.js';
export * from './port/index.js';
export * from './supabase/index.js';
