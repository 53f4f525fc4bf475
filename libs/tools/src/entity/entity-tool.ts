import {
  classifySqlState,
  isDatabaseError,
  type Filter,
  type OrderBy,
  type Session,
  type TableName,
} from '@atoms/schema';
import { z } from 'zod';
import { fieldsInput, filtersInput, orderByInput, selectColumns, toolFilters, toolOrder } from '../core/columns.js';
import { ENTITY_TYPES, nameColumn, tableInfo, tableOf } from '../core/entity-types.js';
import { resolveEntityRef } from '../core/name-resolution.js';
import { buildPage, pageOutput, pageRequest, paginationInput, queryFingerprint } from '../core/pagination.js';
import { conflict, notFound, permissionDenied, ToolError, validationError } from '../core/tool-error.js';
import { defineOperation, defineTool, type ToolContext } from '../core/tool-definition.js';
import { applyAutoDefaults } from '../core/workspace-context.js';
import { relationsOf } from './relations.js';
import {
  explainNoRow,
  findRow,
  projectFields,
  requireRow,
  resolveReferenceFields,
  withoutLarge,
  type Row,
} from './entity-access.js';

const entityType = z
  .enum(ENTITY_TYPES)
  .describe('Entity type, e.g. organization, project, document, requirement, test.');
const entityId = z.string().min(1).describe('UUID or name (exact, case-insensitive; else fuzzy).');
const data = z.record(z.string(), z.unknown());
const includeDeleted = z.boolean().optional().describe('Also see soft-deleted (archived) rows.');
const row = z.record(z.string(), z.unknown());
const MAX_BATCH = 100;
const MAX_BULK = 1000;
const PROTECTED = ['is_deleted', 'deleted_at', 'deleted_by'];

function includeDeletedOf(args: { include_deleted?: boolean | undefined; include_archived?: boolean | undefined }) {
  return !!(args.include_deleted || args.include_archived);
}

async function prepareData(s: Session, ctx: ToolContext, input: Row): Promise<Row> {
  const withAuto = await applyAutoDefaults(s, ctx.user.claims.sub, ctx.sessionId, input);
  return resolveReferenceFields(s, withAuto);
}

function refuseProtected(input: Row) {
  const protectedKeys = Object.keys(input).filter((k) => PROTECTED.includes(k));
  if (protectedKeys.length > 0) {
    throw validationError(
      `${protectedKeys.join(', ')} cannot be set directly.`,
      { fields: protectedKeys },
      'Use the delete, archive or restore operations.',
    );
  }
}

/** `parent_type` + `parent_id` narrow where a name is looked for (e.g. requirement "Login" of one document). */
const nameScopeInput = {
  parent_type: z.enum(ENTITY_TYPES).optional().describe('With parent_id: look the name up among its children only.'),
  parent_id: z.string().min(1).optional().describe('UUID, name or "auto".'),
};

async function nameScope(
  s: Session,
  ctx: ToolContext,
  table: TableName,
  entityTypeName: string,
  args: { parent_type?: string | undefined; parent_id?: string | undefined },
): Promise<Filter[]> {
  if (!args.parent_type && !args.parent_id) return [];
  if (!args.parent_type || !args.parent_id) throw validationError('parent_type and parent_id go together.');
  const column = `${args.parent_type}_id`;
  if (!tableInfo(table).columnNames.includes(column)) throw validationError(`${entityTypeName} has no ${column}.`);
  const parent =
    args.parent_id === 'auto'
      ? ((await applyAutoDefaults(s, ctx.user.claims.sub, ctx.sessionId, { [column]: 'auto' }))[column] as string)
      : (await resolveEntityRef(s, tableOf(args.parent_type), args.parent_id, { label: args.parent_type })).id;
  return [{ column, op: 'eq', value: parent } as Filter];
}

