import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { McpToolError } from '../src/client/tool-error.js';
import { compileSchema } from '../src/dry/json-schema.js';
import { z } from 'zod';
import { toolsFromZod } from '../src/dry/tool-definitions.js';
import { createModeEnvironment, type ServerContext } from '../src/modes/environment.js';
import { useModeEnvironment } from '../src/modes/jest-environment.js';
import { describeForModes, forModes, testForModes } from '../src/modes/jest-marks.js';
import {
  MODE_PROFILES,
  ModeConfigurationError,
  currentMode,
  durationLimitsEnforced,
  parseMode,
  strictModeEnabled,
} from '../src/modes/mode.js';
import { DurationLimitError, ModeMarkConflictError, selectForMode, withDurationLimit } from '../src/modes/selection.js';
import { createFixtureDatabase, fixtureServerFactory, type FixtureDatabase } from './support/fixture-server.js';
import { fixtureProvider } from './support/fixture-provider.js';
import { startFixtureHttpServer, type FixtureHttpServer } from './support/http-server.js';

let db: FixtureDatabase;
let http: FixtureHttpServer;
const factory = (context: ServerContext<FixtureDatabase>) => {
  // DRY asks only for tools/list: the factory must not need a database for that.
  if (context.mode === 'DRY') return fixtureServerFactory(undefined as unknown as FixtureDatabase)();
  return fixtureServerFactory(context.database)();
};

beforeAll(async () => {
  db = await createFixtureDatabase();
  http = await startFixtureHttpServer(fixtureServerFactory(db), 'hot-token');
});

afterAll(async () => {
  await http.close();
  await db.pg.close();
});

