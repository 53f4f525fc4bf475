import type { Session } from '@atoms/schema';
import type { EmbeddingsProvider } from '../core/embeddings-port.js';
import { ToolError } from '../core/tool-error.js';
import { QUERY_ENTITY_TABLES, type EmbeddedEntity } from './entity-types.js';

export interface SemanticHit {
  entity_type: EmbeddedEntity;
  id: string;
  name: string;
  similarity: number;
}

export function requireEmbeddings(provider: EmbeddingsProvider | undefined): EmbeddingsProvider {
  if (!provider) {
    throw new ToolError('unavailable', 'Semantic search needs an embeddings provider and none is configured.', {
      hint: 'Use rag_mode "keyword", or configure the local or Vertex AI embeddings provider on the server.',
    });
  }
  return provider;
}

/** Embeds one query text, mapping provider failures to tool errors. */
export async function embedQuery(provider: EmbeddingsProvider, text: string, signal: AbortSignal): Promise<number[]> {
  let vectors: number[][];
  try {
    vectors = await provider.embed([text], { signal, task: 'query' } as { signal: AbortSignal });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new ToolError(
      code === 'rate_limited' ? 'rate_limited' : 'unavailable',
      `The embeddings provider ${provider.name} failed: ${(error as Error).message}`,
      { hint: 'Retry shortly, or use rag_mode "keyword".' },
    );
  }
  const vector = vectors[0];
  if (!vector || vector.length !== 768) {
    throw new ToolError('internal', `The embeddings provider ${provider.name} returned no 768-dimension vector.`);
  }
  return vector;
}

/** Nearest rows of one table by cosine similarity (`semantic_search`, RLS applied as the caller). */
export async function semanticSearch(
  session: Session,
  entity: EmbeddedEntity,
  embedding: readonly number[],
  options: { limit: number; minSimilarity: number; projectId?: string },
): Promise<SemanticHit[]> {
  const rows = await session.rpc<{ id: string; name: string; similarity: number }[]>('semantic_search', {
    p_table: QUERY_ENTITY_TABLES[entity],
    p_embedding: embedding,
    p_limit: options.limit,
    p_min_similarity: options.minSimilarity,
    p_project_id: options.projectId ?? null,
  });
  return rows.map((r) => ({ entity_type: entity, id: r.id, name: r.name, similarity: Number(r.similarity) }));
}

/** Visible, live rows of a table that have no embedding yet (semantic search cannot find them). */
export async function countUnembedded(session: Session, entity: EmbeddedEntity): Promise<number> {
  const { count } = await session.select(QUERY_ENTITY_TABLES[entity], {
    columns: ['id'],
    filters: [
      { column: 'embedding', op: 'is_null', value: true },
      { column: 'is_deleted', op: 'neq', value: true },
    ],
    limit: 1,
    count: 'exact',
  });
  return count ?? 0;
}