const create = defineOperation({
  name: 'create',
  description: 'Creates one entity from `data` ("auto" for organization_id/project_id/document_id uses the context).',
  mutating: true,
  input: z.object({ entity_type: entityType, data, fields: fieldsInput }),
  output: row,
  handler: ({ entity_type, data: input, fields }, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(entity_type);
      refuseProtected(input);
      const columns = selectColumns(table, fields, ['id']);
      const prepared = await prepareData(s, ctx, input);
      const [created] = await s.insert(table, prepared as never, { returning: columns as never });
      return created as Row;
    }),
});

const read = defineOperation({
  name: 'read',
  description: 'Reads one entity by id or name; soft-deleted rows only with include_deleted.',
  mutating: false,
  input: z.object({
    entity_type: entityType,
    entity_id: entityId,
    fields: fieldsInput,
    include_deleted: includeDeleted,
    include_archived: includeDeleted,
    ...nameScopeInput,
    include_relations: z
      .boolean()
      .optional()
      .describe(
        'Adds `relations`: organization -> member_count, recent_projects; project -> document_count, members; document -> requirement_count, blocks.',
      ),
  }),
  output: row,
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      const columns = selectColumns(table, args.fields, ['id']);
      const { row: found, resolution } = await requireRow(
        s,
        table,
        args.entity_type,
        args.entity_id,
        columns,
        includeDeletedOf(args),
        await nameScope(s, ctx, table, args.entity_type, args),
      );
      if (!args.include_relations) return found;
      return { ...found, relations: (await relationsOf(s, args.entity_type, resolution.id)) ?? null };
    }),
});

const update = defineOperation({
  name: 'update',
  description:
    'Updates fields of one entity. With expected_version (versioned entities) a stale version is a conflict, never a lost update.',
  mutating: true,
  input: z.object({
    entity_type: entityType,
    entity_id: entityId,
    data,
    expected_version: z.number().int().min(1).optional(),
    fields: fieldsInput,
    ...nameScopeInput,
  }),
  output: row,
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      refuseProtected(args.data);
      if (Object.keys(args.data).length === 0) throw validationError('data must name at least one field to change.');
      const info = tableInfo(table);
      if (args.expected_version !== undefined && !info.versioned) {
        throw validationError(`${args.entity_type} has no version; expected_version does not apply.`);
      }
      const columns = selectColumns(table, args.fields, ['id']);
      const { row: current, resolution } = await requireRow(
        s,
        table,
        args.entity_type,
        args.entity_id,
        info.versioned ? ['id', 'version'] : ['id'],
        false,
        await nameScope(s, ctx, table, args.entity_type, args),
      );
      if (args.expected_version !== undefined && current['version'] !== args.expected_version) {
        throw conflict(
          `${args.entity_type} ${resolution.id} is at version ${String(current['version'])}, not ${args.expected_version}.`,
          { entity_id: resolution.id, expected_version: args.expected_version, current_version: current['version'] },
          'Read it again, re-apply your change, and pass the current version.',
        );
      }
      const filters: Filter[] = [{ column: 'id', op: 'eq', value: resolution.id } as Filter];
      // The version check travels with the UPDATE too, so a concurrent writer between read and write is caught.
      if (args.expected_version !== undefined) {
        filters.push({ column: 'version', op: 'eq', value: args.expected_version } as Filter);
      }
      const prepared = await prepareData(s, ctx, args.data);
      const [updated] = await s.update(table, prepared as never, {
        filters: filters as never,
        returning: columns as never,
      });
      if (!updated) {
        if (args.expected_version !== undefined) {
          const now = await findRow(s, table, resolution.id, ['id', 'version'], true);
          if (now && now['version'] !== args.expected_version) {
            throw conflict(`${args.entity_type} ${resolution.id} changed meanwhile.`, {
              entity_id: resolution.id,
              expected_version: args.expected_version,
              current_version: now['version'],
            });
          }
        }
        return explainNoRow(s, table, args.entity_type, resolution.id);
      }
      return updated as Row;
    }),
});

const deleteResult = z.object({
  success: z.literal(true),
  entity_type: z.string(),
  entity_id: z.string(),
  soft_delete: z.boolean(),
});

