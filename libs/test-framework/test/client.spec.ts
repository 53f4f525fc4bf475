import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { AtomsTestClient } from '../src/client/atoms-client.js';
import { McpToolError } from '../src/client/tool-error.js';
import type { ToolCallEvent } from '../src/client/atoms-client.js';
import { createFixtureDatabase, fixtureServerFactory, type FixtureDatabase } from './support/fixture-server.js';
import { startFixtureHttpServer, type FixtureHttpServer } from './support/http-server.js';

let db: FixtureDatabase;
let client: AtomsTestClient;

beforeAll(async () => {
  db = await createFixtureDatabase();
  client = await AtomsTestClient.connect({
    kind: 'in-process',
    server: fixtureServerFactory(db),
    authInfo: { token: 'in-process-token', clientId: 'user-alice', scopes: [] },
  });
});

afterAll(async () => {
  await client.close();
  await db.pg.close();
});

describe('in-process client', () => {
  test('typed helpers unwrap structuredContent and reach the real database', async () => {
    const created = await client.entity.create('organization', { name: 'Acme' });
    expect(created).toMatchObject({ entity_type: 'organization', name: 'Acme', is_deleted: false });
    const { rows } = await db.pg.query<{ name: string }>('SELECT name FROM fw_entities WHERE id = $1', [created.id]);
    expect(rows).toEqual([{ name: 'Acme' }]);
    await expect(client.entity.read('organization', created.id)).resolves.toMatchObject({ id: created.id });
  });

  test('authInfo reaches the handlers as if a bearer token had been verified', async () => {
    const created = await client.entity.create('organization', { name: 'Owned' });
    expect(created['created_by']).toBe('user-alice');
  });

  test('a contract error surfaces as McpToolError with its code, message and hint', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const error = await client.entity.read('project', missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpToolError);
    expect(error).toMatchObject({
      code: 'not_found',
      tool: 'entity_tool',
      operation: 'read',
      hint: 'list the entities to find an id',
    });
    expect((error as McpToolError).message).toContain(`project ${missing} not found`);
  });

  test('a database refusal maps to validation_error and changes nothing', async () => {
    const before = await db.pg.query('SELECT count(*)::int AS n FROM fw_entities');
    const error = await client.entity
      .create('project', { name: 'orphan', parent_id: '00000000-0000-4000-8000-000000000001' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'McpToolError', code: 'validation_error' });
    const after = await db.pg.query('SELECT count(*)::int AS n FROM fw_entities');
    expect(after.rows).toEqual(before.rows);
  });

  test('an isError result without a structured error is an unstructured_error (the SDK input validation)', async () => {
    const error = await client.callTool('entity_tool', { operation: 'read', entity_type: 'nope' }).catch((e) => e);
    expect(error).toBeInstanceOf(McpToolError);
    expect((error as McpToolError).code).toBe('unstructured_error');
    expect((error as McpToolError).message).toMatch(/Input validation error/);
  });

  test('expectToolError returns the typed error and fails on success', async () => {
    const error = await client.expectToolError('entity_tool', { operation: 'update', entity_type: 'test' });
    expect(error.code).toBe('validation_error');
    await expect(client.expectToolError('entity_tool', { operation: 'list', entity_type: 'test' })).rejects.toThrow(
      /expected to fail but succeeded/,
    );
  });

  test('listeners see every call with the inferred operation, value and error', async () => {
    const events: ToolCallEvent[] = [];
    const stop = client.onToolCall((event) => events.push(event));
    const created = await client.entity.create('document', { name: 'Spec' });
    await client.entity.read('document', '00000000-0000-4000-8000-000000000002').catch(() => undefined);
    stop();
    await client.entity.list('document');
    expect(events.map((e) => [e.tool, e.operation, e.error?.code])).toEqual([
      ['entity_tool', 'create', undefined],
      ['entity_tool', 'read', 'not_found'],
    ]);
    expect(events[0]!.value).toMatchObject({ id: created.id });
  });

  test('listTools returns the advertised tools with their schemas', async () => {
    const tools = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['entity_tool']);
    expect(tools[0]!.inputSchema).toMatchObject({ type: 'object', required: ['operation', 'entity_type'] });
  });
});

describe('HTTP client (Streamable HTTP, bearer token)', () => {
  let http: FixtureHttpServer;

  beforeAll(async () => {
    http = await startFixtureHttpServer(fixtureServerFactory(db), 'secret-token');
  });

  afterAll(async () => {
    await http.close();
  });

  test('sends the bearer token on every request and unwraps results', async () => {
    const remote = await AtomsTestClient.connect({ kind: 'http', url: http.url, token: 'secret-token' });
    try {
      const created = await remote.entity.create('organization', { name: 'Over HTTP' });
      expect(created.name).toBe('Over HTTP');
      expect(http.authorizations.length).toBeGreaterThanOrEqual(3);
      expect(new Set(http.authorizations)).toEqual(new Set(['Bearer secret-token']));
    } finally {
      await remote.close();
    }
  });

  test('a token function is asked before every request', async () => {
    let asked = 0;
    const remote = await AtomsTestClient.connect({
      kind: 'http',
      url: http.url,
      token: () => {
        asked += 1;
        return 'secret-token';
      },
    });
    try {
      await remote.entity.list('organization');
      expect(asked).toBeGreaterThanOrEqual(3);
    } finally {
      await remote.close();
    }
  });

  test('a wrong token is refused at connect', async () => {
    await expect(AtomsTestClient.connect({ kind: 'http', url: http.url, token: 'wrong' })).rejects.toThrow();
  });

  test('an unknown tool is reported, not silently ignored', async () => {
    const remote = await AtomsTestClient.connect({ kind: 'http', url: http.url, token: 'secret-token' });
    try {
      const error = await remote.callTool('no_such_tool', {}).catch((e: unknown) => e);
      // The SDK's McpServer answers an unknown tool with an isError result; a server that keeps it a JSON-RPC
      // error (the Atoms contract) surfaces as McpError instead. Either way the call fails loudly.
      expect(error instanceof McpToolError || error instanceof McpError).toBe(true);
      expect(String((error as Error).message)).toMatch(/no_such_tool/);
    } finally {
      await remote.close();
    }
  });
});
