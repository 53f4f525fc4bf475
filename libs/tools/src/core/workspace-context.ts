import type { Filter, Row, Session } from '@atoms/schema';
import { notFound } from './tool-error.js';

export type ContextType = 'organization' | 'project' | 'document';
export const CONTEXT_TYPES = ['organization', 'project', 'document'] as const;
const RECENT_LIMIT = 10;

export interface WorkspaceContext {
  organization_id: string | null;
  project_id: string | null;
  document_id: string | null;
  recent_organizations: string[];
  recent_projects: string[];
  recent_documents: string[];
  updated_at: string | null;
}

const EMPTY: WorkspaceContext = {
  organization_id: null,
  project_id: null,
  document_id: null,
  recent_organizations: [],
  recent_projects: [],
  recent_documents: [],
  updated_at: null,
};

function scopeFilters(userId: string, sessionId: string | undefined): Filter[] {
  return [
    { column: 'user_id', op: 'eq', value: userId },
    sessionId === undefined
      ? { column: 'session_id', op: 'is_null', value: true }
      : { column: 'session_id', op: 'eq', value: sessionId },
  ] as Filter[];
}

/** The persisted context of the user (per MCP session when there is one), or an empty one. */
export async function loadWorkspaceContext(
  session: Session,
  userId: string,
  sessionId: string | undefined,
): Promise<WorkspaceContext> {
  const { rows } = await session.select('workspace_contexts', {
    filters: scopeFilters(userId, sessionId) as never,
    limit: 1,
  });
  const row = rows[0] as Row<'workspace_contexts'> | undefined;
  if (!row) return { ...EMPTY };
  return {
    organization_id: row.organization_id,
    project_id: row.project_id,
    document_id: row.document_id,
    recent_organizations: row.recent_organizations,
    recent_projects: row.recent_projects,
    recent_documents: row.recent_documents,
    updated_at: row.updated_at,
  };
}

/** Writes the context (upsert of the caller's own row; RLS: own rows only). */
export async function saveWorkspaceContext(
  session: Session,
  userId: string,
  sessionId: string | undefined,
  context: Omit<WorkspaceContext, 'updated_at'>,
): Promise<WorkspaceContext> {
  const values = {
    organization_id: context.organization_id,
    project_id: context.project_id,
    document_id: context.document_id,
    recent_organizations: context.recent_organizations,
    recent_projects: context.recent_projects,
    recent_documents: context.recent_documents,
  };
  // One upsert (unique nulls-not-distinct on user_id, session_id): concurrent requests of one user cannot collide.
  const [row] = (await session.insert(
    'workspace_contexts',
    { ...values, user_id: userId, session_id: sessionId ?? null, updated_at: new Date() } as never,
    { onConflict: { columns: ['user_id', 'session_id'] as never } },
  )) as Row<'workspace_contexts'>[];
  if (!row) throw new Error('workspace context upsert returned no row');
  return { ...values, updated_at: row.updated_at };
}

export function pushRecent(list: readonly string[], id: string): string[] {
  return [id, ...list.filter((x) => x !== id)].slice(0, RECENT_LIMIT);
}

async function visible(session: Session, table: 'organizations' | 'projects' | 'documents', id: string | null) {
  if (!id) return undefined;
  const { rows } = await session.select(table, {
    columns: ['id', 'is_deleted'] as never,
    filters: [
      { column: 'id', op: 'eq', value: id },
      { column: 'is_deleted', op: 'eq', value: false },
    ] as never,
    limit: 1,
  });
  return rows[0] ? id : undefined;
}

/** `id` when it is visible, not deleted, and a child of `parent` (a context entry from another org is ignored). */
async function childOf(
  session: Session,
  table: 'projects' | 'documents',
  id: string | null,
  parentColumn: string,
  parent: string,
): Promise<string | undefined> {
  if (!id) return undefined;
  const { rows } = await session.select(table, {
    columns: ['id'] as never,
    filters: [
      { column: 'id', op: 'eq', value: id },
      { column: parentColumn, op: 'eq', value: parent },
      { column: 'is_deleted', op: 'eq', value: false },
    ] as never,
    limit: 1,
  });
  return rows[0] ? id : undefined;
}

