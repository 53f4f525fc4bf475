/** @jest-environment @edge-runtime/jest-environment */
/**
 * The factory in the edge runtime (V8 isolate, no Node built-ins, no eval): the server builds, advertises the five
 * tools and answers a call with a structured error when it has no database (DRY-style server).
 */
import { expect, test } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import { createAtomsMcpServer } from '../../src/index.js';

test('builds, lists the tools and returns structured errors inside the edge runtime', async () => {
  expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('string');
  const server = createAtomsMcpServer({ serverOptions: { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() } });
  const client = new Client(
    { name: 'edge-test', version: '0' },
    { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() },
  );
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toEqual([
    'workspace_tool',
    'entity_tool',
    'relationship_tool',
    'workflow_tool',
    'query_tool',
  ]);
  const result = await client.callTool({
    name: 'entity_tool',
    arguments: { operation: 'read', entity_type: 'project' },
  });
  expect(result.isError).toBe(true);
  expect(result.structuredContent).toMatchObject({ error: { code: 'validation_error' } });
  const noDb = await client.callTool({
    name: 'entity_tool',
    arguments: { operation: 'read', entity_type: 'project', entity_id: 'x' },
  });
  expect(noDb.structuredContent).toMatchObject({ error: { code: 'unavailable' } });
  await client.close();
});
