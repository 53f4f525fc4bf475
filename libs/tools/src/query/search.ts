import type { Session } from '@atoms/schema';
import { z } from 'zod';
import { defineOperation } from '../core/tool-definition.js';
import { entitiesParam, QUERY_ENTITY_TABLES, type QueryEntity } from './entity-types.js';
import { entityRefOrAuto, resolveReferences } from './references.js';

export interface KeywordHit {
  entity_type: QueryEntity;
  id: string;
  name: string;
  rank: number;
}

/** Full-text search of one table through the schema's `search_entities` (ranked, RLS applied as the caller). */
export async function keywordSearch(
  session: Session,
  entity: QueryEntity,
  term: string,
  options: { limit: number; offset?: number; projectId?: string; includeDeleted?: boolean },
): Promise<{ hits: KeywordHit[]; total: number }> {
  const rows = await session.rpc<{ id: string; name: string; rank: number; total: number | string }[]>(
    'search_entities',
    {
      p_table: QUERY_ENTITY_TABLES[entity],
      p_query: term,
      p_limit: options.limit,
      p_offset: options.offset ?? 0,
      p_project_id: options.projectId ?? null,
      p_include_deleted: options.includeDeleted ?? false,
    },
  );
  return {
    hits: rows.map((r) => ({ entity_type: entity, id: r.id, name: r.name, rank: Number(r.rank) })),
    total: rows.length > 0 ? Number(rows[0]?.total) : 0,
  };
}

const hit = z.object({ entity_type: z.string(), id: z.string(), name: z.string(), rank: z.number() });

export const searchOperation = defineOperation({
  name: 'search',
  description:
    'Full-text search (weighted: name A, description B; English stemming; web-search syntax such as "quoted phrase", OR, -exclude) over each entity type, ranked, row-level security applied.',
  mutating: false,
  input: z.object({
    entities: entitiesParam,
    search_term: z.string().trim().min(1).max(500).describe('The text to search for.'),
    limit: z.number().int().min(1).max(100).default(10).describe('Results per entity type (default 10, max 100).'),
    offset: z.number().int().min(0).default(0).describe('Skip this many results per entity type.'),
    project_id: entityRefOrAuto.optional().describe('Only rows of this project (not for organizations).'),
    include_deleted: z.boolean().default(false),
  }),
  output: z.object({
    query_type: z.literal('search'),
    mode: z.literal('full_text'),
    search_term: z.string(),
    entities_searched: z.array(z.string()),
    total_results: z.number().int(),
    results: z.array(hit),
    results_by_entity: z.record(
      z.string(),
      z.object({ total: z.number().int(), count: z.number().int(), has_more: z.boolean(), results: z.array(hit) }),
    ),
  }),
  async handler(input, ctx) {
    const byEntity = await ctx.asUser(async (s) => {
      const args = await resolveReferences(s, { userId: ctx.user.claims.sub, sessionId: ctx.sessionId }, input, {
        project_id: 'projects',
      });
      const out: Record<string, { total: number; count: number; has_more: boolean; results: KeywordHit[] }> = {};
      for (const entity of args.entities) {
        if (args.project_id && entity === 'organization') {
          out[entity] = { total: 0, count: 0, has_more: false, results: [] };
          continue;
        }
        const { hits, total } = await keywordSearch(s, entity, args.search_term, {
          limit: args.limit,
          offset: args.offset,
          ...(args.project_id ? { projectId: args.project_id } : {}),
          includeDeleted: args.include_deleted,
        });
        out[entity] = { total, count: hits.length, has_more: args.offset + hits.length < total, results: hits };
      }
      return out;
    });
    const args = input;
    const results = Object.values(byEntity)
      .flatMap((e) => e.results)
      .sort((a, b) => b.rank - a.rank);
    return {
      query_type: 'search' as const,
      mode: 'full_text' as const,
      search_term: args.search_term,
      entities_searched: args.entities,
      total_results: Object.values(byEntity).reduce((n, e) => n + e.total, 0),
      results,
      results_by_entity: byEntity,
    };
  },
});
