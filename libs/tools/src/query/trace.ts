import type { Session } from '@atoms/schema';
import { z } from 'zod';
import { defineOperation } from '../core/tool-definition.js';
import { notFound } from '../core/tool-error.js';
import { entityRef, resolveReferences } from './references.js';

const LINK_TYPES = [
  'derives_from',
  'implements',
  'relates_to',
  'conflicts_with',
  'is_related_to',
  'parent_of',
  'child_of',
] as const;

interface Edge {
  id: string;
  source_id: string;
  source_type: string;
  target_id: string;
  target_type: string;
  link_type: string;
}
interface Node {
  id: string;
  entity_type: string;
  name: string | null;
  depth: number;
  direction: 'root' | 'upstream' | 'downstream';
}

const TRACE_TABLES = { requirement: 'requirements', document: 'documents' } as const;
type TraceEntity = keyof typeof TRACE_TABLES;

async function names(session: Session, type: TraceEntity, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await session.select(TRACE_TABLES[type], {
    columns: ['id', 'name'],
    filters: [{ column: 'id', op: 'in', value: ids }],
  });
  return new Map(rows.map((r) => [r.id, r.name]));
}

export const traceOperation = defineOperation({
  name: 'trace',
  description:
    'Walks trace_links from an entity to a depth. A link "source → target" (e.g. source derives_from / implements target) makes the target upstream of the source: upstream follows links out of an entity, downstream follows links into it. Cycles are reported, never followed twice.',
  mutating: false,
  input: z.object({
    entities: z
      .array(z.enum(['requirement', 'document']))
      .min(1)
      .max(2)
      .optional(),
    entity_type: z.enum(['requirement', 'document']).optional(),
    entity_id: entityRef.describe('The entity to trace from (UUID or name).'),
    direction: z.enum(['upstream', 'downstream', 'both']).default('both'),
    depth: z.number().int().min(1).max(10).default(3),
    link_types: z.array(z.enum(LINK_TYPES)).min(1).optional(),
  }),
  output: z.object({
    query_type: z.literal('trace'),
    root: z.object({ id: z.string(), entity_type: z.string(), name: z.string() }),
    direction: z.enum(['upstream', 'downstream', 'both']),
    depth: z.number().int(),
    nodes: z.array(
      z.object({
        id: z.string(),
        entity_type: z.string(),
        name: z.string().nullable(),
        depth: z.number().int(),
        direction: z.enum(['root', 'upstream', 'downstream']),
      }),
    ),
    edges: z.array(
      z.object({
        id: z.string(),
        source_id: z.string(),
        source_type: z.string(),
        target_id: z.string(),
        target_type: z.string(),
        link_type: z.string(),
      }),
    ),
    cycles: z.array(z.object({ link_id: z.string(), from: z.string(), to: z.string() })),
    more_beyond_depth: z.boolean(),
  }),
  async handler(input, ctx) {
    const rootType: TraceEntity = input.entity_type ?? input.entities?.[0] ?? 'requirement';
    return ctx.asUser(async (s) => {
      const args = await resolveReferences(s, { userId: ctx.user.claims.sub, sessionId: ctx.sessionId }, input, {
        entity_id: TRACE_TABLES[rootType],
      });
      const rootName = (await names(s, rootType, [args.entity_id])).get(args.entity_id);
      if (rootName === undefined) {
        throw notFound(`${rootType} ${args.entity_id} not found.`, { id: args.entity_id, entity_type: rootType });
      }
      const nodes = new Map<string, Node>([
        [args.entity_id, { id: args.entity_id, entity_type: rootType, name: rootName, depth: 0, direction: 'root' }],
      ]);
      const edges = new Map<string, Edge>();
      const cycles: { link_id: string; from: string; to: string }[] = [];
      let moreBeyondDepth = false;
      const walks: ('upstream' | 'downstream')[] =
        args.direction === 'both' ? ['upstream', 'downstream'] : [args.direction];
      for (const walk of walks) {
        // upstream: links whose source is the frontier, next = target; downstream the reverse.
        const [from, to] = walk === 'upstream' ? (['source', 'target'] as const) : (['target', 'source'] as const);
        let frontier = [args.entity_id];
        const seen = new Set([args.entity_id]);
        for (let level = 1; frontier.length > 0 && level <= args.depth + 1; level++) {
          const { rows } = await s.select('trace_links', {
            columns: ['id', 'source_id', 'source_type', 'target_id', 'target_type', 'link_type'],
            filters: [
              { column: `${from}_id`, op: 'in', value: frontier },
              { column: 'is_deleted', op: 'neq', value: true },
              ...(args.link_types ? [{ column: 'link_type' as const, op: 'in' as const, value: args.link_types }] : []),
            ],
            order: [{ column: 'created_at' }],
          });
          if (level > args.depth) {
            moreBeyondDepth = rows.length > 0;
            break;
          }
          const next: string[] = [];
          for (const link of rows as Edge[]) {
            const nextId = link[`${to}_id`];
            edges.set(link.id, link);
            if (seen.has(nextId)) {
              cycles.push({ link_id: link.id, from: link[`${from}_id`], to: nextId });
              continue;
            }
            seen.add(nextId);
            next.push(nextId);
            if (!nodes.has(nextId)) {
              nodes.set(nextId, {
                id: nextId,
                entity_type: link[`${to}_type`],
                name: null,
                depth: level,
                direction: walk,
              });
            }
          }
          frontier = next;
        }
      }
      // Names in one query per type; a node the caller cannot see keeps name null (the link itself was visible).
      for (const type of ['requirement', 'document'] as const) {
        const ids = [...nodes.values()].filter((n) => n.entity_type === type && n.name === null).map((n) => n.id);
        const found = await names(s, type, ids);
        for (const id of ids) (nodes.get(id) as Node).name = found.get(id) ?? null;
      }
      return {
        query_type: 'trace' as const,
        root: { id: args.entity_id, entity_type: rootType, name: rootName },
        direction: args.direction,
        depth: args.depth,
        nodes: [...nodes.values()],
        edges: [...edges.values()],
        cycles,
        more_beyond_depth: moreBeyondDepth,
      };
    });
  },
});
