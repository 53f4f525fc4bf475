/**
 * The FIXTURE server the framework's own tests run against: a real McpServer exposing a minimal `entity_tool`
 * (create, read, update, delete, list, batch_create) over a real PGlite database with one tiny table. It is NOT
 * the Atoms tools; it follows their contract closely enough to exercise the client, modes, flows and cleanup.
 */
import { PGlite } from '@electric-sql/pglite';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { SqlRollbackScope } from '../../src/harmful/rollback.js';

export const ENTITY_TYPES = ['organization', 'project', 'document', 'requirement', 'test'] as const;

const SCHEMA_SQL = `
  CREATE TABLE fw_entities (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    entity_type text NOT NULL CHECK (entity_type IN ('organization', 'project', 'document', 'requirement', 'test')),
    name text NOT NULL CHECK (length(name) > 0),
    -- RESTRICT: removing a parent before its children fails, so cleanup order is really tested.
    parent_id uuid REFERENCES fw_entities (id) ON DELETE RESTRICT,
    is_deleted boolean NOT NULL DEFAULT false,
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now()
  );
`;

export interface FixtureDatabase {
  pg: PGlite;
  scope: SqlRollbackScope;
}

/** One PGlite per test file (PGlite is heavy): created in beforeAll, closed in afterAll. */
export async function createFixtureDatabase(): Promise<FixtureDatabase> {
  const pg = new PGlite();
  await pg.exec(SCHEMA_SQL);
  return { pg, scope: new SqlRollbackScope(pg) };
}

const row = z.object({
  id: z.string().uuid(),
  entity_type: z.enum(ENTITY_TYPES),
  name: z.string(),
  parent_id: z.string().uuid().nullable(),
  is_deleted: z.boolean(),
  created_by: z.string().nullable(),
});

const entityType = z.enum(ENTITY_TYPES);
const data = z.object({ name: z.string().min(1), parent_id: z.string().uuid().optional() }).strict();

const input = {
  operation: z.enum(['create', 'read', 'update', 'delete', 'list', 'batch_create']),
  entity_type: entityType,
  entity_id: z.string().uuid().optional(),
  data: data.optional(),
  batch: z.array(data).max(100).optional(),
  soft_delete: z.boolean().optional(),
  include_deleted: z.boolean().optional(),
};

const output = {
  id: z.string().uuid().optional(),
  entity_type: z.enum(ENTITY_TYPES).optional(),
  name: z.string().optional(),
  parent_id: z.string().uuid().nullable().optional(),
  is_deleted: z.boolean().optional(),
  created_by: z.string().nullable().optional(),
  items: z.array(row).optional(),
  total: z.number().int().optional(),
  results: z.array(z.object({ index: z.number().int(), ok: z.boolean(), id: z.string().uuid() })).optional(),
  success: z.boolean().optional(),
  soft_delete: z.boolean().optional(),
};

type Row = z.infer<typeof row>;
type Args = { [K in keyof typeof input]: z.infer<(typeof input)[K]> };

class ToolFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

function failure(error: unknown): CallToolResult {
  const structured =
    error instanceof ToolFailure
      ? { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }
      : mapPostgresError(error);
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error: structured }) }] };
}

function mapPostgresError(error: unknown): { code: string; message: string } {
  const code = (error as { code?: string }).code;
  if (code === '23503' || code === '23001')
    return { code: 'validation_error', message: 'Referenced item not found or still referenced' };
  if (code === '23514' || code === '23502') return { code: 'validation_error', message: 'Validation rule failed' };
  if (code === '23505') return { code: 'conflict', message: 'Duplicate value' };
  return { code: 'internal', message: 'internal error' };
}

function success(value: Record<string, unknown>): CallToolResult {
  return { structuredContent: value, content: [{ type: 'text', text: JSON.stringify(value) }] };
}

const COLUMNS = 'id, entity_type, name, parent_id, is_deleted, created_by';

