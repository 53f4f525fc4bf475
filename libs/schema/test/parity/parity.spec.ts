import { compareSchema, introspectSchema, type SchemaSnapshot } from '../../src/index.js';
import { BACKENDS, openTestDatabase, type TestDatabase } from '../support/index.js';

describe.each(BACKENDS)('zod models vs the migrated database (%s)', (backend) => {
  let db: TestDatabase;
  let snapshot: SchemaSnapshot;

  beforeAll(async () => {
    db = await openTestDatabase(backend);
    snapshot = await introspectSchema((sql) => db.query(sql));
  });
  afterAll(async () => {
    await db?.close();
  });

  it('has every relation, column, type, nullability, generated column, primary key and enum label of the models, and no others', () => {
    expect(compareSchema(snapshot)).toEqual([]);
  });

  it('introspected the whole schema (45 relations, 28 enums)', () => {
    expect(snapshot.relations).toHaveLength(45);
    expect(snapshot.enums).toHaveLength(28);
    expect(snapshot.columns.length).toBeGreaterThan(500);
  });

  it('reports drift in both directions', async () => {
    await db.exec(`
      alter table public.notifications add column surprise text;
      alter table public.notifications drop column message;
      alter table public.notifications alter column title drop not null;
      alter type public.test_method add value 'exploratory';
      create table public.unexpected (id int primary key);
    `);
    try {
      const drift = compareSchema(await introspectSchema((sql) => db.query(sql)));
      expect(drift).toEqual(
        expect.arrayContaining([
          'notifications.surprise: in the database, missing from the models',
          'notifications.message: in the models, missing from the database',
          'notifications.title: not null in the models, nullable in the database',
          'enum test_method: [manual, automated, hybrid] in the models, [manual, automated, hybrid, exploratory] in the database',
          'unexpected: in the database, missing from the models',
        ]),
      );
      expect(drift).toHaveLength(5);
    } finally {
      await db.exec(`drop table public.unexpected;`);
    }
  });

  it('reports type, default, enum and primary-key drift', () => {
    const tampered: SchemaSnapshot = {
      ...snapshot,
      columns: snapshot.columns.map((c) =>
        c.relation === 'requirements' && c.column === 'position'
          ? { ...c, udt: 'int4' }
          : c.relation === 'notifications' && c.column === 'title'
            ? { ...c, hasDefault: true }
            : c.relation === 'blocks' && c.column === 'name'
              ? { ...c, hasDefault: false }
              : c,
      ),
      primaryKeys: snapshot.primaryKeys.filter((k) => k.relation !== 'mcp_sessions'),
      enums: snapshot.enums.filter((e) => e.name !== 'visibility'),
    };
    expect(compareSchema(tampered)).toEqual([
      'blocks.name: defaulted in the models, no default in the database',
      'notifications.title: required in the models, has a default in the database',
      'requirements.position: type float8 in the models, int4 in the database',
      'mcp_sessions: primary key (session_id) in the models, () in the database',
      'enum visibility: in the models, missing from the database',
    ]);
  });
});
