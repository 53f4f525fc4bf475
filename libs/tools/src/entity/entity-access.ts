import type { Filter, Session, TableName } from '@atoms/schema';
import { tableInfo } from '../core/entity-types.js';
import { notFound, permissionDenied } from '../core/tool-error.js';
import { isUuid, resolveEntityRef, type Resolution } from '../core/name-resolution.js';

export type Row = Record<string, unknown>;

const REFERENCE_TABLES: Record<string, TableName> = {
  organization_id: 'organizations',
  project_id: 'projects',
  document_id: 'documents',
  requirement_id: 'requirements',
  test_id: 'test_req',
  block_id: 'blocks',
};

/** Large columns never leave the server, whatever a SQL function returned. */
export function withoutLarge(table: TableName, row: Row): Row {
  const info = tableInfo(table);
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) if (!info.columns[key]?.large) out[key] = value;
  return out;
}

export function projectFields(row: Row, columns: readonly string[]): Row {
  const out: Row = {};
  for (const column of columns) if (column in row) out[column] = row[column];
  return out;
}

/** Selects one row by id as the caller; soft-deleted rows only with includeDeleted. */
export async function findRow(
  session: Session,
  table: TableName,
  id: string,
  columns: readonly string[],
  includeDeleted: boolean,
): Promise<Row | undefined> {
  const filters: Filter[] = [{ column: 'id', op: 'eq', value: id } as Filter];
  if (tableInfo(table).softDelete && !includeDeleted)
    filters.push({ column: 'is_deleted', op: 'eq', value: false } as Filter);
  const { rows } = await session.select(table, { columns: columns as never, filters: filters as never, limit: 1 });
  return rows[0] as Row | undefined;
}

/** Resolves an id or name to a row the caller can see, or `not_found` (invisible rows are not found either). */
export async function requireRow(
  session: Session,
  table: TableName,
  entityType: string,
  ref: string,
  columns: readonly string[],
  includeDeleted: boolean,
  scope: Filter[] = [],
): Promise<{ row: Row; resolution: Resolution }> {
  const resolution = await resolveEntityRef(session, table, ref, { includeDeleted, label: entityType, scope });
  const row = await findRow(session, table, resolution.id, columns, includeDeleted);
  if (!row) {
    throw notFound(
      `${entityType} ${resolution.id} not found${tableInfo(table).softDelete && !includeDeleted ? ' (or deleted)' : ''}.`,
      { entity_type: entityType, entity_id: resolution.id },
      tableInfo(table).softDelete && !includeDeleted ? 'Pass include_deleted: true to see deleted rows.' : undefined,
    );
  }
  return { row, resolution };
}

/**
 * After a write touched no row: the row exists for the caller (RLS let them see it but not change it) ->
 * permission_denied; otherwise not_found.
 */
export async function explainNoRow(session: Session, table: TableName, entityType: string, id: string): Promise<never> {
  const visible = await findRow(session, table, id, ['id'], true);
  if (visible) {
    throw permissionDenied(`You may not change this ${entityType}.`, { entity_type: entityType, entity_id: id });
  }
  throw notFound(`${entityType} ${id} not found.`, { entity_type: entityType, entity_id: id });
}

/**
 * Foreign keys given by name (`project_id: "Apollo"`) become ids: names or ids wherever an id is expected.
 * "auto" is left for `applyAutoDefaults`.
 */
export async function resolveReferenceFields(session: Session, data: Row): Promise<Row> {
  const out: Row = { ...data };
  for (const [column, table] of Object.entries(REFERENCE_TABLES)) {
    const value = out[column];
    if (typeof value === 'string' && value !== 'auto' && !isUuid(value) && value.trim() !== '') {
      out[column] = (await resolveEntityRef(session, table, value, { label: column.replace(/_id$/, '') })).id;
    }
  }
  return out;
}
