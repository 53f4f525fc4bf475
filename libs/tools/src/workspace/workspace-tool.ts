import type { Filter, Session } from '@atoms/schema';
import { z } from 'zod';
import { notFound } from '../core/tool-error.js';
import { defineOperation, defineTool, type ToolContext } from '../core/tool-definition.js';
import { resolveEntityRef } from '../core/name-resolution.js';
import { buildPage, pageOutput, pageRequest, paginationInput, queryFingerprint } from '../core/pagination.js';
import {
  CONTEXT_TYPES,
  loadWorkspaceContext,
  pushRecent,
  resolveDefaults,
  saveWorkspaceContext,
  type ContextType,
  type WorkspaceContext,
} from '../core/workspace-context.js';

const TABLE = { organization: 'organizations', project: 'projects', document: 'documents' } as const;
const uuid = z.string();

const entitySummary = z.object({ id: z.string(), name: z.string() }).nullable();
const contextOutput = z.object({
  context: z.object({
    organization_id: uuid.nullable(),
    project_id: uuid.nullable(),
    document_id: uuid.nullable(),
    recent_organizations: z.array(uuid),
    recent_projects: z.array(uuid),
    recent_documents: z.array(uuid),
    updated_at: z.string().nullable(),
  }),
  organization: entitySummary,
  project: entitySummary,
  document: entitySummary,
  session_scoped: z.boolean(),
});

async function nameOf(session: Session, type: ContextType, id: string | null) {
  if (!id) return null;
  const { rows } = await session.select(TABLE[type], {
    columns: ['id', 'name'] as never,
    filters: [
      { column: 'id', op: 'eq', value: id },
      { column: 'is_deleted', op: 'eq', value: false },
    ] as never,
    limit: 1,
  });
  const row = rows[0] as { id: string; name: string } | undefined;
  return row ? { id: row.id, name: row.name } : null;
}

async function describeContext(session: Session, context: WorkspaceContext, ctx: ToolContext) {
  // One after another: the statements of a unit of work share one connection.
  const organization = await nameOf(session, 'organization', context.organization_id);
  const project = await nameOf(session, 'project', context.project_id);
  const document = await nameOf(session, 'document', context.document_id);
  return { context, organization, project, document, session_scoped: ctx.sessionId !== undefined };
}

const getContext = defineOperation({
  name: 'get_context',
  description: 'The active organization, project and document (persisted per user), with recent lists.',
  mutating: false,
  input: z.object({}),
  output: contextOutput,
  handler: (_args, ctx) =>
    ctx.asUser(async (s) => describeContext(s, await loadWorkspaceContext(s, ctx.user.claims.sub, ctx.sessionId), ctx)),
});

async function parentOf(session: Session, type: 'project' | 'document', id: string) {
  const { rows } = await session.select(TABLE[type], {
    columns: (type === 'project' ? ['id', 'organization_id'] : ['id', 'project_id']) as never,
    filters: [
      { column: 'id', op: 'eq', value: id },
      { column: 'is_deleted', op: 'eq', value: false },
    ] as never,
    limit: 1,
  });
  const row = rows[0] as unknown as Record<string, string> | undefined;
  if (!row) throw notFound(`${type} ${id} not found or has been deleted.`, { context_type: type, entity_id: id });
  return type === 'project' ? row['organization_id']! : row['project_id']!;
}

const setContext = defineOperation({
  name: 'set_context',
  description:
    'Makes an organization, project or document (id or name) active; a project also activates its organization, a document its project and organization.',
  mutating: true,
  input: z.object({
    context_type: z.enum(CONTEXT_TYPES),
    entity_id: z.string().min(1).describe('UUID or name.'),
  }),
  output: contextOutput.extend({ resolved: z.object({ id: z.string(), matched_by: z.string() }) }),
  handler: ({ context_type, entity_id }, ctx) =>
    ctx.asUser(async (s) => {
      const resolved = await resolveEntityRef(s, TABLE[context_type], entity_id, { label: context_type });
      const current = await loadWorkspaceContext(s, ctx.user.claims.sub, ctx.sessionId);
      let organizationId: string;
      let projectId: string | null = null;
      let documentId: string | null = null;
      if (context_type === 'document') {
        documentId = resolved.id;
        projectId = await parentOf(s, 'document', documentId);
        organizationId = await parentOf(s, 'project', projectId);
      } else if (context_type === 'project') {
        projectId = resolved.id;
        organizationId = await parentOf(s, 'project', projectId);
        if (current.project_id === projectId) documentId = current.document_id;
      } else {
        const exists = await nameOf(s, 'organization', resolved.id);
        if (!exists) {
          throw notFound(`organization ${resolved.id} not found or has been deleted.`, {
            context_type,
            entity_id: resolved.id,
          });
        }
        organizationId = resolved.id;
        if (current.organization_id === organizationId) {
          projectId = current.project_id;
          documentId = current.document_id;
        }
      }
      const next = await saveWorkspaceContext(s, ctx.user.claims.sub, ctx.sessionId, {
        organization_id: organizationId,
        project_id: projectId,
        document_id: documentId,
        recent_organizations: pushRecent(current.recent_organizations, organizationId),
        recent_projects: projectId ? pushRecent(current.recent_projects, projectId) : current.recent_projects,
        recent_documents: documentId ? pushRecent(current.recent_documents, documentId) : current.recent_documents,
      });
      return {
        ...(await describeContext(s, next, ctx)),
        resolved: { id: resolved.id, matched_by: resolved.matched_by },
      };
    }),
});