/** The fixture server factory; `caller` is what an authenticated request carried (`authInfo.clientId`). */
export function fixtureServerFactory(db: FixtureDatabase): () => McpServer {
  return () => {
    const server = new McpServer({ name: 'test-framework-fixture', version: '0.0.0' });
    server.registerTool(
      'entity_tool',
      {
        title: 'Fixture entities',
        description: 'Create, read, update, delete and list fixture entities (framework tests only).',
        inputSchema: input,
        outputSchema: output,
        annotations: { destructiveHint: true, idempotentHint: false, readOnlyHint: false, openWorldHint: false },
      },
      async (args: Args, extra): Promise<CallToolResult> => {
        try {
          const caller = extra.authInfo?.clientId ?? null;
          return success(await handle(db, args, caller));
        } catch (error) {
          return failure(error);
        }
      },
    );
    return server;
  };
}

async function readRow(db: FixtureDatabase, type: string, id: string, includeDeleted: boolean): Promise<Row> {
  const { rows } = await db.pg.query<Row>(
    `SELECT ${COLUMNS} FROM fw_entities WHERE id = $1 AND entity_type = $2 AND ($3 OR NOT is_deleted)`,
    [id, type, includeDeleted],
  );
  if (!rows[0]) throw new ToolFailure('not_found', `${type} ${id} not found`, 'list the entities to find an id');
  return rows[0];
}

function requireField<T>(value: T | undefined, name: string, operation: string): T {
  if (value === undefined) throw new ToolFailure('validation_error', `${operation} needs ${name}`);
  return value;
}

async function handle(db: FixtureDatabase, args: Args, caller: string | null): Promise<Record<string, unknown>> {
  switch (args.operation) {
    case 'create': {
      const d = requireField(args.data, 'data', 'create');
      const { rows } = await db.pg.query<Row>(
        `INSERT INTO fw_entities (entity_type, name, parent_id, created_by) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
        [args.entity_type, d.name, d.parent_id ?? null, caller],
      );
      return rows[0]!;
    }
    case 'batch_create': {
      const batch = requireField(args.batch, 'batch', 'batch_create');
      const results = await db.scope.transaction(async () => {
        const out: Array<{ index: number; ok: boolean; id: string }> = [];
        for (const [index, item] of batch.entries()) {
          const { rows } = await db.pg.query<{ id: string }>(
            'INSERT INTO fw_entities (entity_type, name, parent_id, created_by) VALUES ($1, $2, $3, $4) RETURNING id',
            [args.entity_type, item.name, item.parent_id ?? null, caller],
          );
          out.push({ index, ok: true, id: rows[0]!.id });
        }
        return out;
      });
      return { results, total: results.length };
    }
    case 'read':
      return readRow(db, args.entity_type, requireField(args.entity_id, 'entity_id', 'read'), !!args.include_deleted);
    case 'update': {
      const id = requireField(args.entity_id, 'entity_id', 'update');
      const d = requireField(args.data, 'data', 'update');
      await readRow(db, args.entity_type, id, false);
      const { rows } = await db.pg.query<Row>(`UPDATE fw_entities SET name = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [
        id,
        d.name,
      ]);
      return rows[0]!;
    }
    case 'delete': {
      const id = requireField(args.entity_id, 'entity_id', 'delete');
      const soft = args.soft_delete ?? true;
      await readRow(db, args.entity_type, id, !soft);
      if (soft) await db.pg.query('UPDATE fw_entities SET is_deleted = true WHERE id = $1', [id]);
      else await db.pg.query('DELETE FROM fw_entities WHERE id = $1', [id]);
      return { success: true, id, soft_delete: soft };
    }
    case 'list': {
      const { rows } = await db.pg.query<Row>(
        `SELECT ${COLUMNS} FROM fw_entities WHERE entity_type = $1 AND ($2 OR NOT is_deleted) ORDER BY created_at, id`,
        [args.entity_type, !!args.include_deleted],
      );
      return { items: rows, total: rows.length };
    }
  }
}
