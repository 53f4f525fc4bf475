import { z } from 'zod';
import { defineOperation } from '../core/tool-definition.js';
import { notFound, validationError } from '../core/tool-error.js';
import { embeddingText } from '../embeddings/embedding-text.js';
import { embeddedEntitiesParam, embeddedEntityName, QUERY_ENTITY_TABLES, uuid } from './entity-types.js';
import { entityRef, entityRefOrAuto, resolveReferences } from './references.js';
import { embedQuery, requireEmbeddings, semanticSearch } from './semantic.js';

export const similarityOperation = defineOperation({
  name: 'similarity',
  description:
    'Nearest neighbours by embedding cosine similarity: of a text (`content`) or of an existing entity (`entity_id` with `entity_type`), within the given entity types; the source entity and `exclude_id` are left out.',
  mutating: false,
  input: z.object({
    entities: embeddedEntitiesParam.optional(),
    entity_type: embeddedEntityName
      .optional()
      .describe('Type of entity_id; also the searched type if entities is omitted.'),
    content: z.string().trim().min(1).max(8000).optional(),
    entity_id: entityRef.optional(),
    exclude_id: uuid.optional(),
    limit: z.number().int().min(1).max(100).default(10),
    similarity_threshold: z.number().min(0).max(1).default(0.3),
    project_id: entityRefOrAuto.optional(),
  }),
  output: z.object({
    query_type: z.literal('similarity'),
    mode: z.literal('semantic'),
    source: z.object({
      kind: z.enum(['content', 'entity']),
      entity_type: z.string().optional(),
      id: z.string().optional(),
    }),
    entities_searched: z.array(z.string()),
    total_results: z.number().int(),
    results: z.array(z.object({ entity_type: z.string(), id: z.string(), name: z.string(), similarity: z.number() })),
    similarity_threshold: z.number(),
    embedding_model: z.string(),
  }),
  async handler(input, ctx) {
    const args = input;
    if ((args.content === undefined) === (args.entity_id === undefined)) {
      throw validationError('Give exactly one of content or entity_id.', { fields: ['content', 'entity_id'] });
    }
    if (args.entity_id && !args.entity_type) {
      throw validationError('entity_type is required with entity_id.', { field: 'entity_type' });
    }
    const entities = args.entities ?? (args.entity_type ? [args.entity_type] : undefined);
    if (!entities) throw validationError('Give entities (or entity_type).', { field: 'entities' });
    const provider = requireEmbeddings(ctx.embeddings);

    const refs = await ctx.asUser((s) =>
      resolveReferences(s, { userId: ctx.user.claims.sub, sessionId: ctx.sessionId }, input, {
        project_id: 'projects',
        ...(input.entity_type ? { entity_id: QUERY_ENTITY_TABLES[input.entity_type] } : {}),
      }),
    );
    let vector: number[] | undefined;
    if (refs.entity_id && args.entity_type) {
      const table = QUERY_ENTITY_TABLES[args.entity_type];
      const { rows } = await ctx.asUser((s) =>
        s.select(table, {
          columns: ['id', 'name', 'description', 'embedding'],
          filters: [
            { column: 'id', op: 'eq', value: refs.entity_id },
            { column: 'is_deleted', op: 'neq', value: true },
          ],
        }),
      );
      const row = rows[0] as { name: string; description: string | null; embedding: number[] | null } | undefined;
      if (!row) throw notFound(`${args.entity_type} ${refs.entity_id} not found.`, { id: refs.entity_id });
      vector = row.embedding ?? (await embedQuery(provider, embeddingText(row), ctx.signal));
    } else {
      vector = await embedQuery(provider, args.content as string, ctx.signal);
    }
    const excluded = new Set([refs.entity_id, args.exclude_id].filter(Boolean));
    const hits = await ctx.asUser(async (s) => {
      const out = [];
      for (const entity of entities) {
        if (refs.project_id && entity === 'organization') continue;
        // One extra per excluded id, so excluding never shortens the page.
        out.push(
          ...(await semanticSearch(s, entity, vector, {
            limit: Math.min(args.limit + excluded.size, 100),
            minSimilarity: args.similarity_threshold,
            ...(refs.project_id ? { projectId: refs.project_id } : {}),
          })),
        );
      }
      return out;
    });
    const results = hits
      .filter((h) => !excluded.has(h.id))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, args.limit);
    return {
      query_type: 'similarity' as const,
      mode: 'semantic' as const,
      source: refs.entity_id
        ? { kind: 'entity' as const, entity_type: args.entity_type, id: refs.entity_id }
        : { kind: 'content' as const },
      entities_searched: entities,
      total_results: results.length,
      results,
      similarity_threshold: args.similarity_threshold,
      embedding_model: provider.name,
    };
  },
});
