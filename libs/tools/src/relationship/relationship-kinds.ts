import type { Filter, Session, TableName } from '@atoms/schema';
import { tableInfo } from '../core/entity-types.js';
import { isUuid, resolveEntityRef } from '../core/name-resolution.js';
import { notFound, validationError } from '../core/tool-error.js';

export const RELATIONSHIP_TYPES = ['member', 'assignment', 'trace_link', 'requirement_test', 'invitation'] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

export interface EntityRef {
  type: string;
  id: string;
}

/** One concrete link table for a relationship type and source type. */
export interface LinkKind {
  table: TableName;
  sourceColumn: string;
  targetColumn: string;
  /** Columns the tool derives from source/target; never taken from metadata. */
  derived(source: ResolvedRef, target: ResolvedRef | undefined): Record<string, unknown>;
  /** Defaults applied on link when metadata does not set them. */
  defaults: Record<string, unknown>;
  /** Metadata columns that also identify a link (e.g. a trace link's link_type), when given. */
  identity: string[];
  /** Metadata columns a link requires. */
  required: string[];
  resolveSource(session: Session, ref: EntityRef): Promise<ResolvedRef>;
  resolveTarget(session: Session, ref: EntityRef): Promise<ResolvedRef>;
}

export interface ResolvedRef {
  type: string;
  id: string;
  /** For projects: their organization (project_members.org_id). */
  organizationId?: string;
}

/** Columns never settable through metadata, whatever the table. */
const BOOKKEEPING = new Set([
  'id',
  'created_at',
  'created_by',
  'updated_at',
  'updated_by',
  'deleted_at',
  'deleted_by',
  'is_deleted',
  'version',
  'token',
]);

const ENTITY_TABLE: Record<string, TableName> = {
  organization: 'organizations',
  project: 'projects',
  document: 'documents',
  requirement: 'requirements',
  test: 'test_req',
};

function expectType(ref: EntityRef, allowed: string[], role: 'source' | 'target', relationship: string): void {
  if (!allowed.includes(ref.type)) {
    throw validationError(`${relationship}: ${role}.type must be ${allowed.join(' or ')} (got "${ref.type}").`, {
      [role]: ref,
      allowed,
    });
  }
}

async function resolveEntity(session: Session, ref: EntityRef): Promise<ResolvedRef> {
  const table = ENTITY_TABLE[ref.type]!;
  const { id } = await resolveEntityRef(session, table, ref.id, { label: ref.type });
  const filters: Filter[] = [
    { column: 'id', op: 'eq', value: id } as Filter,
    { column: 'is_deleted', op: 'eq', value: false } as Filter,
  ];
  const { rows } = await session.select(table, {
    columns: (ref.type === 'project' ? ['id', 'organization_id'] : ['id']) as never,
    filters: filters as never,
    limit: 1,
  });
  const row = rows[0] as { id: string; organization_id?: string } | undefined;
  if (!row) throw notFound(`${ref.type} ${id} not found.`, { type: ref.type, id });
  return { type: ref.type, id, ...(row.organization_id ? { organizationId: row.organization_id } : {}) };
}

/** A user by id (no lookup: the database checks the reference), or by e-mail / full name among visible profiles. */
async function resolveUser(session: Session, ref: EntityRef): Promise<ResolvedRef> {
  const value = ref.id.trim();
  if (isUuid(value)) return { type: 'user', id: value.toLowerCase() };
  if (value.includes('@')) {
    const { rows } = await session.select('profiles', {
      columns: ['id'] as never,
      filters: [{ column: 'email', op: 'ilike', value: value.replace(/[\\%_]/g, (c) => `\\${c}`) }] as never,
      limit: 2,
    });
    const row = rows[0] as { id: string } | undefined;
    if (!row) {
      throw notFound(
        `No user with e-mail ${value} that you can see.`,
        { email: value },
        'Pass the user id, or invite them (relationship_type "invitation").',
      );
    }
    return { type: 'user', id: row.id };
  }
  return { type: 'user', id: (await resolveEntityRef(session, 'profiles', value, { label: 'user' })).id };
}

function resolveEmail(ref: EntityRef): ResolvedRef {
  const email = ref.id.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw validationError(`"${ref.id}" is not an e-mail address.`);
  return { type: 'email', id: email };
}

