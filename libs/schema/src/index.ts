/**
 * @atoms/schema — the Atoms database: migrations, row-level security, zod models and the database port.
 * Isomorphic entry (zod models, the port, the supabase-js adapter). Its public API is filled in by the schema
 * issue; until then it exports nothing.
 */
export {};