async function mostRecent(
  session: Session,
  table: 'organizations' | 'projects' | 'documents',
  parent?: { column: string; id: string },
): Promise<string | undefined> {
  const filters: Filter[] = [{ column: 'is_deleted', op: 'eq', value: false } as Filter];
  if (parent) filters.push({ column: parent.column, op: 'eq', value: parent.id } as Filter);
  const { rows } = await session.select(table, {
    columns: ['id'] as never,
    filters: filters as never,
    order: [{ column: 'updated_at', ascending: false }] as never,
    limit: 1,
  });
  return (rows[0] as { id: string } | undefined)?.id;
}

export interface Defaults {
  organization_id: string | null;
  project_id: string | null;
  document_id: string | null;
  /** Where each value came from: context, personal, most_recent, or null when nothing fits. */
  sources: Record<ContextType, 'context' | 'personal' | 'most_recent' | null>;
}

/**
 * What `"auto"` means for this caller right now: the persisted context (if still visible and not deleted), then
 * the personal organization, then the most recently updated one; projects and documents likewise within their
 * parent. Only what the caller can see (RLS) is considered.
 */
export async function resolveDefaults(
  session: Session,
  userId: string,
  sessionId: string | undefined,
): Promise<Defaults> {
  const context = await loadWorkspaceContext(session, userId, sessionId);
  const sources: Defaults['sources'] = { organization: null, project: null, document: null };

  let organization = await visible(session, 'organizations', context.organization_id);
  if (organization) sources.organization = 'context';
  else {
    const { rows } = await session.select('profiles', {
      columns: ['personal_organization_id'] as never,
      filters: [{ column: 'id', op: 'eq', value: userId }] as never,
      limit: 1,
    });
    const personal = (rows[0] as { personal_organization_id: string | null } | undefined)?.personal_organization_id;
    organization = await visible(session, 'organizations', personal ?? null);
    if (organization) sources.organization = 'personal';
    else {
      organization = await mostRecent(session, 'organizations');
      if (organization) sources.organization = 'most_recent';
    }
  }

  let project = organization
    ? await childOf(session, 'projects', context.project_id, 'organization_id', organization)
    : undefined;
  if (project) sources.project = 'context';
  else if (organization) {
    project = await mostRecent(session, 'projects', { column: 'organization_id', id: organization });
    if (project) sources.project = 'most_recent';
  }

  let document = project ? await childOf(session, 'documents', context.document_id, 'project_id', project) : undefined;
  if (document) sources.document = 'context';
  else if (project) {
    document = await mostRecent(session, 'documents', { column: 'project_id', id: project });
    if (document) sources.document = 'most_recent';
  }
  return {
    organization_id: organization ?? null,
    project_id: project ?? null,
    document_id: document ?? null,
    sources,
  };
}

const AUTO_FIELDS = { organization_id: 'organization', project_id: 'project', document_id: 'document' } as const;

/**
 * Replaces `"auto"` in organization_id / project_id / document_id of `data` with the caller's defaults; a clear
 * `not_found` when nothing fits. Returns a new object; `data` without "auto" is returned unchanged.
 */
export async function applyAutoDefaults<T extends Record<string, unknown>>(
  session: Session,
  userId: string,
  sessionId: string | undefined,
  data: T,
): Promise<T> {
  const autoKeys = (Object.keys(AUTO_FIELDS) as (keyof typeof AUTO_FIELDS)[]).filter((k) => data[k] === 'auto');
  if (autoKeys.length === 0) return data;
  const defaults = await resolveDefaults(session, userId, sessionId);
  const out: Record<string, unknown> = { ...data };
  for (const key of autoKeys) {
    const value = defaults[key];
    if (!value) {
      throw notFound(
        `No active ${AUTO_FIELDS[key]} found for "auto".`,
        { field: key },
        `Set one with workspace_tool set_context (context_type "${AUTO_FIELDS[key]}"), or pass an id.`,
      );
    }
    out[key] = value;
  }
  return out as T;
}