async function softDelete(s: Session, table: TableName, entityTypeName: string, id: string, columns: string[]) {
  const [changed] = await s.update(table, { is_deleted: true } as never, {
    filters: [
      { column: 'id', op: 'eq', value: id },
      { column: 'is_deleted', op: 'eq', value: false },
    ] as never,
    returning: columns as never,
  });
  if (!changed) return explainNoRow(s, table, entityTypeName, id);
  return changed as Row;
}

const remove = defineOperation({
  name: 'delete',
  description:
    'Deletes one entity: soft (default; cascades to children and can be restored) or hard with soft_delete: false.',
  mutating: true,
  input: z.object({
    entity_type: entityType,
    entity_id: entityId,
    soft_delete: z.boolean().optional(),
    ...nameScopeInput,
  }),
  output: deleteResult,
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      const soft = args.soft_delete ?? true;
      if (soft && !tableInfo(table).softDelete) {
        throw validationError(
          `${args.entity_type} has no soft delete.`,
          undefined,
          'Pass soft_delete: false to delete it permanently.',
        );
      }
      const { resolution } = await requireRow(
        s,
        table,
        args.entity_type,
        args.entity_id,
        ['id'],
        !soft,
        await nameScope(s, ctx, table, args.entity_type, args),
      );
      if (soft) await softDelete(s, table, args.entity_type, resolution.id, ['id']);
      else {
        const deleted = await s.delete(table, {
          filters: [{ column: 'id', op: 'eq', value: resolution.id }] as never,
          returning: ['id'] as never,
        });
        if (deleted.length === 0) await explainNoRow(s, table, args.entity_type, resolution.id);
      }
      return { success: true as const, entity_type: args.entity_type, entity_id: resolution.id, soft_delete: soft };
    }),
});

const pageOf = z.object({ items: z.array(row), ...pageOutput });

function defaultOrder(table: TableName): OrderBy[] {
  return tableInfo(table).columnNames.includes('created_at')
    ? ([{ column: 'created_at', ascending: false }] as OrderBy[])
    : [];
}

async function listRows(
  s: Session,
  ctx: ToolContext,
  args: {
    entity_type: string;
    filters?: Record<string, unknown> | undefined;
    order_by?: string | string[] | undefined;
    fields?: string[] | undefined;
    include_deleted?: boolean | undefined;
    include_archived?: boolean | undefined;
    limit?: number | undefined;
    offset?: number | undefined;
    cursor?: string | undefined;
    parent_type?: string | undefined;
    parent_id?: string | undefined;
  },
  extra: Filter[],
  fingerprintExtra: unknown,
) {
  const table = tableOf(args.entity_type);
  const columns = selectColumns(table, args.fields, ['id']);
  const rawFilters = args.filters
    ? await applyAutoDefaults(s, ctx.user.claims.sub, ctx.sessionId, args.filters)
    : undefined;
  const filters = [...toolFilters(table, rawFilters), ...extra];
  if (args.parent_type || args.parent_id) {
    if (!args.parent_type || !args.parent_id) throw validationError('parent_type and parent_id go together.');
    const parentTable = tableOf(args.parent_type);
    const column = `${args.parent_type}_id`;
    if (!tableInfo(table).columnNames.includes(column)) {
      throw validationError(`${args.entity_type} has no ${column}.`);
    }
    const parentRef =
      args.parent_id === 'auto'
        ? ((await applyAutoDefaults(s, ctx.user.claims.sub, ctx.sessionId, { [column]: 'auto' }))[column] as string)
        : (await resolveEntityRef(s, parentTable, args.parent_id, { label: args.parent_type })).id;
    filters.push({ column, op: 'eq', value: parentRef } as Filter);
  }
  if (tableInfo(table).softDelete && !includeDeletedOf(args)) {
    filters.push({ column: 'is_deleted', op: 'eq', value: false } as Filter);
  }
  const order = toolOrder(table, args.order_by, defaultOrder(table));
  const fingerprint = queryFingerprint({
    t: args.entity_type,
    f: args.filters,
    o: args.order_by,
    d: includeDeletedOf(args),
    p: [args.parent_type, args.parent_id],
    x: fingerprintExtra,
  });
  const request = pageRequest(args, fingerprint);
  const result = await s.select(table, {
    columns: columns as never,
    filters: filters as never,
    order: order as never,
    limit: request.limit,
    offset: request.offset,
    count: 'exact',
  });
  return buildPage(result.rows as Row[], result.count ?? result.rows.length, request, fingerprint);
}

