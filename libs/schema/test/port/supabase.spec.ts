import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DatabaseError, supabaseDatabase, type Database } from '../../src/index.js';
import { FakePostgrest } from './fake-postgrest.js';

const ALICE = '6f1c1d0e-7a55-4a8e-9d1e-0c5b8f2a9b01';
const ORG = '0d6f7a52-1111-4c2a-8f00-5b2f7e0c9a10';

async function failure(promise: Promise<unknown>): Promise<DatabaseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DatabaseError) return error;
    throw error;
  }
  throw new Error('expected a DatabaseError, got success');
}

describe('supabase-js adapter (fake PostgREST, request level)', () => {
  const server = new FakePostgrest();
  let db: Database;
  const signed: unknown[] = [];

  beforeAll(async () => {
    await server.start();
    db = supabaseDatabase({
      url: server.url,
      anonKey: 'anon-key',
      serviceRoleKey: 'service-key',
      retry: false,
      signAccessToken: async (claims) => {
        signed.push(claims);
        return `signed-for-${claims.sub ?? claims.role}`;
      },
    });
  });
  afterAll(async () => {
    await db.close();
    await server.stop();
  });
  beforeEach(() => {
    server.reset();
    signed.length = 0;
  });

  it('is not transactional', () => {
    expect(db.kind).toBe('supabase');
    expect(db.transactional).toBe(false);
  });

  it("sends the user's JWT as bearer and the anon key as apikey, so PostgREST applies RLS", async () => {
    server.respond({ body: [{ id: ALICE }] });
    await db.asUser({ claims: { sub: ALICE }, accessToken: 'user-jwt' }, (s) =>
      s.select('profiles', { columns: ['id'] }),
    );
    const request = server.last();
    expect(request.headers['authorization']).toBe('Bearer user-jwt');
    expect(request.headers['apikey']).toBe('anon-key');
    expect(request.path).toBe('/rest/v1/profiles');
  });

  it('mints a token for users without one, and uses the service and anon keys for those roles', async () => {
    server.respond({ body: [] }, { body: [] }, { body: [] });
    await db.asUser({ claims: { sub: ALICE } }, (s) => s.select('profiles', { columns: ['id'] }));
    expect(server.requests[0]?.headers['authorization']).toBe(`Bearer signed-for-${ALICE}`);
    expect(signed).toEqual([{ sub: ALICE, role: 'authenticated' }]);
    await db.asService((s) => s.select('profiles', { columns: ['id'] }));
    expect(server.requests[1]?.headers['authorization']).toBe('Bearer service-key');
    await db.asAnonymous((s) => s.select('profiles', { columns: ['id'] }));
    expect(server.requests[2]?.headers['authorization']).toBe('Bearer anon-key');
  });

  it('refuses a user without a token when no signer is configured, sending nothing', async () => {
    const unsigned = supabaseDatabase({ url: server.url, anonKey: 'anon-key' });
    const error = await failure(unsigned.asUser({ claims: { sub: ALICE } }, (s) => s.select('profiles')));
    expect(error.code).toBe('permission_denied');
    const noService = await failure(unsigned.asService((s) => s.select('profiles')));
    expect(noService.code).toBe('internal');
    expect(server.requests).toHaveLength(0);
  });

  it('translates filters, order, paging and count into the PostgREST query string', async () => {
    server.respond({ body: [{ title: 'b' }], headers: { 'content-range': '2-2/7' } });
    const result = await db.asService((s) =>
      s.select('notifications', {
        columns: ['title', 'unread'],
        filters: [
          { column: 'user_id', op: 'eq', value: ALICE },
          { column: 'type', op: 'neq', value: 'system' },
          { column: 'created_at', op: 'gte', value: new Date('2026-01-01T00:00:00Z') },
          { column: 'title', op: 'ilike', value: '%a%' },
          { column: 'title', op: 'in', value: ['a,b', 'say "hi"', 'back\\slash'] },
          { column: 'title', op: 'not_in', value: ['x'] },
          { column: 'read_at', op: 'is_null', value: true },
          { column: 'message', op: 'is_null', value: false },
          { column: 'metadata', op: 'eq', value: { a: 1 } },
        ],
        order: [{ column: 'title', ascending: false, nullsFirst: true }],
        limit: 5,
        offset: 2,
        count: 'exact',
      }),
    );
    const { method, query, headers } = server.last();
    expect(method).toBe('GET');
    expect(query.get('select')).toBe('title,unread');
    expect(query.getAll('user_id')).toEqual([`eq.${ALICE}`]);
    expect(query.getAll('type')).toEqual(['neq.system']);
    expect(query.getAll('created_at')).toEqual(['gte.2026-01-01T00:00:00.000Z']);
    expect(query.getAll('title')).toEqual(['ilike.%a%', 'in.("a,b","say \\"hi\\"","back\\\\slash")', 'not.in.("x")']);
    expect(query.getAll('read_at')).toEqual(['is.null']);
    expect(query.getAll('message')).toEqual(['not.is.null']);
    expect(query.getAll('metadata')).toEqual(['eq.{"a":1}']);
    // The primary key breaks ties so pages neither repeat nor skip rows.
    expect(query.get('order')).toBe('title.desc.nullsfirst,id.asc');
    expect(query.get('offset')).toBe('2');
    expect(query.get('limit')).toBe('5');
    expect(headers['prefer']).toMatch(/count=exact/);
    expect(result).toEqual({ rows: [{ title: 'b' }], count: 7 });
  });

  it('inserts with database defaults for missing columns and returns the rows, vectors as numbers', async () => {
    server.respond({ status: 201, body: [{ id: ORG, name: 'Acme', embedding: '[0.5,1,-2]' }] });
    const rows = await db.asUser({ claims: { sub: ALICE }, accessToken: 'user-jwt' }, (s) =>
      s.insert(
        'organizations',
        [
          { name: 'Acme', metadata: { tier: 'gold' } },
          { name: 'Beta', settings: {} },
        ],
        { returning: ['id', 'name', 'embedding'] },
      ),
    );
    const { method, path, query, headers, body } = server.last();
    expect(method).toBe('POST');
    expect(path).toBe('/rest/v1/organizations');
    expect(headers['prefer']).toMatch(/return=representation/);
    expect(headers['prefer']).toMatch(/missing=default/);
    expect(query.get('select')).toBe('id,name,embedding');
    expect(query.get('columns')?.split(',').sort()).toEqual(['"metadata"', '"name"', '"settings"']);
    expect(body).toEqual([
      { name: 'Acme', metadata: { tier: 'gold' } },
      { name: 'Beta', settings: {} },
    ]);
    expect(rows).toEqual([{ id: ORG, name: 'Acme', embedding: [0.5, 1, -2] }]);
  });

  it('upserts on the conflict columns', async () => {
    server.respond({ status: 201, body: [] });
    await db.asService((s) =>
      s.insert(
        'workspace_contexts',
        { user_id: ALICE, session_id: 's1' },
        { onConflict: { columns: ['user_id', 'session_id'] } },
      ),
    );
    const { query, headers } = server.last();
    expect(query.get('on_conflict')).toBe('user_id,session_id');
    expect(headers['prefer']).toMatch(/resolution=merge-duplicates/);
  });

  it('updates and deletes with filters, returning rows', async () => {
    server.respond({ body: [{ id: ORG }] }, { body: [{ id: ORG }] });
    await db.asService(async (s) => {
      await s.update(
        'organizations',
        { description: 'new', updated_at: new Date('2026-02-03T04:05:06Z') },
        {
          filters: [{ column: 'id', op: 'eq', value: ORG }],
          returning: ['id'],
        },
      );
      await s.delete('organizations', { filters: [{ column: 'id', op: 'in', value: [ORG] }], returning: ['id'] });
    });
    const [update, del] = server.requests;
    expect(update?.method).toBe('PATCH');
    expect(update?.query.get('id')).toBe(`eq.${ORG}`);
    expect(update?.body).toEqual({ description: 'new', updated_at: '2026-02-03T04:05:06.000Z' });
    expect(del?.method).toBe('DELETE');
    expect(del?.query.get('id')).toBe(`in.("${ORG}")`);
    expect(del?.query.get('select')).toBe('id');
  });

  it('calls SQL functions through rpc with JSON arguments', async () => {
    server.respond({ body: { project_id: ORG } }, { status: 204 });
    const result = await db.asUser({ claims: { sub: ALICE }, accessToken: 'user-jwt' }, async (s) => {
      const out = await s.rpc('setup_project', { p_name: 'Apollo', p_options: { docs: ['Spec'] } });
      const nothing = await s.rpc('touch');
      return { out, nothing };
    });
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/rest/v1/rpc/setup_project',
      body: { p_name: 'Apollo', p_options: { docs: ['Spec'] } },
    });
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer user-jwt');
    expect(result).toEqual({ out: { project_id: ORG }, nothing: null });
  });

  it('maps PostgREST errors to typed errors, with the constraint or column Postgres named', async () => {
    const cases: [{ status: number; body: unknown }, Partial<DatabaseError>][] = [
      [
        {
          status: 409,
          body: {
            code: '23505',
            message: 'duplicate key value violates unique constraint "organizations_slug_key"',
            details: 'Key (slug)=(acme) already exists.',
            hint: null,
          },
        },
        { code: 'conflict', constraint: 'organizations_slug_key', detail: 'Key (slug)=(acme) already exists.' },
      ],
      [
        {
          status: 400,
          body: {
            code: '23502',
            message: 'null value in column "title" of relation "notifications" violates not-null constraint',
          },
        },
        { code: 'validation', column: 'title', table: 'notifications' },
      ],
      [
        {
          status: 409,
          body: {
            code: '23503',
            message:
              'insert or update on table "projects" violates foreign key constraint "projects_organization_id_fkey"',
          },
        },
        { code: 'validation', constraint: 'projects_organization_id_fkey' },
      ],
      [
        {
          status: 400,
          body: {
            code: '23514',
            message: 'new row for relation "organizations" violates check constraint "organizations_slug_format"',
          },
        },
        { code: 'validation', constraint: 'organizations_slug_format' },
      ],
      [
        { status: 400, body: { code: '22P02', message: 'invalid input syntax for type uuid: "x"' } },
        { code: 'validation', sqlState: '22P02' },
      ],
      [
        {
          status: 403,
          body: { code: '42501', message: 'new row violates row-level security policy for table "projects"' },
        },
        { code: 'permission_denied', table: 'projects' },
      ],
      [{ status: 401, body: { code: 'PGRST301', message: 'JWT expired' } }, { code: 'permission_denied' }],
      [{ status: 404, body: { code: 'PGRST202', message: 'Could not find the function' } }, { code: 'not_found' }],
      [
        { status: 406, body: { code: 'PGRST116', message: 'JSON object requested, multiple (or no) rows returned' } },
        { code: 'not_found' },
      ],
      [
        { status: 400, body: { code: 'P0001', message: 'Member limit reached for plan free (5)' } },
        { code: 'validation' },
      ],
      [{ status: 503, body: { code: 'PGRST001', message: 'Database client error' } }, { code: 'unavailable' }],
      [{ status: 502, body: { message: 'Bad gateway' } }, { code: 'unavailable' }],
    ];
    for (const [response, expected] of cases) {
      server.respond(response);
      const error = await failure(db.asService((s) => s.select('projects', { columns: ['id'] })));
      expect(error).toMatchObject(expected);
    }
  });

  it('maps an unreachable PostgREST to unavailable', async () => {
    const down = supabaseDatabase({ url: 'http://127.0.0.1:1', anonKey: 'anon-key', retry: false });
    const error = await failure(down.asAnonymous((s) => s.select('projects', { columns: ['id'] })));
    expect(error.code).toBe('unavailable');
  });

  it('retries an idempotent read once PostgREST answers 503 (schema cache loading), when retry is on', async () => {
    const retrying = supabaseDatabase({ url: server.url, anonKey: 'anon-key' });
    server.respond({
      status: 503,
      body: { code: 'PGRST002', message: 'Could not query the database for the schema cache' },
    });
    server.respond({ body: [{ id: ORG }] });
    const { rows } = await retrying.asAnonymous((s) => s.select('projects', { columns: ['id'] }));
    expect(rows).toEqual([{ id: ORG }]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.headers['x-retry-count']).toBe('1');
  });

  it('validates before sending: unknown tables and columns never reach PostgREST', async () => {
    const unknownColumn = await failure(
      db.asService((s) => s.select('projects', { filters: [{ column: 'secret' as 'id', op: 'eq', value: 1 }] })),
    );
    expect(unknownColumn.code).toBe('validation');
    const badRow = await failure(db.asService((s) => s.insert('projects', { name: 7 } as never)));
    expect(badRow.code).toBe('validation');
    const badRpc = await failure(db.asService((s) => s.rpc('drop table x')));
    expect(badRpc.code).toBe('validation');
    expect(server.requests).toHaveLength(0);
  });
});
