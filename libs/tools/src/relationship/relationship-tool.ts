import { isDatabaseError, schemas, type Filter, type Session } from '@atoms/schema';
import { z } from 'zod';
import { filtersInput, toolFilters } from '../core/columns.js';
import { tableInfo } from '../core/entity-types.js';
import { buildPage, pageOutput, pageRequest, paginationInput, queryFingerprint } from '../core/pagination.js';
import { conflict, notFound, validationError } from '../core/tool-error.js';
import { defineOperation, defineTool, type ToolContext } from '../core/tool-definition.js';
import { applyAutoDefaults } from '../core/workspace-context.js';
import { explainNoRow, withoutLarge, type Row } from '../entity/entity-access.js';
import {
  checkMetadata,
  linkKind,
  RELATIONSHIP_TYPES,
  type EntityRef,
  type LinkKind,
  type RelationshipType,
  type ResolvedRef,
} from './relationship-kinds.js';

const entityRef = z.object({
  type: z.string().min(1).describe('organization, project, document, requirement, test, user or email.'),
  id: z
    .string()
    .min(1)
    .describe(
      'UUID or name (users: id, e-mail or full name; invitations: the e-mail); "auto" for organization/project/document.',
    ),
});
const relationshipType = z.enum(RELATIONSHIP_TYPES);
const metadata = z.record(z.string(), z.unknown());
const row = z.record(z.string(), z.unknown());
const includeDeleted = z.boolean().optional().describe('Also see removed (soft-deleted) links.');

interface Link {
  kind: LinkKind;
  source: ResolvedRef;
  target: ResolvedRef | undefined;
}

const AUTO_FIELD: Record<string, string> = {
  organization: 'organization_id',
  project: 'project_id',
  document: 'document_id',
};

/** `{type: "project", id: "auto"}`: the caller's default project (workspace context, personal org, most recent). */
async function withAuto(s: Session, ctx: ToolContext, ref: EntityRef): Promise<EntityRef> {
  const field = AUTO_FIELD[ref.type];
  if (ref.id !== 'auto' || !field) return ref;
  const resolved = await applyAutoDefaults(s, ctx.user.claims.sub, ctx.sessionId, { [field]: 'auto' });
  return { type: ref.type, id: resolved[field] as string };
}

async function resolveLink(
  s: Session,
  ctx: ToolContext,
  type: RelationshipType,
  sourceRef: EntityRef,
  targetRef: EntityRef | undefined,
): Promise<Link> {
  const source = await withAuto(s, ctx, sourceRef);
  const target = targetRef ? await withAuto(s, ctx, targetRef) : undefined;
  const kind = linkKind(type, source, target);
  const resolvedSource = await kind.resolveSource(s, source);
  const resolvedTarget = target ? await kind.resolveTarget(s, target) : undefined;
  return { kind, source: resolvedSource, target: resolvedTarget };
}

function linkFilters(link: Link, meta: Record<string, unknown>, includeRemoved: boolean): Filter[] {
  const { kind } = link;
  const filters: Filter[] = [{ column: kind.sourceColumn, op: 'eq', value: link.source.id } as Filter];
  if (link.target) filters.push({ column: kind.targetColumn, op: 'eq', value: link.target.id } as Filter);
  for (const [column, value] of Object.entries(kind.derived(link.source, link.target))) {
    filters.push({ column, op: 'eq', value } as Filter);
  }
  for (const column of kind.identity) {
    if (meta[column] !== undefined) filters.push({ column, op: 'eq', value: meta[column] } as Filter);
  }
  if (kind.table.endsWith('_invitations')) {
    // An invitation is identified by its pending state: answered ones are history.
    filters.push({ column: 'status', op: 'eq', value: 'pending' } as Filter);
  }
  if (tableInfo(kind.table).softDelete && !includeRemoved)
    filters.push({ column: 'is_deleted', op: 'eq', value: false } as Filter);
  return filters;
}

async function findLinks(
  s: Session,
  link: Link,
  meta: Record<string, unknown>,
  includeRemoved: boolean,
): Promise<Row[]> {
  const { rows } = await s.select(link.kind.table, {
    columns: tableInfo(link.kind.table).defaultColumns as never,
    filters: linkFilters(link, meta, includeRemoved) as never,
    limit: 2,
  });
  return rows as Row[];
}

async function requireOneLink(s: Session, type: string, link: Link, meta: Record<string, unknown>): Promise<Row> {
  const rows = await findLinks(s, link, meta, false);
  if (rows.length === 0) {
    throw notFound(`No ${type} link between ${link.source.type} ${link.source.id} and ${link.target?.id}.`, {
      source: link.source,
      target: link.target,
    });
  }
  if (rows.length > 1) {
    throw validationError(
      `Several ${type} links match; say which one.`,
      { candidates: rows.map((r) => ({ id: r['id'], ...pick(r, link.kind.identity) })) },
      `Add ${link.kind.identity.join(', ') || 'metadata'} to tell them apart.`,
    );
  }
  return rows[0]!;
}

