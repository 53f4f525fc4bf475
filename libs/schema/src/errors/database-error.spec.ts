import { describe, expect, it } from '@jest/globals';
import { DatabaseError } from './database-error.js';

describe('DatabaseError.step', () => {
  const stepOf = (hint: string | undefined) => new DatabaseError('validation', 'refused', { hint }).step;

  it('reads the workflow step from the hint, an index or id after a colon included', () => {
    expect(stepOf('atoms_step:create_documents')).toBe('create_documents');
    expect(stepOf('atoms_step:create_requirement:2')).toBe('create_requirement:2');
    expect(stepOf('atoms_step:create_test:6f1c2a8e-3b7d-4c1e-9f0a-2d5b8c7e4a10')).toBe(
      'create_test:6f1c2a8e-3b7d-4c1e-9f0a-2d5b8c7e4a10',
    );
  });

  it('stops at the original hint appended after a semicolon', () => {
    expect(stepOf('atoms_step:link_test:abc-1; pass a table name such as requirements')).toBe('link_test:abc-1');
  });

  it('is undefined without the prefix, and an explicit step wins', () => {
    expect(stepOf('pass a table name')).toBeUndefined();
    expect(stepOf(undefined)).toBeUndefined();
    expect(stepOf('see atoms_step:x')).toBeUndefined();
    expect(new DatabaseError('validation', 'x', { hint: 'atoms_step:a:1', step: 'b' }).step).toBe('b');
  });
});