const listInput = {
  entity_type: entityType,
  filters: filtersInput,
  order_by: orderByInput,
  fields: fieldsInput,
  include_deleted: includeDeleted,
  include_archived: includeDeleted,
  parent_type: z.enum(ENTITY_TYPES).optional().describe('With parent_id: only children of that entity.'),
  parent_id: z.string().min(1).optional().describe('UUID, name or "auto".'),
  ...paginationInput,
};

const list = defineOperation({
  name: 'list',
  description:
    'Lists entities with filters, order_by, fields and paging (limit default 20, max 100; offset or cursor; total, has_more, next_cursor).',
  mutating: false,
  input: z.object(listInput),
  output: pageOf,
  handler: (args, ctx) => ctx.asUser((s) => listRows(s, ctx, args, [], null)),
});

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const search = defineOperation({
  name: 'search',
  description:
    'Entities whose name contains search_term (case-insensitive), with the list filters and paging. For ranked full-text or semantic search use query_tool.',
  mutating: false,
  input: z.object({ ...listInput, search_term: z.string().min(1).max(500) }),
  output: pageOf.extend({ search_term: z.string(), matched_on: z.string() }),
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      const column = nameColumn(table);
      if (!column)
        throw validationError(`${args.entity_type} has no name to search.`, undefined, 'Use list with filters.');
      const extra = [{ column, op: 'ilike', value: `%${escapeLike(args.search_term)}%` } as Filter];
      const page = await listRows(s, ctx, { ...args, order_by: args.order_by ?? column }, extra, args.search_term);
      return { ...page, search_term: args.search_term, matched_on: column };
    }),
});

const ITEM_CODES: Record<string, string> = {
  conflict: 'conflict',
  validation: 'validation_error',
  permission_denied: 'permission_denied',
  not_found: 'not_found',
  unavailable: 'unavailable',
};

/** A failed item of batch_create in the tools' error vocabulary; Postgres' SQLSTATE kept as sql_state. */
function itemFailure(r: {
  index: number;
  ok: false;
  error: { code: string; message: string } & Record<string, unknown>;
}) {
  const { code, ...rest } = r.error;
  return {
    index: r.index,
    ok: false as const,
    error: { ...rest, code: ITEM_CODES[classifySqlState(code) ?? ''] ?? 'internal', sql_state: code },
  };
}

function itemIndex(error: unknown): number | undefined {
  if (!isDatabaseError(error) || !error.hint) return undefined;
  const match = /atoms_item:(\d+)/.exec(error.hint);
  return match ? Number(match[1]) : undefined;
}

const batchResult = z.object({
  created: z.number().int(),
  failed: z.number().int(),
  results: z.array(
    z.union([
      z.object({ index: z.number().int(), ok: z.literal(true), id: z.string().nullable(), row }),
      z.object({
        index: z.number().int(),
        ok: z.literal(false),
        error: z.object({ code: z.string(), message: z.string() }).catchall(z.unknown()),
      }),
    ]),
  ),
});

