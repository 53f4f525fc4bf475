import type { Database, UserContext } from '@atoms/schema';
import { embeddingText, type EmbeddedTable } from './embedding-text.js';
import type { EmbeddingProvider } from './provider.js';

export interface BackfillOptions {
  db: Database;
  /** Only rows this user can see are embedded (selected as the user, RLS applies). */
  user: UserContext;
  provider: EmbeddingProvider;
  tables: readonly EmbeddedTable[];
  /** Rows embedded at most, over all tables (default 200): the rest is reported as `remaining`. */
  limit?: number;
  /** Texts per provider call (default 50). */
  chunkSize?: number;
  onProgress?: (progress: { done: number; total: number; table: EmbeddedTable }) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface BackfillResult {
  embedded: number;
  /** Visible rows still without an embedding after this call. */
  remaining: number;
  by_table: Partial<Record<EmbeddedTable, { embedded: number; remaining: number }>>;
}

/**
 * Embeds the caller's visible rows that have no embedding yet ("progressive embedding" before a semantic
 * search). Rows are read as the user; the vectors are written as the service role, because embeddings are derived
 * data that a read-only member must still be able to search, and only the `embedding` column is touched.
 */
export async function backfillEmbeddings(options: BackfillOptions): Promise<BackfillResult> {
  const { db, user, provider } = options;
  const limit = options.limit ?? 200;
  const chunkSize = options.chunkSize ?? 50;
  const missing = await db.asUser(user, async (s) => {
    const out: {
      table: EmbeddedTable;
      rows: { id: string; name: string; description: string | null }[];
      count: number;
    }[] = [];
    let budget = limit;
    for (const table of options.tables) {
      const { rows, count } = await s.select(table, {
        columns: ['id', 'name', 'description'],
        filters: [
          { column: 'embedding', op: 'is_null', value: true },
          { column: 'is_deleted', op: 'neq', value: true },
        ],
        order: [{ column: 'updated_at', ascending: false }],
        limit: Math.max(budget, 1),
        count: 'exact',
      });
      const taken = budget > 0 ? rows : [];
      budget -= taken.length;
      out.push({ table, rows: taken as never, count: count ?? rows.length });
    }
    return out;
  });
  const total = missing.reduce((n, m) => n + m.rows.length, 0);
  const result: BackfillResult = { embedded: 0, remaining: 0, by_table: {} };
  let done = 0;
  for (const { table, rows, count } of missing) {
    let embedded = 0;
    for (let i = 0; i < rows.length; i += chunkSize) {
      options.signal?.throwIfAborted();
      const chunk = rows.slice(i, i + chunkSize);
      const vectors = await provider.embed(chunk.map(embeddingText), { task: 'document', signal: options.signal });
      await db.asService(async (s) => {
        for (const [j, row] of chunk.entries()) {
          await s.update(
            table,
            { embedding: vectors[j] as number[] },
            {
              filters: [{ column: 'id', op: 'eq', value: row.id }],
              returning: ['id'],
            },
          );
        }
      });
      embedded += chunk.length;
      done += chunk.length;
      await options.onProgress?.({ done, total, table });
    }
    result.embedded += embedded;
    result.remaining += count - embedded;
    result.by_table[table] = { embedded, remaining: count - embedded };
  }
  return result;
}
