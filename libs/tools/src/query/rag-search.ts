import { z } from 'zod';
import { backfillEmbeddings } from '../embeddings/backfill.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import { defineOperation } from '../core/tool-definition.js';
import { permissionDenied } from '../core/tool-error.js';
import { embeddedEntitiesParam, QUERY_ENTITY_TABLES, type EmbeddedEntity } from './entity-types.js';
import { entityRefOrAuto, resolveReferences } from './references.js';
import { keywordSearch } from './search.js';
import { countUnembedded, embedQuery, requireEmbeddings, semanticSearch } from './semantic.js';

/** Weights of hybrid scoring, as the reference: 0.7 semantic + 0.3 keyword. */
export const HYBRID_SEMANTIC_WEIGHT = 0.7;
export const HYBRID_KEYWORD_WEIGHT = 0.3;

export type RagMode = 'keyword' | 'semantic' | 'hybrid';

/**
 * auto: semantic for queries of three words or more, keyword otherwise (the reference's rule); keyword when no
 * embeddings provider is configured. Returns the mode and why it was chosen.
 */
export function resolveRagMode(
  requested: RagMode | 'auto',
  query: string,
  hasEmbeddings = true,
): { mode: RagMode; reason: string } {
  if (requested !== 'auto') return { mode: requested, reason: 'requested' };
  const words = query.trim().split(/\s+/).filter(Boolean).length;
  if (words < 3) return { mode: 'keyword', reason: 'auto: fewer than 3 words' };
  if (!hasEmbeddings) return { mode: 'keyword', reason: 'auto: no embeddings provider configured' };
  return { mode: 'semantic', reason: 'auto: 3 or more words' };
}

const result = z.object({
  entity_type: z.string(),
  id: z.string(),
  name: z.string(),
  score: z.number(),
  similarity: z.number().optional(),
  keyword_rank: z.number().optional(),
  matched_by: z.array(z.enum(['semantic', 'keyword'])),
});
type Result = z.infer<typeof result>;

