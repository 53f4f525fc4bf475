import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { AtomsTestClient } from '../src/client/atoms-client.js';
import type { EntityRecord } from '../src/client/tool-helpers.js';
import { StageBlockedError, compileFlow, formatFlowReport, runFlow, type StageRun } from '../src/flows/flow.js';
import { cascadeFlow } from '../src/flows/jest-flow.js';
import { FLOW_PATTERNS } from '../src/flows/patterns.js';
import { FlowResults } from '../src/flows/results.js';
import { createFixtureDatabase, fixtureServerFactory, type FixtureDatabase } from './support/fixture-server.js';

let db: FixtureDatabase;
let client: AtomsTestClient;

beforeAll(async () => {
  db = await createFixtureDatabase();
  client = await AtomsTestClient.connect({ kind: 'in-process', server: fixtureServerFactory(db) });
});

afterAll(async () => {
  await client.close();
  await db.pg.close();
});

describe('flow engine', () => {
  test('the five patterns have the reference stage orders', () => {
    expect(FLOW_PATTERNS).toEqual({
      CRUD: ['list', 'create', 'read', 'update', 'delete', 'verify'],
      HIERARCHICAL: ['setup_parent', 'create_children', 'interact', 'cleanup'],
      WORKFLOW: ['setup', 'execute', 'verify', 'cleanup'],
      SIMPLE: ['test_a', 'test_b', 'test_c'],
      MINIMAL_CRUD: ['create', 'read', 'delete'],
    });
  });

  test('stages run in pattern order, whatever order they were written in, and share results', async () => {
    const order: string[] = [];
    const flow = compileFlow('simple', {
      pattern: 'SIMPLE',
      stages: {
        test_c: (ctx) => void order.push(`c:${ctx.data<number>('test_b')}`),
        test_a: () => {
          order.push('a');
          return 1;
        },
        test_b: (ctx) => {
          order.push('b');
          return ctx.data<number>('test_a') + 1;
        },
      },
    });
    const report = await runFlow(flow);
    expect(order).toEqual(['a', 'b', 'c:2']);
    expect(report.passed).toBe(true);
  });

  test('a failed stage blocks its dependents, each reported as blocked by that stage', async () => {
    const ran: string[] = [];
    const stage =
      (name: string, fail = false): StageRun =>
      () => {
        ran.push(name);
        if (fail) throw new Error(`${name} broke`);
        return name;
      };
    const flow = compileFlow('crud', {
      pattern: 'CRUD',
      stages: {
        list: stage('list'),
        create: stage('create', true),
        read: stage('read'),
        update: stage('update'),
        delete: stage('delete'),
        verify: stage('verify'),
      },
    });
    const report = await runFlow(flow);
    expect(ran).toEqual(['list', 'create']);
    expect(report.stages.map((s) => [s.stage, s.status, s.blockedBy ?? null, s.via ?? null])).toEqual([
      ['list', 'passed', null, null],
      ['create', 'failed', null, null],
      ['read', 'blocked', 'create', null],
      ['update', 'blocked', 'create', 'read'],
      ['delete', 'blocked', 'create', 'update'],
      ['verify', 'blocked', 'create', 'delete'],
    ]);
    const blocked = report.stages[3]!.error as StageBlockedError;
    expect(blocked).toBeInstanceOf(StageBlockedError);
    expect(blocked.message).toBe('stage "update" blocked by failed stage "create" (via "read"): Error: create broke');
    expect(formatFlowReport(report)).toContain('⊘ update: blocked by "create" (via "read")');
    expect(formatFlowReport(report)).toContain('✗ create: create broke');
  });

  test('explicit dependencies: an independent stage still runs after a failure', async () => {
    const flow = compileFlow('custom', {
      stages: [
        { name: 'setup', run: () => 'ok' },
        { name: 'broken', run: () => Promise.reject(new Error('no')) },
        { name: 'independent', run: () => 'ran', dependsOn: ['setup'] },
        { name: 'dependent', run: () => 'never' },
      ],
    });
    const report = await runFlow(flow);
    expect(report.stages.map((s) => s.status)).toEqual(['passed', 'failed', 'passed', 'passed']);
    const strict = compileFlow('custom', {
      stages: [
        { name: 'a', run: () => Promise.reject(new Error('no')) },
        { name: 'b', run: () => 'x', dependsOn: [] },
        { name: 'c', run: () => 'y', dependsOn: ['a', 'b'] },
      ],
    });
    const second = await runFlow(strict);
    expect(second.stages.map((s) => [s.status, s.blockedBy ?? null])).toEqual([
      ['failed', null],
      ['passed', null],
      ['blocked', 'a'],
    ]);
  });

  test('definitions are checked: missing or extra pattern stages, unknown or later dependencies', () => {
    const run: StageRun = () => undefined;
    expect(() => compileFlow('f', { pattern: 'MINIMAL_CRUD', stages: { create: run, read: run } as never })).toThrow(
      /missing stages: delete/,
    );
    expect(() =>
      compileFlow('f', {
        pattern: 'MINIMAL_CRUD',
        stages: { create: run, read: run, delete: run, extra: run } as never,
      }),
    ).toThrow(/not in the pattern: extra/);
    expect(() =>
      compileFlow('f', {
        stages: [
          { name: 'a', run, dependsOn: ['b'] },
          { name: 'b', run },
        ],
      }),
    ).toThrow(/depends on "b", which is not an earlier stage/);
  });

  test('a registry can be shared between flows; asking for a result that does not exist is an error', async () => {
    const results = new FlowResults();
    results.set('org', 'acme');
    await runFlow(compileFlow('one', { stages: [{ name: 'x', run: (ctx) => `${ctx.results.get<string>('org')}!` }] }), {
      results,
    });
    expect(results.data('x')).toBe('acme!');
    expect(() => results.get('missing')).toThrow(/no shared value "missing"/);
    expect(() => results.data('nope')).toThrow(/has not run/);
  });
});

// A real CRUD flow against the fixture server: one Jest test per stage, in order.
const crud = cascadeFlow('CRUD', 'entity CRUD through the fixture server', {
  list: async () => (await client.entity.list<{ total: number }>('requirement')).total,
  create: () => client.entity.create('requirement', { name: 'REQ one' }),
  read: async (ctx) => {
    const created = ctx.data<EntityRecord>('create');
    expect(await client.entity.read('requirement', created.id)).toMatchObject({ name: 'REQ one' });
  },
  update: async (ctx) => {
    const updated = await client.entity.update('requirement', ctx.data<EntityRecord>('create').id, { name: 'REQ 1' });
    expect(updated.name).toBe('REQ 1');
  },
  delete: (ctx) => client.entity.delete('requirement', ctx.data<EntityRecord>('create').id, { soft_delete: false }),
  verify: async (ctx) => {
    const { rows } = await db.pg.query('SELECT 1 FROM fw_entities WHERE id = $1', [
      ctx.data<EntityRecord>('create').id,
    ]);
    expect(rows).toHaveLength(0);
    expect((await client.entity.list<{ total: number }>('requirement')).total).toBe(ctx.data<number>('list'));
  },
});

test('the Jest-declared CRUD flow recorded every stage as passed', () => {
  expect(crud.all().map((o) => `${o.stage}:${o.status}`)).toEqual([
    'list:passed',
    'create:passed',
    'read:passed',
    'update:passed',
    'delete:passed',
    'verify:passed',
  ]);
});
