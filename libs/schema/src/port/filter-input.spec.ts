import { DatabaseError } from '../errors/database-error.js';
import { filtersInputSchema, parseFilters, parseOrder } from './filter-input.js';

function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).code).toBe('validation');
    return (error as DatabaseError).message;
  }
  throw new Error('expected a validation error');
}

describe('tool filter and order input', () => {
  it('turns equality maps and operator objects into filters', () => {
    expect(
      parseFilters('requirements', {
        status: 'active',
        priority: { in: ['high', 'critical'] },
        name: { ilike: '%login%', neq: 'x' },
        tags: null,
        external_id: ['REQ-1', 'REQ-2'],
        properties: { status: 'active' },
      }),
    ).toEqual([
      { column: 'status', op: 'eq', value: 'active' },
      { column: 'priority', op: 'in', value: ['high', 'critical'] },
      { column: 'name', op: 'ilike', value: '%login%' },
      { column: 'name', op: 'neq', value: 'x' },
      { column: 'tags', op: 'is_null', value: true },
      { column: 'external_id', op: 'in', value: ['REQ-1', 'REQ-2'] },
      { column: 'properties', op: 'eq', value: { status: 'active' } },
    ]);
    expect(parseFilters('requirements', undefined)).toEqual([]);
  });

  it('refuses unknown columns and malformed conditions', () => {
    expect(validationMessage(() => parseFilters('requirements', { password: 'x' }))).toMatch(
      /Unknown column requirements.password/,
    );
    expect(validationMessage(() => parseFilters('requirements', { name: { in: 'x' } }))).toMatch(/needs a list/);
    expect(validationMessage(() => parseFilters('nope', {}))).toMatch(/Unknown table/);
    expect(validationMessage(() => parseFilters('requirements', [1]))).toMatch(/must be an object/);
  });

  it('parses order_by strings and lists', () => {
    expect(parseOrder('requirements', 'name')).toEqual([{ column: 'name', ascending: true }]);
    expect(parseOrder('requirements', ['priority:desc', 'created_at:ASC'])).toEqual([
      { column: 'priority', ascending: false },
      { column: 'created_at', ascending: true },
    ]);
    expect(validationMessage(() => parseOrder('requirements', 'name:sideways'))).toMatch(/expected/);
    expect(validationMessage(() => parseOrder('requirements', 'embedding:desc'))).toMatch(/cannot sort/);
    expect(validationMessage(() => parseOrder('requirements', 'nope'))).toMatch(/Unknown column/);
  });

  it('offers a zod schema for the filters parameter', () => {
    expect(filtersInputSchema.safeParse({ a: 1, b: { gte: 2 }, c: null, d: ['x'] }).success).toBe(true);
    expect(filtersInputSchema.safeParse({ a: { bogus: 1 } }).success).toBe(false);
  });
});
