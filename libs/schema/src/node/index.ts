/** @atoms/schema/node — Node-only database adapters (PGlite, pg). Filled in by the schema issue. */
export {};
