import { describe, expect, test } from '@jest/globals';
import { compileSchema } from './json-schema.js';
import { sampleFromSchema } from './sample-from-schema.js';

describe('sampleFromSchema', () => {
  test('honours formats, enums, bounds, required properties and nested arrays', () => {
    const schema = {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        created_at: { type: 'string', format: 'date-time' },
        status: { type: 'string', enum: ['draft', 'active'] },
        priority: { type: 'integer', minimum: 3, maximum: 9 },
        score: { type: 'number', exclusiveMinimum: 0.5 },
        tags: { type: 'array', items: { type: 'string', minLength: 12 }, minItems: 2 },
        parent_id: { type: ['string', 'null'] },
      },
      required: ['id', 'status'],
      additionalProperties: false,
    };
    const value = sampleFromSchema(schema) as Record<string, unknown>;
    expect(compileSchema(schema)(value)).toEqual({ valid: true });
    expect(value['id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
    expect(value['status']).toBe('draft');
    expect(value['priority']).toBe(3);
    expect(value['tags']).toHaveLength(2);
    expect(value['parent_id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('resolves $ref into $defs and picks a valid branch of oneOf/anyOf', () => {
    const schema = {
      $defs: { item: { type: 'object', properties: { kind: { const: 'row' } }, required: ['kind'] } },
      type: 'object',
      properties: {
        item: { $ref: '#/$defs/item' },
        either: { oneOf: [{ type: 'string', maxLength: 2, minLength: 5 }, { type: 'boolean' }] },
      },
      required: ['item', 'either'],
    };
    expect(sampleFromSchema(schema)).toEqual({ item: { kind: 'row' }, either: false });
  });

  test('prefers hints that fit and ignores those that do not', () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 10 }, count: { type: 'integer' } },
      required: ['name', 'count'],
    };
    expect(sampleFromSchema(schema, { hints: { name: 'Echoed', count: 'not a number' } })).toEqual({
      name: 'Echoed',
      count: 0,
    });
  });

  test('refuses a schema it cannot satisfy instead of returning an invalid value', () => {
    expect(() => sampleFromSchema({ type: 'string', pattern: '^[0-9]{4}$' })).toThrow(/cannot simulate a value/);
  });
});

test('merges allOf parts, $ref parts included', () => {
  const schema = {
    $defs: { named: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
    allOf: [
      { $ref: '#/$defs/named' },
      { type: 'object', properties: { n: { type: 'integer', minimum: 2 } }, required: ['n'] },
    ],
  };
  expect(sampleFromSchema(schema)).toEqual({ name: 'dry name', n: 2 });
});