const batchCreate = defineOperation({
  name: 'batch_create',
  description: `Creates up to ${MAX_BATCH} entities in one transaction: all or nothing, unless continue_on_error (then per-item results {index, ok, id | error}).`,
  mutating: true,
  input: z.object({
    entity_type: entityType,
    batch: z.array(data).min(1).max(MAX_BATCH),
    continue_on_error: z.boolean().optional(),
  }),
  output: batchResult,
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      const items: Row[] = [];
      for (const [index, item] of args.batch.entries()) {
        try {
          refuseProtected(item);
          items.push(await prepareData(s, ctx, item));
        } catch (error) {
          if (error instanceof ToolError) {
            throw new ToolError(error.code, `batch[${index}]: ${error.message}`, {
              details: { ...error.details, index },
              ...(error.hint ? { hint: error.hint } : {}),
            });
          }
          throw error;
        }
      }
      await ctx.progress.report(0, items.length, 'creating');
      let result: z.infer<typeof batchResult>;
      try {
        result = await s.rpc<z.infer<typeof batchResult>>('batch_create', {
          p_table: table,
          p_items: items,
          p_continue_on_error: !!args.continue_on_error,
        });
      } catch (error) {
        const index = itemIndex(error);
        if (index !== undefined && isDatabaseError(error)) {
          throw new ToolError(
            error.code === 'validation' ? 'validation_error' : error.code === 'internal' ? 'internal' : error.code,
            `batch[${index}]: ${error.message}; nothing was created.`,
            {
              details: {
                index,
                ...(error.constraint ? { constraint: error.constraint } : {}),
                ...(error.column ? { column: error.column } : {}),
              },
              hint: 'Fix that item, or pass continue_on_error: true to create the others.',
            },
          );
        }
        throw error;
      }
      await ctx.progress.report(items.length, items.length, 'created');
      return {
        created: result.created,
        failed: result.failed,
        results: result.results.map((r) =>
          r.ok ? { index: r.index, ok: true as const, id: r.id, row: withoutLarge(table, r.row) } : itemFailure(r),
        ),
      };
    }),
});

const archive = defineOperation({
  name: 'archive',
  description: 'Soft-deletes an entity and, by cascade, its children (organization > projects > documents > …).',
  mutating: true,
  input: z.object({ entity_type: entityType, entity_id: entityId, fields: fieldsInput }),
  output: row,
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      if (!tableInfo(table).softDelete) throw validationError(`${args.entity_type} cannot be archived.`);
      const columns = selectColumns(table, args.fields, ['id', 'is_deleted']);
      const { resolution } = await requireRow(s, table, args.entity_type, args.entity_id, ['id'], false);
      return softDelete(s, table, args.entity_type, resolution.id, columns);
    }),
});

const restore = defineOperation({
  name: 'restore',
  description:
    'Restores an archived entity and exactly the children its archive cascaded to (not rows deleted on their own before).',
  mutating: true,
  input: z.object({ entity_type: entityType, entity_id: entityId, fields: fieldsInput }),
  output: row,
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      if (!tableInfo(table).softDelete) throw validationError(`${args.entity_type} cannot be restored.`);
      const columns = selectColumns(table, args.fields, ['id', 'is_deleted']);
      const { row: current, resolution } = await requireRow(
        s,
        table,
        args.entity_type,
        args.entity_id,
        ['id', 'is_deleted'],
        true,
      );
      if (current['is_deleted'] !== true) {
        throw validationError(`${args.entity_type} ${resolution.id} is not archived.`, { entity_id: resolution.id });
      }
      const [restored] = await s.update(table, { is_deleted: false } as never, {
        filters: [
          { column: 'id', op: 'eq', value: resolution.id },
          { column: 'is_deleted', op: 'eq', value: true },
        ] as never,
        returning: columns as never,
      });
      if (!restored) return explainNoRow(s, table, args.entity_type, resolution.id);
      return restored as Row;
    }),
});

