import type { Filter, Session } from '@atoms/schema';
import type { Row } from './entity-access.js';

const live = { column: 'is_deleted', op: 'eq', value: false } as Filter;

async function countOf(s: Session, table: 'projects' | 'documents' | 'requirements', column: string, id: string) {
  const { count } = await s.select(table, {
    columns: ['id'] as never,
    filters: [{ column, op: 'eq', value: id } as Filter, live] as never,
    limit: 1,
    count: 'exact',
  });
  return count ?? 0;
}

/**
 * `include_relations` of read (the reference's shape): organization -> member_count, 5 most recent projects;
 * project -> document_count, members with their profile; document -> requirement_count, blocks by position.
 * Everything as the caller: only what RLS shows them.
 */
export async function relationsOf(s: Session, entityType: string, id: string): Promise<Row | undefined> {
  switch (entityType) {
    case 'organization': {
      const members = await s.select('organization_members', {
        columns: ['id'] as never,
        filters: [
          { column: 'organization_id', op: 'eq', value: id },
          { column: 'status', op: 'eq', value: 'active' },
          live,
        ] as never,
        limit: 1,
        count: 'exact',
      });
      const projects = await s.select('projects', {
        columns: ['id', 'name', 'slug', 'updated_at'] as never,
        filters: [{ column: 'organization_id', op: 'eq', value: id } as Filter, live] as never,
        order: [{ column: 'updated_at', ascending: false }] as never,
        limit: 5,
      });
      return { member_count: members.count ?? 0, recent_projects: projects.rows };
    }
    case 'project': {
      const members = await s.select('project_members', {
        columns: ['user_id', 'role', 'status'] as never,
        filters: [{ column: 'project_id', op: 'eq', value: id } as Filter, live] as never,
        order: [{ column: 'created_at', ascending: true }] as never,
        limit: 100,
        count: 'exact',
      });
      const rows = members.rows as unknown as Row[];
      const ids = rows.map((m) => m['user_id']);
      const profiles = ids.length
        ? (
            await s.select('profiles', {
              columns: ['id', 'email', 'full_name'] as never,
              filters: [{ column: 'id', op: 'in', value: ids }] as never,
            })
          ).rows
        : [];
      const byId = new Map((profiles as unknown as Row[]).map((p) => [p['id'], p]));
      return {
        document_count: await countOf(s, 'documents', 'project_id', id),
        member_count: members.count ?? rows.length,
        members: rows.map((m) => ({ ...m, profile: byId.get(m['user_id']) ?? null })),
        // At most 100 members inline; the full list pages through relationship_tool list.
        members_truncated: rows.length < (members.count ?? rows.length),
      };
    }
    case 'document': {
      const blocks = await s.select('blocks', {
        columns: ['id', 'name', 'type', 'position'] as never,
        filters: [{ column: 'document_id', op: 'eq', value: id } as Filter, live] as never,
        order: [{ column: 'position', ascending: true }] as never,
        limit: 100,
        count: 'exact',
      });
      return {
        requirement_count: await countOf(s, 'requirements', 'document_id', id),
        block_count: blocks.count ?? blocks.rows.length,
        blocks: blocks.rows,
        blocks_truncated: blocks.rows.length < (blocks.count ?? blocks.rows.length),
      };
    }
    default:
      return undefined;
  }
}
