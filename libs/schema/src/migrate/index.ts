/** @atoms/schema/migrate — the migration runner (Node only). Filled in by the schema issue. */
export {};
