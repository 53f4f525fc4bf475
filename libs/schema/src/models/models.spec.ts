import { enumNames, enumSchemas, enumValues, type TestStatus } from './enums.js';
import { metadata, relationNames } from './metadata.js';
import { schemas } from './schemas.js';

describe('zod models', () => {
  it('covers the 28 enums and the 44 tables plus the view of domain.md', () => {
    expect(enumNames).toHaveLength(28);
    expect(relationNames.filter((n) => metadata[n].kind === 'table')).toHaveLength(44);
    expect(relationNames.filter((n) => metadata[n].kind === 'view')).toEqual(['diagram_element_links_with_details']);
  });

  it('gives each enum a zod enum matching its TypeScript union', () => {
    const status: TestStatus = 'ready';
    expect(enumSchemas.test_status.parse(status)).toBe('ready');
    expect(enumSchemas.test_status.safeParse('pending').success).toBe(false);
    expect(enumSchemas.organization_type.options).toEqual([...enumValues.organization_type]);
  });

  it('derives Insert: required columns, defaults optional, generated columns and unknown keys refused', () => {
    const insert = schemas.requirements.insert;
    expect(insert.safeParse({ name: 'R', document_id: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01' }).success).toBe(true);
    const missing = insert.safeParse({ document_id: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01' });
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['name']);
    expect(
      insert.safeParse({ name: 'R', document_id: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01', fts_vector: 'x' }).success,
    ).toBe(false);
    expect(
      insert.safeParse({ name: 'R', document_id: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01', colour: 'red' }).success,
    ).toBe(false);
    expect(insert.safeParse({ name: 'R', document_id: 'x' }).success).toBe(false);
    expect(
      insert.safeParse({ name: 'R', document_id: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01', embedding: [1, 2] }).success,
    ).toBe(false);
  });

  it('derives Update: everything optional, primary key and generated columns refused', () => {
    const update = schemas.requirements.update;
    expect(update.safeParse({}).success).toBe(true);
    expect(update.safeParse({ status: 'approved', description: null }).success).toBe(true);
    expect(update.safeParse({ name: null }).success).toBe(false);
    expect(update.safeParse({ id: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01' }).success).toBe(false);
    expect(update.safeParse({ updated_at: new Date() }).success).toBe(true);
  });

  it('parses rows as the adapters return them, vectors from text or arrays', () => {
    const row = schemas.embedding_cache.row.parse({
      id: '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01',
      access_count: 0,
      accessed_at: '2026-11-22T16:12:56.123456+00:00',
      cache_key: 'k',
      created_at: null,
      embedding: '[0.5,1]',
      model: 'local',
      tokens_used: 3,
    });
    expect(row.embedding).toEqual([0.5, 1]);
    expect(schemas.embedding_cache.row.safeParse({ ...row, embedding: 'oops' }).success).toBe(false);
  });

  it('describes columns for identifier checks and default listings', () => {
    const documents = metadata.documents;
    expect(documents.primaryKey).toEqual(['id']);
    expect(documents.softDelete).toBe(true);
    expect(documents.versioned).toBe(true);
    expect(documents.defaultColumns).not.toContain('embedding');
    expect(documents.defaultColumns).not.toContain('fts_vector');
    expect(documents.columns.fts_vector).toMatchObject({ type: 'tsvector', generated: true, large: true });
    expect(metadata.requirements_closure.primaryKey).toEqual(['ancestor_id', 'descendant_id']);
    expect(metadata.test_req.versioned).toBe(false);
  });
});
