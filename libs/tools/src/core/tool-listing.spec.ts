import { describe, expect, test } from '@jest/globals';
import { atomsTools } from '../tools.js';
import { cachedOperationInputSchema, toolListing } from './tool-listing.js';

describe('toolListing', () => {
  test('is computed once per tool and mode, and the modes differ', () => {
    const [, entity, , workflow] = atomsTools();
    const first = toolListing(entity!, false);
    expect(toolListing(entity!, false)).toBe(first);
    const readOnly = toolListing(entity!, true);
    expect(readOnly).not.toBe(first);
    expect(readOnly?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(JSON.stringify(readOnly?.inputSchema)).not.toContain('"create"');
    expect(JSON.stringify(first?.inputSchema)).toContain('"create"');
    // workflow_tool has only mutating operations: nothing to advertise when read-only.
    expect(toolListing(workflow!, true)).toBeUndefined();
  });

  test('operation input schemas are built once and stay strict', () => {
    const entity = atomsTools()[1]!;
    const read = entity.operations.find((o) => o.name === 'read')!;
    const schema = cachedOperationInputSchema(entity, read);
    expect(cachedOperationInputSchema(entity, read)).toBe(schema);
    expect(schema.safeParse({ operation: 'read', entity_type: 'project', entity_id: 'x', bogus: 1 }).success).toBe(
      false,
    );
  });
});