/** Values checked against the link table's column types (enums included) before anything is looked up. */
function checkValues(kind: LinkKind, values: Record<string, unknown>): void {
  const parsed = (schemas[kind.table].update as z.ZodType).safeParse(values);
  if (!parsed.success) {
    throw validationError(`Invalid metadata for ${kind.table}.`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
}

/**
 * Writes that create a live link. Two concurrent calls can both pass the look-up before either commits; the
 * database's unique indexes on live links (trace_links_active_key, assignments_active_key, the membership keys)
 * then refuse the second with 23505, reported like the look-up's own refusal.
 */
async function refusingDuplicates<T>(type: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDatabaseError(error) && error.code === 'conflict' && error.sqlState === '23505') {
      throw conflict(
        `This ${type} link already exists.`,
        { ...(error.constraint ? { constraint: error.constraint } : {}), sql_state: error.sqlState },
        'Use update to change it.',
      );
    }
    throw error;
  }
}

function pick(row: Row, columns: string[]): Row {
  return Object.fromEntries(columns.filter((c) => c in row).map((c) => [c, row[c]]));
}

const linkOutput = z.object({
  relationship_type: relationshipType,
  relationship: row,
  restored: z.boolean().describe('True when a previously removed link was brought back.'),
});

const link = defineOperation({
  name: 'link',
  description:
    'Creates a link (metadata = columns of the link table, checked). Members: only org admins add members, only owners grant owner (enforced by the database).',
  mutating: true,
  input: z.object({
    relationship_type: relationshipType,
    source: entityRef,
    target: entityRef,
    metadata: metadata.optional(),
  }),
  output: linkOutput,
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const resolved = await resolveLink(s, ctx, args.relationship_type, args.source, args.target);
      const { kind } = resolved;
      const meta = checkMetadata(kind, args.metadata);
      const missing = kind.required.filter((c) => meta[c] === undefined);
      if (missing.length > 0) {
        throw validationError(`${args.relationship_type} needs metadata ${missing.join(', ')}.`, { missing });
      }
      const values = { ...kind.defaults, ...meta };
      checkValues(kind, values);
      const existing = await findLinks(s, resolved, values, true);
      const active = existing.find((r) => r['is_deleted'] !== true);
      if (active) {
        throw conflict(
          `This ${args.relationship_type} link already exists.`,
          { id: active['id'] },
          'Use update to change it.',
        );
      }
      const removed = existing.find((r) => r['is_deleted'] === true);
      if (removed) {
        const [restored] = await refusingDuplicates(args.relationship_type, () =>
          s.update(kind.table, { ...values, is_deleted: false } as never, {
            filters: [{ column: 'id', op: 'eq', value: removed['id'] }] as never,
          }),
        );
        if (!restored) return explainNoRow(s, kind.table, args.relationship_type, String(removed['id']));
        return {
          relationship_type: args.relationship_type,
          relationship: withoutLarge(kind.table, restored as Row),
          restored: true,
        };
      }
      const [created] = await refusingDuplicates(args.relationship_type, () =>
        s.insert(kind.table, {
          ...values,
          ...kind.derived(resolved.source, resolved.target),
          [kind.sourceColumn]: resolved.source.id,
          [kind.targetColumn]: resolved.target!.id,
        } as never),
      );
      return {
        relationship_type: args.relationship_type,
        relationship: withoutLarge(kind.table, created as Row),
        restored: false,
      };
    }),
});

const unlink = defineOperation({
  name: 'unlink',
  description:
    'Removes a link: soft (default) where the link table keeps removed rows (members, assignments, trace links, invitations), otherwise permanently.',
  mutating: true,
  input: z.object({
    relationship_type: relationshipType,
    source: entityRef,
    target: entityRef,
    metadata: metadata
      .optional()
      .describe('Identifying columns when several links join the same ends (e.g. link_type).'),
    soft_delete: z.boolean().optional(),
  }),
  output: z.object({
    success: z.literal(true),
    relationship_type: relationshipType,
    id: z.string(),
    soft_delete: z.boolean(),
  }),
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const resolved = await resolveLink(s, ctx, args.relationship_type, args.source, args.target);
      const { kind } = resolved;
      const meta = checkMetadata(kind, args.metadata);
      const existing = await requireOneLink(s, args.relationship_type, resolved, meta);
      const id = String(existing['id']);
      const soft = (args.soft_delete ?? true) && tableInfo(kind.table).softDelete;
      const filters = [{ column: 'id', op: 'eq', value: id }] as never;
      const changed = soft
        ? await s.update(kind.table, { is_deleted: true } as never, { filters, returning: ['id'] as never })
        : await s.delete(kind.table, { filters, returning: ['id'] as never });
      if (changed.length === 0) await explainNoRow(s, kind.table, args.relationship_type, id);
      return { success: true as const, relationship_type: args.relationship_type, id, soft_delete: soft };
    }),
});