const clearContext = defineOperation({
  name: 'clear_context',
  description:
    'Clears the active document, project or organization (with what lies below it); without context_type clears everything, recent lists included.',
  mutating: true,
  input: z.object({ context_type: z.enum(CONTEXT_TYPES).optional() }),
  output: contextOutput,
  handler: ({ context_type }, ctx) =>
    ctx.asUser(async (s) => {
      const current = await loadWorkspaceContext(s, ctx.user.claims.sub, ctx.sessionId);
      const level = context_type ?? 'all';
      const next = await saveWorkspaceContext(s, ctx.user.claims.sub, ctx.sessionId, {
        organization_id: level === 'organization' || level === 'all' ? null : current.organization_id,
        project_id: level === 'document' ? current.project_id : null,
        document_id: null,
        recent_organizations: level === 'all' ? [] : current.recent_organizations,
        recent_projects: level === 'all' ? [] : current.recent_projects,
        recent_documents: level === 'all' ? [] : current.recent_documents,
      });
      return describeContext(s, next, ctx);
    }),
});

const workspaceItem = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  type: z.string(),
  status: z.string().nullable(),
  role: z.string(),
  project_count: z.number().int(),
  is_active: z.boolean(),
});

const listWorkspaces = defineOperation({
  name: 'list_workspaces',
  description: 'Organizations where the caller is an active member, with role and project count, paged.',
  mutating: false,
  input: z.object(paginationInput),
  output: z.object({ items: z.array(workspaceItem), ...pageOutput, active_organization_id: z.string().nullable() }),
  handler: (args, ctx) =>
    ctx.asUser(async (s) => {
      const fingerprint = queryFingerprint({ op: 'list_workspaces' });
      const request = pageRequest(args, fingerprint);
      const memberships = await s.select('organization_members', {
        columns: ['organization_id', 'role'] as never,
        filters: [
          { column: 'user_id', op: 'eq', value: ctx.user.claims.sub },
          { column: 'status', op: 'eq', value: 'active' },
          { column: 'is_deleted', op: 'eq', value: false },
        ] as never,
      });
      const roles = new Map(
        (memberships.rows as unknown as { organization_id: string; role: string }[]).map((m) => [
          m.organization_id,
          m.role,
        ]),
      );
      const page = await s.select('organizations', {
        columns: ['id', 'name', 'slug', 'type', 'status'] as never,
        filters: [
          { column: 'id', op: 'in', value: [...roles.keys()] },
          { column: 'is_deleted', op: 'eq', value: false },
        ] as never,
        order: [{ column: 'name' }] as never,
        limit: request.limit,
        offset: request.offset,
        count: 'exact',
      });
      const context = await loadWorkspaceContext(s, ctx.user.claims.sub, ctx.sessionId);
      const orgs = page.rows as unknown as {
        id: string;
        name: string;
        slug: string;
        type: string;
        status: string | null;
      }[];
      const items = [];
      for (const org of orgs) {
        const projects = await s.select('projects', {
          columns: ['id'] as never,
          filters: [
            { column: 'organization_id', op: 'eq', value: org.id },
            { column: 'is_deleted', op: 'eq', value: false },
          ] as Filter[] as never,
          limit: 1,
          count: 'exact',
        });
        items.push({
          ...org,
          role: roles.get(org.id)!,
          project_count: projects.count ?? 0,
          is_active: context.organization_id === org.id,
        });
      }
      return {
        ...buildPage(items, page.count ?? items.length, request, fingerprint),
        active_organization_id: context.organization_id,
      };
    }),
});

const getDefaults = defineOperation({
  name: 'get_defaults',
  description:
    'What "auto" resolves to now: organization (context, else personal, else most recent), then project and document within it.',
  mutating: false,
  input: z.object({}),
  output: z.object({
    organization_id: z.string().nullable(),
    project_id: z.string().nullable(),
    document_id: z.string().nullable(),
    sources: z.object({
      organization: z.string().nullable(),
      project: z.string().nullable(),
      document: z.string().nullable(),
    }),
  }),
  handler: (_args, ctx) =>
    ctx.asUser(async (s) => ({ ...(await resolveDefaults(s, ctx.user.claims.sub, ctx.sessionId)) })),
});

const getBreadcrumbs = defineOperation({
  name: 'get_breadcrumbs',
  description: 'The path of the active context: [{type, id, name}] from organization down to document.',
  mutating: false,
  input: z.object({}),
  output: z.object({
    breadcrumbs: z.array(z.object({ type: z.enum(CONTEXT_TYPES), id: z.string(), name: z.string() })),
  }),
  handler: (_args, ctx) =>
    ctx.asUser(async (s) => {
      const context = await loadWorkspaceContext(s, ctx.user.claims.sub, ctx.sessionId);
      const crumbs = [];
      for (const type of CONTEXT_TYPES) {
        const entry = await nameOf(s, type, context[`${type}_id`]);
        if (!entry) break;
        crumbs.push({ type, ...entry });
      }
      return { breadcrumbs: crumbs };
    }),
});

export const workspaceTool = defineTool({
  name: 'workspace_tool',
  title: 'Workspace context',
  description:
    'The active organization/project/document (persisted per user, so it survives stateless requests), the workspaces you belong to, and the defaults "auto" resolves to.',
  operationParameter: 'operation',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  operations: [getContext, setContext, listWorkspaces, getDefaults, clearContext, getBreadcrumbs],
});
