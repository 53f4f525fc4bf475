import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';

/**
 * The extensions every Atoms PGlite database loads: pgvector (embeddings, HNSW) and pg_trgm (fuzzy names).
 * The migrations create an extension only where it is available, so a database must always be opened with the
 * same set it was migrated with.
 */
export const pgliteExtensions = { vector, pg_trgm } as const;

/** Opens (creating if needed) a PGlite database with the Atoms extensions. `dataDir` undefined = in memory. */
export async function openPglite(dataDir?: string, options: Omit<PGliteOptions, 'extensions'> = {}): Promise<PGlite> {
  return PGlite.create({ ...options, ...(dataDir ? { dataDir } : {}), extensions: pgliteExtensions });
}
