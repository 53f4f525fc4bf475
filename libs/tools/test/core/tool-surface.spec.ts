import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  AtomsTestClient,
  checkToolSurface,
  compileSchema,
  createModeEnvironment,
  McpToolError,
} from '@atoms/test-framework';
import type { FixtureWorkspace } from '@atoms/test-framework/database';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { atomsTools, createAtomsMcpServer } from '../../src/index.js';
import { openToolsHarness, type ToolsHarness } from './harness.js';

const MUTATING = {
  workspace_tool: ['set_context', 'clear_context'],
  entity_tool: [
    'create',
    'update',
    'delete',
    'batch_create',
    'archive',
    'restore',
    'bulk_update',
    'bulk_delete',
    'restore_version',
  ],
  relationship_tool: ['link', 'unlink', 'update'],
  workflow_tool: [
    'setup_project',
    'import_requirements',
    'setup_test_matrix',
    'bulk_status_update',
    'organization_onboarding',
  ],
} as Record<string, string[]>;

async function listTools(server: () => ReturnType<typeof createAtomsMcpServer>): Promise<Tool[]> {
  const client = await AtomsTestClient.connect({ kind: 'in-process', server });
  try {
    return await client.listTools();
  } finally {
    await client.close();
  }
}

function operationsOf(tool: Tool): string[] {
  const property = Object.values(
    (tool.inputSchema as { properties: Record<string, { enum?: string[] }> }).properties,
  )[0];
  return property?.enum ?? [];
}

describe('the advertised surface (no database: DRY building touches none)', () => {
  let tools: Tool[];
  beforeAll(async () => {
    tools = await listTools(() => createAtomsMcpServer());
  });

  test('tools in a stable order with titles, hints, object input and output schemas', () => {
    expect(tools.map((t) => t.name)).toEqual(atomsTools().map((t) => t.name));
    expect(tools.map((t) => t.name)).toEqual([
      'workspace_tool',
      'entity_tool',
      'relationship_tool',
      'workflow_tool',
      'query_tool',
    ]);
    expect(checkToolSurface(tools)).toEqual([]);
  });

  test('every input and output schema compiles as JSON Schema', () => {
    for (const tool of tools) {
      expect(() => compileSchema(tool.inputSchema as Record<string, unknown>)).not.toThrow();
      expect(() => compileSchema(tool.outputSchema as Record<string, unknown>)).not.toThrow();
    }
  });

  test('the output schema admits the error envelope', () => {
    for (const tool of tools) {
      const check = compileSchema(tool.outputSchema as Record<string, unknown>);
      expect(check({ error: { code: 'not_found', message: 'x' } })).toEqual({ valid: true });
    }
  });

  test('read-only mode removes every mutating operation from the schemas', async () => {
    const readOnly = await listTools(() => createAtomsMcpServer({ readOnly: true }));
    expect(readOnly.map((t) => t.name)).not.toContain('workflow_tool'); // every workflow writes
    for (const tool of readOnly) {
      const operations = operationsOf(tool);
      expect(operations.length).toBeGreaterThan(0);
      for (const mutating of MUTATING[tool.name] ?? []) expect(operations).not.toContain(mutating);
      expect(tool.annotations?.readOnlyHint).toBe(true);
    }
    const full = tools.find((t) => t.name === 'workspace_tool')!;
    expect(operationsOf(full)).toContain('set_context');
  });
});

describe('DRY mode (the test framework simulates results from the advertised schemas)', () => {
  test('valid calls get schema-valid results; invalid ones are refused', async () => {
    const env = await createModeEnvironment({ mode: 'DRY', server: () => createAtomsMcpServer() });
    try {
      // The output schema is the union of every operation's result, so the simulated value is any of them.
      expect(typeof (await env.client.entity.list('requirement', { limit: 5 }))).toBe('object');
      await expect(env.client.entity.list('requirement', { limit: 500 })).rejects.toMatchObject({
        code: 'validation_error',
      });
      await expect(
        env.client.relationship.link('trace_link', { type: 'requirement', id: 'a' }, { type: 'requirement', id: 'b' }),
      ).resolves.toBeDefined();
    } finally {
      await env.close();
    }
  });
});

describe('calls', () => {
  let h: ToolsHarness;
  let ro: ToolsHarness;
  let ws: FixtureWorkspace;
  beforeAll(async () => {
    h = await openToolsHarness();
    ws = await h.fixtures.workspace();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await ro?.close();
  });

  test('a caller without verified claims is refused', async () => {
    const anonymous = await h.env.connect({ authInfo: { token: 'x', clientId: 'c', scopes: [] } });
    const error = await anonymous.workspace.getContext().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpToolError);
    expect((error as McpToolError).code).toBe('permission_denied');
  });

  test('an unknown tool stays a protocol error', async () => {
    const client = await h.clientFor(ws.owner);
    await expect(client.sdk.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/not found/);
  });

  test('read-only mode refuses a mutating call and changes nothing', async () => {
    ro = await openToolsHarness({ readOnly: true });
    const user = await ro.fixtures.user();
    const client = await ro.clientFor(user);
    const error = (await client.workspace
      .setContext('organization', user.personalOrganizationId!)
      .catch((e: unknown) => e)) as McpToolError;
    expect(error.code).toBe('permission_denied');
    expect(error.message).toMatch(/read-only/);
    expect(await ro.count('workspace_contexts', 'user_id = $1', [user.id])).toBe(0);
    expect(await client.workspace.getContext()).toHaveProperty('context');
  }, 60_000);
});
