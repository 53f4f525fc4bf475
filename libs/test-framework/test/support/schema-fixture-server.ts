/**
 * A second FIXTURE server, on the real Atoms schema through its database port: a minimal `entity_tool`
 * (create, read, delete, list) for organizations, projects and documents, run as the caller (claims from
 * `extra.authInfo`), so triggers and row-level security act. Still not the Atoms tools: it exists to prove the
 * framework's COLD plumbing (rollback scope, cleanup, fixtures) against the real database.
 */
import type { Database, Session } from '@atoms/schema';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const TABLES = { organization: 'organizations', project: 'projects', document: 'documents' } as const;
type EntityType = keyof typeof TABLES;

const input = {
  operation: z.enum(['create', 'read', 'delete', 'list']),
  entity_type: z.enum(['organization', 'project', 'document']),
  entity_id: z.string().uuid().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  soft_delete: z.boolean().optional(),
  include_deleted: z.boolean().optional(),
};

const CODES: Record<string, string> = { validation: 'validation_error' };

function toolError(error: unknown): CallToolResult {
  const e = error as { code?: string; message?: string };
  const code = e.code ? (CODES[e.code] ?? e.code) : 'internal';
  const body = { error: { code, message: e.message ?? String(error) } };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] };
}

function ok(value: Record<string, unknown>): CallToolResult {
  return { structuredContent: value, content: [{ type: 'text', text: JSON.stringify(value) }] };
}

class NotFound extends Error {
  readonly code = 'not_found';
}

async function readRow(s: Session, type: EntityType, id: string, includeDeleted: boolean) {
  const { rows } = await s.select(TABLES[type], {
    columns: ['id', 'name', 'is_deleted'] as never,
    filters: [
      { column: 'id', op: 'eq', value: id },
      ...(includeDeleted ? [] : [{ column: 'is_deleted', op: 'eq', value: false }]),
    ] as never,
  });
  if (!rows[0]) throw new NotFound(`${type} ${id} not found`);
  return rows[0] as Record<string, unknown>;
}

export function schemaFixtureServerFactory(database: Database): () => McpServer {
  return () => {
    const server = new McpServer({ name: 'test-framework-schema-fixture', version: '0.0.0' });
    server.registerTool(
      'entity_tool',
      { description: 'Fixture CRUD on the real schema (framework tests only).', inputSchema: input },
      async (args, extra) => {
        const claims = (extra.authInfo?.extra as { claims?: { sub: string } } | undefined)?.claims;
        if (!claims) return toolError({ code: 'permission_denied', message: 'authentication required' });
        const type = args.entity_type;
        try {
          const value = await database.asUser({ claims }, async (s) => {
            switch (args.operation) {
              case 'create': {
                const [row] = await s.insert(TABLES[type], (args.data ?? {}) as never, {
                  returning: ['id', 'name'] as never,
                });
                return row as Record<string, unknown>;
              }
              case 'read':
                return readRow(s, type, args.entity_id!, !!args.include_deleted);
              case 'delete': {
                const soft = args.soft_delete ?? true;
                await readRow(s, type, args.entity_id!, !soft);
                const filters = [{ column: 'id', op: 'eq', value: args.entity_id }] as never;
                const changed = soft
                  ? await s.update(TABLES[type], { is_deleted: true } as never, { filters })
                  : await s.delete(TABLES[type], { filters });
                if (changed.length === 0)
                  throw Object.assign(new Error('delete refused'), { code: 'permission_denied' });
                return { success: true, id: args.entity_id, soft_delete: soft };
              }
              case 'list': {
                const { rows } = await s.select(TABLES[type], {
                  columns: ['id', 'name'] as never,
                  filters: [{ column: 'is_deleted', op: 'eq', value: false }] as never,
                });
                return { items: rows, total: rows.length };
              }
            }
          });
          return ok(value);
        } catch (error) {
          return toolError(error);
        }
      },
    );
    return server;
  };
}