async function resolveIds(
  s: Session,
  table: TableName,
  entityTypeName: string,
  refs: string[],
  includeDeleted: boolean,
) {
  const ids: string[] = [];
  for (const ref of refs)
    ids.push((await resolveEntityRef(s, table, ref, { label: entityTypeName, includeDeleted })).id);
  const unique = [...new Set(ids)];
  const filters: Filter[] = [{ column: 'id', op: 'in', value: unique } as Filter];
  if (tableInfo(table).softDelete && !includeDeleted)
    filters.push({ column: 'is_deleted', op: 'eq', value: false } as Filter);
  const { rows } = await s.select(table, { columns: ['id'] as never, filters: filters as never });
  const visible = new Set((rows as unknown as { id: string }[]).map((r) => r.id));
  const missing = unique.filter((id) => !visible.has(id));
  if (missing.length > 0) {
    throw notFound(`${missing.length} ${entityTypeName} id(s) not found; nothing was changed.`, { missing });
  }
  return unique;
}

/**
 * The SQL functions refuse rows the caller can see but not change with 42501 (ids in DETAIL), and rows they cannot
 * see with P0002. Every id was checked visible just before, in the same transaction, so either now means row-level
 * security let the caller see but not change: one friendly message for both, the database's detail kept.
 */
async function refusedAsPermission<T>(entityTypeName: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDatabaseError(error) && (error.code === 'not_found' || error.code === 'permission_denied')) {
      throw permissionDenied(`You may not change these ${entityTypeName} entries; nothing was changed.`, {
        ...(error.detail ? { detail: error.detail } : {}),
      });
    }
    throw error;
  }
}

const entityIds = z.array(z.string().min(1)).min(1).max(MAX_BULK).describe('UUIDs or names.');

const bulkUpdate = defineOperation({
  name: 'bulk_update',
  description: `Applies the same data to up to ${MAX_BULK} entities in one transaction (all or nothing).`,
  mutating: true,
  input: z.object({ entity_type: entityType, entity_ids: entityIds, data, fields: fieldsInput }),
  output: z.object({ updated: z.number().int(), items: z.array(row) }),
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      refuseProtected(args.data);
      if (Object.keys(args.data).length === 0) throw validationError('data must name at least one field to change.');
      const columns = selectColumns(table, args.fields, ['id']);
      const ids = await resolveIds(s, table, args.entity_type, args.entity_ids, false);
      await ctx.progress.report(0, ids.length, 'updating');
      const prepared = await prepareData(s, ctx, args.data);
      const result = await refusedAsPermission(args.entity_type, () =>
        s.rpc<{ updated: number; rows: Row[] }>('bulk_update', { p_table: table, p_ids: ids, p_data: prepared }),
      );
      await ctx.progress.report(ids.length, ids.length, 'updated');
      return { updated: result.updated, items: result.rows.map((r) => projectFields(r, columns)) };
    }),
});

const bulkDelete = defineOperation({
  name: 'bulk_delete',
  description: `Deletes up to ${MAX_BULK} entities in one transaction: soft (default, with cascade) or hard.`,
  mutating: true,
  input: z.object({ entity_type: entityType, entity_ids: entityIds, soft_delete: z.boolean().optional() }),
  output: z.object({ deleted: z.number().int(), ids: z.array(z.string()), soft_delete: z.boolean() }),
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      const soft = args.soft_delete ?? true;
      if (soft && !tableInfo(table).softDelete) {
        throw validationError(`${args.entity_type} has no soft delete.`, undefined, 'Pass soft_delete: false.');
      }
      const ids = await resolveIds(s, table, args.entity_type, args.entity_ids, !soft);
      await ctx.progress.report(0, ids.length, 'deleting');
      const result = await refusedAsPermission(args.entity_type, () =>
        s.rpc<{ deleted: number; ids: string[]; soft: boolean }>('bulk_delete', {
          p_table: table,
          p_ids: ids,
          p_hard: !soft,
        }),
      );
      await ctx.progress.report(ids.length, ids.length, 'deleted');
      return { deleted: result.deleted, ids: result.ids, soft_delete: result.soft };
    }),
});