const rowCount = async () =>
  (await db.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM fw_entities')).rows[0]!.n;

describe('mode selection from the environment', () => {
  test('ATOMS_TEST_MODE defaults to COLD, is case-insensitive, and refuses unknown values', () => {
    expect(currentMode({})).toBe('COLD');
    expect(currentMode({ ATOMS_TEST_MODE: '' })).toBe('COLD');
    expect(currentMode({ ATOMS_TEST_MODE: 'hot' })).toBe('HOT');
    expect(currentMode({ ATOMS_TEST_MODE: ' Dry ' })).toBe('DRY');
    expect(() => currentMode({ ATOMS_TEST_MODE: 'warm' })).toThrow(ModeConfigurationError);
    expect(() => parseMode('all')).toThrow(/one of HOT, COLD, DRY/);
  });

  test('strict and duration flags are booleans, anything else is an error', () => {
    expect(strictModeEnabled({ ATOMS_TEST_MODE_STRICT: 'true' })).toBe(true);
    expect(strictModeEnabled({})).toBe(false);
    expect(durationLimitsEnforced({ ATOMS_TEST_ENFORCE_DURATION: '1' })).toBe(true);
    expect(() => durationLimitsEnforced({ ATOMS_TEST_ENFORCE_DURATION: 'sometimes' })).toThrow(ModeConfigurationError);
  });

  test('the profiles carry the duration limits HOT 30 s, COLD 2 s, DRY 1 s', () => {
    expect([MODE_PROFILES.HOT, MODE_PROFILES.COLD, MODE_PROFILES.DRY].map((p) => p.maxDurationMs)).toEqual([
      30_000, 2_000, 1_000,
    ]);
    expect(MODE_PROFILES.COLD.realDatabase).toBe(true);
    expect(MODE_PROFILES.DRY.realDatabase).toBe(false);
  });
});

describe('mode marks', () => {
  test('unmarked tests run everywhere; marks narrow; other modes are not run', () => {
    expect(selectForMode([], 'HOT', false)).toEqual({ run: true, modes: ['HOT', 'COLD', 'DRY'] });
    expect(selectForMode([['COLD', 'DRY']], 'DRY', false)).toEqual({ run: true, modes: ['COLD', 'DRY'] });
    expect(selectForMode([['HOT', 'COLD'], ['COLD']], 'HOT', false)).toMatchObject({
      run: false,
      reason: 'other-mode',
    });
  });

  test('conflicting marks are not run, and strict mode rejects them', () => {
    expect(selectForMode([['HOT'], ['DRY']], 'HOT', false)).toMatchObject({
      run: false,
      reason: 'conflict',
      explanation: 'mode marks [HOT] inside [DRY] have no mode in common',
    });
    expect(() => selectForMode([['HOT'], ['DRY']], 'HOT', true)).toThrow(ModeMarkConflictError);
    expect(() => selectForMode([[]], 'HOT', false)).toThrow(/at least one mode/);
  });

  // Real registrations, with the mode pinned to COLD: which bodies ran is checked by the last test below.
  const ran: string[] = [];
  let strictError: unknown;
  testForModes('COLD', 'runs in COLD', () => void ran.push('cold'), { mode: 'COLD' });
  testForModes(['HOT', 'DRY'], 'does not run in COLD', () => void ran.push('hot-dry'), { mode: 'COLD' });
  forModes('COLD', 'DRY').test('forModes reads like a marker', () => void ran.push('forModes'), { mode: 'COLD' });
  describeForModes(
    ['HOT', 'COLD'],
    'a marked block',
    () => {
      testForModes('COLD', 'nested mark that fits', () => void ran.push('nested'), { mode: 'COLD' });
      testForModes('DRY', 'nested mark that conflicts', () => void ran.push('conflict'), { mode: 'COLD' });
      try {
        testForModes('DRY', 'rejected when strict', () => void ran.push('strict'), { mode: 'COLD', strict: true });
      } catch (error) {
        strictError = error;
      }
    },
    { mode: 'COLD' },
  );
  describeForModes(
    'DRY',
    'a block for another mode',
    () => {
      testForModes('DRY', 'inside a DRY block', () => void ran.push('dry-block'), { mode: 'COLD' });
    },
    { mode: 'COLD' },
  );

  test('only the tests selected for COLD ran, and strict mode refused the conflict at definition', () => {
    expect(ran).toEqual(['cold', 'forModes', 'nested']);
    expect(strictError).toBeInstanceOf(ModeMarkConflictError);
  });

  test('a test over its mode limit fails with DurationLimitError', async () => {
    const slow = withDurationLimit(() => new Promise((resolve) => setTimeout(resolve, 30)), 'DRY', 5);
    await expect(slow()).rejects.toThrow(DurationLimitError);
    await expect(slow()).rejects.toThrow(/over the DRY limit of 5 ms/);
    await expect(withDurationLimit(() => 42, 'COLD')()).resolves.toBe(42);
  });

  testForModes('COLD', 'an enforced test within its limit passes', () => undefined, {
    mode: 'COLD',
    enforceDuration: true,
  });
});

describe('HOT environment', () => {
  test('targets MCP_ENDPOINT with the real token from ATOMS_TEST_AUTH_TOKEN', async () => {
    const env = await createModeEnvironment({
      env: { ATOMS_TEST_MODE: 'HOT', MCP_ENDPOINT: http.url, ATOMS_TEST_AUTH_TOKEN: 'hot-token' },
    });
    try {
      expect(env.mode).toBe('HOT');
      const created = await env.client.entity.create('organization', { name: 'Hot org' });
      const { rows } = await db.pg.query('SELECT name FROM fw_entities WHERE id = $1', [created.id]);
      expect(rows).toEqual([{ name: 'Hot org' }]);
      expect(http.authorizations.at(-1)).toBe('Bearer hot-token');
    } finally {
      await env.close();
    }
  });

  test('missing endpoint or token is a configuration error, not a silent fallback', async () => {
    await expect(createModeEnvironment({ env: { ATOMS_TEST_MODE: 'HOT' } })).rejects.toThrow(/set MCP_ENDPOINT/);
    await expect(createModeEnvironment({ env: { ATOMS_TEST_MODE: 'HOT', MCP_ENDPOINT: http.url } })).rejects.toThrow(
      /ATOMS_TEST_AUTH_TOKEN/,
    );
  });
});

describe('COLD environment', () => {
  test('runs the factory in-process on the provided database', async () => {
    const env = await createModeEnvironment({
      env: {},
      server: factory,
      database: fixtureProvider(() => db),
      caller: { authInfo: { token: 't', clientId: 'cold-user', scopes: [] } },
    });
    try {
      expect(env.mode).toBe('COLD');
      expect(env.database).toBe(db);
      expect(env.rollback).toBe(db.scope);
      const created = await env.client.entity.create('organization', { name: 'Cold org' });
      expect(created['created_by']).toBe('cold-user');
      const other = await env.connect({ authInfo: { token: 'u', clientId: 'second-user', scopes: [] } });
      expect((await other.entity.create('organization', { name: 'Second' }))['created_by']).toBe('second-user');
    } finally {
      await env.close();
    }
  });

  test('needs a factory and a database provider', async () => {
    await expect(createModeEnvironment({ mode: 'COLD' })).rejects.toThrow(/server factory/);
    await expect(createModeEnvironment({ mode: 'COLD', server: factory })).rejects.toThrow(/database provider/);
  });
});

describe('DRY environment', () => {
  test('validates calls against the advertised input schemas and writes nothing', async () => {
    const env = await createModeEnvironment<FixtureDatabase>({ mode: 'DRY', server: factory });
    try {
      const before = await rowCount();
      const invalid = [
        { operation: 'create', entity_type: 'spaceship', data: { name: 'x' } },
        { operation: 'create', entity_type: 'project', data: { name: 'x', colour: 'red' } },
        { operation: 'read', entity_type: 'project', entity_id: 'not-a-uuid' },
        { entity_type: 'project' },
      ];
      for (const args of invalid) {
        const error = await env.client.callTool('entity_tool', args).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(McpToolError);
        expect(error).toMatchObject({ code: 'validation_error' });
      }
      expect(await rowCount()).toBe(before);
    } finally {
      await env.close();
    }
  });

  test('returns schema-valid simulated results, echoing the input where it fits', async () => {
    const calls: string[] = [];
    const env = await createModeEnvironment<FixtureDatabase>({
      mode: 'DRY',
      server: factory,
      onSimulatedCall: (call) => calls.push(`${call.tool}:${String(call.arguments['operation'])}:${call.accepted}`),
    });
    try {
      const tools = await env.client.listTools(); // lets the SDK client validate outputs as well
      const outputSchema = compileSchema(tools[0]!.outputSchema as Record<string, unknown>);
      const created = await env.client.entity.create('project', { name: 'Simulated' });
      expect(outputSchema(created)).toEqual({ valid: true });
      expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created).toMatchObject({ name: 'Simulated', entity_type: 'project' });
      const listed = await env.client.entity.list('project');
      expect(outputSchema(listed)).toEqual({ valid: true });
      expect(calls).toEqual(['entity_tool:create:true', 'entity_tool:list:true']);
    } finally {
      await env.close();
    }
  });

  test('an unknown tool stays a protocol error', async () => {
    const env = await createModeEnvironment<FixtureDatabase>({ mode: 'DRY', server: factory });
    try {
      await expect(env.client.callTool('query_tool', {})).rejects.toThrow(McpError);
    } finally {
      await env.close();
    }
  });

  test('needs tool definitions', async () => {
    await expect(createModeEnvironment({ mode: 'DRY' })).rejects.toThrow(/tool definitions/);
  });
});

