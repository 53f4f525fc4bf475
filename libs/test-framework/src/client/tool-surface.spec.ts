import { describe, expect, test } from '@jest/globals';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { TOOL_OPERATIONS, OPERATION_PARAMETER, type AtomsToolName } from './contract.js';
import { acceptedValues, checkToolSurface } from './tool-surface.js';

const annotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false };

function atomsTool(name: AtomsToolName, operations: readonly string[] = TOOL_OPERATIONS[name]): Tool {
  const parameter = OPERATION_PARAMETER[name];
  return {
    name,
    title: name,
    annotations,
    // One branch per operation, as a zod discriminated union produces.
    inputSchema: {
      type: 'object',
      oneOf: operations.map((op) => ({ type: 'object', properties: { [parameter]: { const: op } } })),
    },
    outputSchema: { type: 'object', properties: {} },
  };
}

describe('checkToolSurface', () => {
  test('a complete surface has no problems', () => {
    const tools = (Object.keys(TOOL_OPERATIONS) as AtomsToolName[]).map((name) => atomsTool(name));
    expect(checkToolSurface(tools)).toEqual([]);
  });

  test('reports missing tools, operations, hints, titles and schemas', () => {
    const tools = [
      atomsTool('entity_tool', ['create', 'read']),
      { name: 'query_tool', inputSchema: { type: 'object', properties: { query_type: { enum: ['search'] } } } } as Tool,
    ];
    const problems = checkToolSurface(tools, { allowMissingOperations: ['restore_version'] });
    expect(problems).toContainEqual({ tool: 'workspace_tool', problem: 'not advertised' });
    expect(problems).toContainEqual({
      tool: 'entity_tool',
      problem:
        'operations not accepted: update, delete, search, list, batch_create, archive, restore, bulk_update, bulk_delete, history',
    });
    expect(problems).toContainEqual({ tool: 'query_tool', problem: 'no title' });
    expect(problems).toContainEqual({ tool: 'query_tool', problem: 'annotation readOnlyHint is not declared' });
    expect(problems).toContainEqual({ tool: 'query_tool', problem: 'no output schema' });
  });

  test('acceptedValues reads enum, const and nested union branches', () => {
    expect([...acceptedValues({ properties: { op: { anyOf: [{ const: 'a' }, { const: 'b' }] } } }, 'op')]).toEqual([
      'a',
      'b',
    ]);
  });
});
