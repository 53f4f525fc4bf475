/**
 * Names or ids, resolved by the database (`resolve_entity_name`) over every row the caller can see: a misspelt
 * name far beyond the 2,000 rows the old TypeScript scan considered, ambiguity with candidates, no match with
 * suggestions, parent scope, and nothing of another organization.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { AtomsTestClient } from '@atoms/test-framework';
import type { FixtureWorkspace } from '@atoms/test-framework/database';
import { openToolsHarness, type ToolsHarness } from './harness.js';
import { expectCode } from './expect-tool-error.js';

type Row = Record<string, unknown> & { id: string };

let h: ToolsHarness;
let ws: FixtureWorkspace;
let owner: AtomsTestClient;
let outsider: AtomsTestClient;
let target: string;

const ROWS = 2_500;

beforeAll(async () => {
  h = await openToolsHarness();
  ws = await h.fixtures.workspace();
  owner = await h.clientFor(ws.owner);
  outsider = await h.clientFor(await h.fixtures.user());
  // 2,500 rows sharing every word of the name we look for, written first (owner SQL; triggers run as usual), then
  // the one we want: the old resolution took 200 rows per shared word (the first ones) and never saw it.
  await h.testDb.sql.query(
    `insert into public.requirements (document_id, name, position)
     select $1, 'Thermal shield panel ' || g, g from generate_series(1, ${ROWS}) g`,
    [ws.document.id],
  );
  const { rows } = await h.testDb.sql.query<{ id: string }>(
    `insert into public.requirements (document_id, name, position) values ($1, 'Thermal shield panel calibration', $2)
     returning id`,
    [ws.document.id, ROWS + 1],
  );
  target = rows[0]!.id;
  await h.testDb.sql.query(
    `insert into public.requirements (document_id, name) values ($1, 'Docking latch A'), ($1, 'Docking latch B')`,
    [ws.document.id],
  );
}, 120_000);

afterAll(() => h?.close());

describe('names resolved by the database', () => {
  test(`a misspelt name is found among ${ROWS.toLocaleString('en')} similar ones`, async () => {
    expect(await h.count('requirements', 'document_id = $1', [ws.document.id])).toBeGreaterThan(ROWS);
    const found = await owner.entity.read<Row>('requirement', 'Thermal shield panel calibraiton', {
      fields: ['id', 'name'],
    });
    expect(found).toEqual({ id: target, name: 'Thermal shield panel calibration' });
    // Names work wherever an id is expected: here a relationship end.
    const linked = await owner.relationship.link<{ relationship: Row }>(
      'assignment',
      { type: 'requirement', id: 'thermal shield panel calibraiton' },
      { type: 'user', id: ws.owner.id },
    );
    expect(linked.relationship['entity_id']).toBe(target);
  });

  test('an exact name wins over similar ones, case-insensitively', async () => {
    const exact = await owner.entity.read<Row>('requirement', 'THERMAL SHIELD PANEL 2417', { fields: ['name'] });
    expect(exact['name']).toBe('Thermal shield panel 2417');
  });

  test('similar names without a clear winner: validation_error with the candidates, best first', async () => {
    const error = await expectCode(owner.entity.read('requirement', 'docking latch'), 'validation_error');
    const candidates = (error.details as { candidates: { name: string; similarity: number }[] }).candidates;
    expect(candidates.map((c) => c.name)).toEqual(['Docking latch A', 'Docking latch B']);
    expect(candidates[0]!.similarity).toBeCloseTo(0.875, 3);
    expect(error.hint).toMatch(/id/);
  });

  test('no name similar enough: not_found with the nearest names as suggestions', async () => {
    const error = await expectCode(owner.entity.read('requirement', 'calibration'), 'not_found');
    const suggestions = (error.details as { suggestions: { id: string; similarity: number }[] }).suggestions;
    expect(suggestions).toEqual([{ id: target, name: 'Thermal shield panel calibration', similarity: 0.364 }]);
    expect(error.hint).toBe('Did you mean "Thermal shield panel calibration"?');
    const nothing = await expectCode(owner.entity.read('requirement', 'qqzzxx'), 'not_found');
    expect(nothing.details).toEqual({ suggestions: [] });
  });

  test('parent_type + parent_id narrow the lookup; a parent without the row finds nothing', async () => {
    const other = await owner.entity.create<Row>('document', { name: 'Empty doc', project_id: ws.project.id });
    const scoped = await owner.entity.read<Row>('requirement', 'Thermal shield panel calibraiton', {
      parent_type: 'document',
      parent_id: ws.document.id,
      fields: ['id'],
    });
    expect(scoped.id).toBe(target);
    await expectCode(
      owner.entity.read('requirement', 'Thermal shield panel calibraiton', {
        parent_type: 'document',
        parent_id: other.id,
      }),
      'not_found',
    );
    // A parent column the table does not have is refused before the database is asked.
    await expectCode(
      owner.entity.read('requirement', 'Thermal shield panel calibration', {
        parent_type: 'project',
        parent_id: ws.project.id,
      }),
      'validation_error',
    );
  });

  test('a user of another organization resolves nothing and learns no names', async () => {
    const error = await expectCode(
      outsider.entity.read('requirement', 'Thermal shield panel calibraiton'),
      'not_found',
    );
    expect(error.details).toEqual({ suggestions: [] });
  });
});