const versionItem = z.object({
  version: z.number().int(),
  operation: z.string(),
  changed_by: z.string().nullable(),
  changed_at: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

const history = defineOperation({
  name: 'history',
  description: 'The versions of an entity (newest first) from entity_versions, each with its snapshot.',
  mutating: false,
  input: z.object({
    entity_type: entityType,
    entity_id: entityId,
    include_data: z.boolean().optional().describe('Include each snapshot (default true).'),
    include_deleted: includeDeleted,
    ...paginationInput,
  }),
  output: z.object({ entity_id: z.string(), items: z.array(versionItem), ...pageOutput }),
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      const { resolution } = await requireRow(
        s,
        table,
        args.entity_type,
        args.entity_id,
        ['id'],
        !!args.include_deleted,
      );
      const fingerprint = queryFingerprint({ h: table, id: resolution.id, d: args.include_data });
      const request = pageRequest(args, fingerprint);
      const columns = [
        'version',
        'operation',
        'changed_by',
        'changed_at',
        ...(args.include_data === false ? [] : ['data']),
      ];
      const result = await s.select('entity_versions', {
        columns: columns as never,
        filters: [
          { column: 'entity_type', op: 'eq', value: table },
          { column: 'entity_id', op: 'eq', value: resolution.id },
        ] as never,
        order: [{ column: 'version', ascending: false }] as never,
        limit: request.limit,
        offset: request.offset,
        count: 'exact',
      });
      return {
        entity_id: resolution.id,
        ...buildPage(result.rows as unknown as z.infer<typeof versionItem>[], result.count ?? 0, request, fingerprint),
      };
    }),
});

const restoreVersion = defineOperation({
  name: 'restore_version',
  description: "Writes an old version's content back as a new version (history is never rewritten).",
  mutating: true,
  input: z.object({
    entity_type: entityType,
    entity_id: entityId,
    version: z.number().int().min(1),
    fields: fieldsInput,
  }),
  output: row,
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const table = tableOf(args.entity_type);
      const columns = selectColumns(table, args.fields, ['id']);
      const { resolution } = await requireRow(s, table, args.entity_type, args.entity_id, ['id'], false);
      const version = await s.select('entity_versions', {
        columns: ['version'] as never,
        filters: [
          { column: 'entity_type', op: 'eq', value: table },
          { column: 'entity_id', op: 'eq', value: resolution.id },
          { column: 'version', op: 'eq', value: args.version },
        ] as never,
        limit: 1,
      });
      if (version.rows.length === 0) {
        throw notFound(
          `${args.entity_type} ${resolution.id} has no version ${args.version}.`,
          {
            entity_id: resolution.id,
            version: args.version,
          },
          'List the versions with the history operation.',
        );
      }
      const restored = await refusedAsPermission(args.entity_type, () =>
        s.rpc<Row | null>('restore_version', { p_table: table, p_id: resolution.id, p_version: args.version }),
      );
      if (!restored) return explainNoRow(s, table, args.entity_type, resolution.id);
      return projectFields(restored, columns);
    }),
});

/** tools.md: data without id -> create; id + data -> update; id only -> read; search_term -> search; else list. */
export function inferEntityOperation(args: Record<string, unknown>): string {
  const hasId = args['entity_id'] !== undefined && args['entity_id'] !== null;
  const hasData = args['data'] !== undefined && args['data'] !== null;
  if (hasData && !hasId) return 'create';
  if (hasData && hasId) return 'update';
  if (hasId) return 'read';
  if (typeof args['search_term'] === 'string') return 'search';
  return 'list';
}

export const entityTool = defineTool({
  name: 'entity_tool',
  title: 'Entities',
  description:
    'Create, read, update, delete, list and search any Atoms entity (organization, project, document, requirement, test, …), batch and bulk changes, archive/restore, and version history. Row-level security decides what you can see and change.',
  operationParameter: 'operation',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  operations: [
    create,
    read,
    update,
    remove,
    search,
    list,
    batchCreate,
    archive,
    restore,
    bulkUpdate,
    bulkDelete,
    history,
    restoreVersion,
  ],
  inferOperation: inferEntityOperation,
});