const USER_TYPES = ['user', 'profile'];

/** The link table and columns for a relationship type, chosen by the source's type where it varies. */
export function linkKind(type: RelationshipType, source: EntityRef, target: EntityRef | undefined): LinkKind {
  switch (type) {
    case 'member':
      expectType(source, ['organization', 'project'], 'source', type);
      if (target) expectType(target, USER_TYPES, 'target', type);
      return source.type === 'organization'
        ? {
            table: 'organization_members',
            sourceColumn: 'organization_id',
            targetColumn: 'user_id',
            derived: () => ({}),
            defaults: { status: 'active', role: 'member' },
            identity: [],
            required: [],
            resolveSource: resolveEntity,
            resolveTarget: resolveUser,
          }
        : {
            table: 'project_members',
            sourceColumn: 'project_id',
            targetColumn: 'user_id',
            derived: (s) => (s.organizationId ? { org_id: s.organizationId } : {}),
            defaults: { status: 'active', role: 'viewer' },
            identity: [],
            required: [],
            resolveSource: resolveEntity,
            resolveTarget: resolveUser,
          };
    case 'assignment':
      expectType(source, ['document', 'requirement'], 'source', type);
      if (target) expectType(target, USER_TYPES, 'target', type);
      return {
        table: 'assignments',
        sourceColumn: 'entity_id',
        targetColumn: 'assignee_id',
        derived: (s) => ({ entity_type: s.type }),
        defaults: { role: 'assignee', status: 'active' },
        identity: ['role'],
        required: [],
        resolveSource: resolveEntity,
        resolveTarget: resolveUser,
      };
    case 'trace_link':
      expectType(source, ['document', 'requirement'], 'source', type);
      if (target) expectType(target, ['document', 'requirement'], 'target', type);
      return {
        table: 'trace_links',
        sourceColumn: 'source_id',
        targetColumn: 'target_id',
        derived: (s, t) => ({ source_type: s.type, ...(t ? { target_type: t.type } : {}) }),
        defaults: {},
        identity: ['link_type'],
        required: ['link_type'],
        resolveSource: resolveEntity,
        resolveTarget: resolveEntity,
      };
    case 'requirement_test':
      expectType(source, ['requirement'], 'source', type);
      if (target) expectType(target, ['test'], 'target', type);
      return {
        table: 'requirement_tests',
        sourceColumn: 'requirement_id',
        targetColumn: 'test_id',
        derived: () => ({}),
        defaults: {},
        identity: [],
        required: [],
        resolveSource: resolveEntity,
        resolveTarget: resolveEntity,
      };
    case 'invitation':
      expectType(source, ['organization', 'project'], 'source', type);
      if (target) expectType(target, ['email', 'user'], 'target', type);
      return {
        table: source.type === 'organization' ? 'organization_invitations' : 'project_invitations',
        sourceColumn: source.type === 'organization' ? 'organization_id' : 'project_id',
        targetColumn: 'email',
        derived: () => ({}),
        defaults: { status: 'pending' },
        identity: [],
        required: [],
        resolveSource: resolveEntity,
        resolveTarget: async (_session, ref) => resolveEmail(ref),
      };
  }
}

/** The metadata columns of a link table: its real columns minus keys, derived and bookkeeping columns. */
export function metadataColumns(kind: LinkKind): string[] {
  const info = tableInfo(kind.table);
  const derived = Object.keys(kind.derived({ type: 'x', id: 'x', organizationId: 'x' }, { type: 'x', id: 'x' }));
  return info.columnNames.filter(
    (c) =>
      !BOOKKEEPING.has(c) &&
      c !== kind.sourceColumn &&
      c !== kind.targetColumn &&
      !derived.includes(c) &&
      !info.columns[c]?.large &&
      !info.columns[c]?.generated,
  );
}

/** Metadata checked against the link table's real columns before anything is sent. */
export function checkMetadata(kind: LinkKind, metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const allowed = metadataColumns(kind);
  const given = metadata ?? {};
  const unknown = Object.keys(given).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw validationError(`Unknown metadata for ${kind.table}: ${unknown.join(', ')}.`, { unknown, allowed });
  }
  return given;
}