describe('useModeEnvironment with zod tool definitions (DRY)', () => {
  const tools = toolsFromZod([
    {
      name: 'query_tool',
      description: 'search',
      inputSchema: z.discriminatedUnion('query_type', [
        z.object({ query_type: z.literal('search'), entities: z.array(z.string()).min(1), search_term: z.string() }),
        z.object({ query_type: z.literal('aggregate'), entities: z.array(z.string()).min(1) }),
      ]),
      outputSchema: z.object({ total_results: z.number().int().nonnegative(), mode: z.enum(['keyword', 'semantic']) }),
    },
  ]);
  const handle = useModeEnvironment({ mode: 'DRY', tools });

  test('the handle gives the environment built in beforeAll', async () => {
    expect(handle.env.mode).toBe('DRY');
    expect(handle.env.tools).toBe(tools);
    await expect(handle.client.query.search(['requirement'], 'login')).resolves.toEqual({
      total_results: 0,
      mode: 'keyword',
    });
    await expect(handle.client.query.search([], 'login')).rejects.toMatchObject({ code: 'validation_error' });
    await expect(handle.client.query.run('trace', { entities: ['requirement'] })).rejects.toMatchObject({
      code: 'validation_error',
    });
  });

  test('a non-object schema is refused when the definitions are built', () => {
    expect(() => toolsFromZod([{ name: 'x', inputSchema: z.string() }])).toThrow(/must describe an object/);
  });
});