const list = defineOperation({
  name: 'list',
  description: 'Links of a source (optionally to one target), with filters on the link table and paging.',
  mutating: false,
  input: z.object({
    relationship_type: relationshipType,
    source: entityRef,
    target: entityRef.optional(),
    filters: filtersInput,
    include_deleted: includeDeleted,
    ...paginationInput,
  }),
  output: z.object({ relationship_type: relationshipType, items: z.array(row), ...pageOutput }),
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const resolved = await resolveLink(s, ctx, args.relationship_type, args.source, args.target);
      const { kind } = resolved;
      const filters = [...linkFilters(resolved, {}, !!args.include_deleted), ...toolFilters(kind.table, args.filters)];
      if (kind.table.endsWith('_invitations') && args.filters?.['status'] !== undefined) {
        // The caller asked for a status explicitly: drop the implicit pending-only condition.
        filters.splice(
          filters.findIndex((f) => f.column === 'status' && f.value === 'pending'),
          1,
        );
      }
      const fingerprint = queryFingerprint({
        r: args.relationship_type,
        s: resolved.source,
        t: resolved.target,
        f: args.filters,
        d: args.include_deleted,
      });
      const request = pageRequest(args, fingerprint);
      const order = tableInfo(kind.table).columnNames.includes('created_at')
        ? [{ column: 'created_at', ascending: false }]
        : [];
      const result = await s.select(kind.table, {
        columns: tableInfo(kind.table).defaultColumns as never,
        filters: filters as never,
        order: order as never,
        limit: request.limit,
        offset: request.offset,
        count: 'exact',
      });
      let items = result.rows as Row[];
      if (kind.targetColumn === 'user_id' || kind.targetColumn === 'assignee_id')
        items = await withProfiles(s, items, kind.targetColumn);
      return {
        relationship_type: args.relationship_type,
        ...buildPage(items, result.count ?? items.length, request, fingerprint),
      };
    }),
});

/** Attaches `{id, email, full_name}` of each linked user the caller can see (null when invisible). */
async function withProfiles(s: Session, items: Row[], column: string): Promise<Row[]> {
  const ids = [...new Set(items.map((r) => r[column]).filter((v): v is string => typeof v === 'string'))];
  if (ids.length === 0) return items;
  const { rows } = await s.select('profiles', {
    columns: ['id', 'email', 'full_name'] as never,
    filters: [{ column: 'id', op: 'in', value: ids }] as never,
  });
  const byId = new Map((rows as unknown as Row[]).map((p) => [p['id'], p]));
  return items.map((r) => ({ ...r, profile: byId.get(r[column]) ?? null }));
}

const check = defineOperation({
  name: 'check',
  description: 'Whether a link exists between source and target: {exists, relationship}.',
  mutating: false,
  input: z.object({
    relationship_type: relationshipType,
    source: entityRef,
    target: entityRef,
    metadata: metadata.optional(),
  }),
  output: z.object({ relationship_type: relationshipType, exists: z.boolean(), relationship: row.nullable() }),
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const resolved = await resolveLink(s, ctx, args.relationship_type, args.source, args.target);
      const meta = checkMetadata(resolved.kind, args.metadata);
      const [found] = await findLinks(s, resolved, meta, false);
      return { relationship_type: args.relationship_type, exists: !!found, relationship: found ?? null };
    }),
});

const update = defineOperation({
  name: 'update',
  description: 'Changes the metadata of a link (e.g. a member role, an assignment status, a trace link type).',
  mutating: true,
  input: z.object({
    relationship_type: relationshipType,
    source: entityRef,
    target: entityRef,
    metadata,
    match: metadata.optional().describe('Identifying columns of the link to change when several join the same ends.'),
  }),
  output: z.object({ relationship_type: relationshipType, relationship: row }),
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const resolved = await resolveLink(s, ctx, args.relationship_type, args.source, args.target);
      const { kind } = resolved;
      const meta = checkMetadata(kind, args.metadata);
      if (Object.keys(meta).length === 0) throw validationError('metadata must name at least one column to change.');
      checkValues(kind, meta);
      const existing = await requireOneLink(s, args.relationship_type, resolved, checkMetadata(kind, args.match));
      const id = String(existing['id']);
      const [updated] = await s.update(kind.table, meta as never, {
        filters: [{ column: 'id', op: 'eq', value: id }] as never,
      });
      if (!updated) return explainNoRow(s, kind.table, args.relationship_type, id);
      return { relationship_type: args.relationship_type, relationship: withoutLarge(kind.table, updated as Row) };
    }),
});

export const relationshipTool = defineTool({
  name: 'relationship_tool',
  title: 'Relationships',
  description:
    'Links between entities: organization/project members, assignments, trace links, requirement-test coverage and invitations. Link metadata is checked against the link table; the database enforces who may link what.',
  operationParameter: 'operation',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  operations: [link, unlink, list, check, update],
});