export const ragSearchOperation = defineOperation({
  name: 'rag_search',
  description:
    'Retrieval for RAG: keyword (full-text rank), semantic (cosine similarity of embeddings), hybrid (0.7 × similarity + 0.3 × normalised keyword rank) or auto (semantic for queries of 3+ words, else keyword). The result reports the mode that actually ran. backfill: true embeds visible rows that have no embedding yet first (with progress).',
  mutating: false,
  input: z.object({
    entities: embeddedEntitiesParam,
    search_term: z.string().trim().min(1).max(2000),
    rag_mode: z.enum(['auto', 'semantic', 'keyword', 'hybrid']).default('auto'),
    limit: z.number().int().min(1).max(100).default(10),
    similarity_threshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe('Minimum cosine similarity for semantic matches (default 0.3).'),
    project_id: entityRefOrAuto.optional(),
    backfill: z.boolean().default(false).describe('Embed visible rows without an embedding before searching.'),
    backfill_limit: z.number().int().min(1).max(1000).default(200),
  }),
  output: z.object({
    query_type: z.literal('rag_search'),
    search_term: z.string(),
    mode_requested: z.enum(['auto', 'semantic', 'keyword', 'hybrid']),
    mode: z.enum(['semantic', 'keyword', 'hybrid']),
    mode_reason: z.string(),
    entities_searched: z.array(z.string()),
    total_results: z.number().int(),
    results: z.array(result),
    similarity_threshold: z.number(),
    embedding_model: z.string().optional(),
    not_embedded: z.record(z.string(), z.number().int()).optional(),
    backfill: z.object({ embedded: z.number().int(), remaining: z.number().int() }).optional(),
    search_time_ms: z.number(),
  }),
  async handler(input, ctx) {
    const started = Date.now();
    const args = input.project_id
      ? await ctx.asUser((s) =>
          resolveReferences(s, { userId: ctx.user.claims.sub, sessionId: ctx.sessionId }, input, {
            project_id: 'projects',
          }),
        )
      : input;
    const { mode, reason } = resolveRagMode(args.rag_mode, args.search_term, ctx.embeddings !== undefined);
    const provider = mode === 'keyword' ? undefined : requireEmbeddings(ctx.embeddings);
    let backfill: { embedded: number; remaining: number } | undefined;
    if (args.backfill && ctx.readOnly) {
      throw permissionDenied('backfill writes embeddings and this server is read-only.', { read_only: true });
    }
    if (args.backfill && provider) {
      const done = await backfillEmbeddings({
        db: ctx.db,
        user: ctx.user,
        provider: provider as unknown as EmbeddingProvider,
        tables: args.entities.map((e) => QUERY_ENTITY_TABLES[e]),
        limit: args.backfill_limit,
        signal: ctx.signal,
        onProgress: ({ done: n, total, table }) => ctx.progress.report(n, total, `embedded ${n}/${total} (${table})`),
      });
      backfill = { embedded: done.embedded, remaining: done.remaining };
    }
    const embedding = provider ? await embedQuery(provider, args.search_term, ctx.signal) : undefined;
    const projectOpt = args.project_id ? { projectId: args.project_id } : {};
    const entities = args.entities.filter((e) => !(args.project_id && e === 'organization'));

    const { merged, notEmbedded } = await ctx.asUser(async (s) => {
      const byKey = new Map<string, Result>();
      const notEmbedded: Record<string, number> = {};
      let maxRank = 0;
      const keywordHits: { entity_type: EmbeddedEntity; id: string; name: string; rank: number }[] = [];
      if (mode !== 'semantic') {
        for (const entity of entities) {
          const { hits } = await keywordSearch(s, entity, args.search_term, { limit: args.limit, ...projectOpt });
          keywordHits.push(...(hits as typeof keywordHits));
        }
        maxRank = Math.max(0, ...keywordHits.map((h) => h.rank));
      }
      if (embedding) {
        for (const entity of entities) {
          for (const h of await semanticSearch(s, entity, embedding, {
            limit: args.limit,
            minSimilarity: args.similarity_threshold,
            ...projectOpt,
          })) {
            byKey.set(`${h.entity_type}:${h.id}`, {
              entity_type: h.entity_type,
              id: h.id,
              name: h.name,
              similarity: h.similarity,
              score: mode === 'hybrid' ? HYBRID_SEMANTIC_WEIGHT * h.similarity : h.similarity,
              matched_by: ['semantic'],
            });
          }
          notEmbedded[entity] = await countUnembedded(s, entity);
        }
      }
      for (const h of keywordHits) {
        const normalised = maxRank > 0 ? h.rank / maxRank : 0;
        const key = `${h.entity_type}:${h.id}`;
        const existing = byKey.get(key);
        if (existing) {
          existing.keyword_rank = h.rank;
          existing.score += HYBRID_KEYWORD_WEIGHT * normalised;
          existing.matched_by.push('keyword');
        } else {
          byKey.set(key, {
            entity_type: h.entity_type,
            id: h.id,
            name: h.name,
            keyword_rank: h.rank,
            score: mode === 'hybrid' ? HYBRID_KEYWORD_WEIGHT * normalised : h.rank,
            matched_by: ['keyword'],
          });
        }
      }
      const merged = [...byKey.values()].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
      return { merged, notEmbedded };
    });
    const results = merged.slice(0, args.limit);
    return {
      query_type: 'rag_search' as const,
      search_term: args.search_term,
      mode_requested: args.rag_mode,
      mode,
      mode_reason: reason,
      entities_searched: entities,
      total_results: results.length,
      results,
      similarity_threshold: args.similarity_threshold,
      ...(provider ? { embedding_model: provider.name, not_embedded: notEmbedded } : {}),
      ...(backfill ? { backfill } : {}),
      search_time_ms: Date.now() - started,
    };
  },
});
