import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DatabaseError,
  relationNames,
  schemas,
  type ColumnName,
  type Database,
  type SelectOptions,
  type Session,
} from '../../src/index.js';
import { BACKENDS, createProfile, type TestDatabase, type TestProfile } from '../support/index.js';
import { openPort } from './adapters.js';

type NotificationQuery = SelectOptions<'notifications', ColumnName<'notifications'>>;

const ADAPTER = { pglite: 'pglite', postgres: 'pg' } as const;

async function failure(promise: Promise<unknown>): Promise<DatabaseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DatabaseError) return error;
    throw error;
  }
  throw new Error('expected a DatabaseError, got success');
}

describe.each(BACKENDS)('database port on %s', (backend) => {
  let raw: TestDatabase;
  let db: Database;
  let alice: TestProfile;
  let bob: TestProfile;

  beforeAll(async () => {
    ({ raw, db } = await openPort(backend));
    alice = await createProfile(raw, { fullName: 'Alice' });
    bob = await createProfile(raw, { fullName: 'Bob' });
    // Probes for rpc and the role/claims plumbing; created in this file's own database clone.
    await raw.exec(`
      create function public.atoms_port_whoami() returns jsonb language sql stable as $$
        select jsonb_build_object('role', current_user, 'uid', auth.uid(), 'claims', auth.jwt(),
                                  'timeout', current_setting('statement_timeout'))
      $$;
      create function public.atoms_port_add(a integer, b integer) returns integer language sql immutable as $$ select a + b $$;
      create function public.atoms_port_series(n integer) returns table (i integer, label text) language sql as $$
        select g, 'n' || g from generate_series(1, n) g
      $$;
      create function public.atoms_port_echo(payload jsonb, tags text[]) returns jsonb language sql as $$
        select jsonb_build_object('payload', payload, 'tags', to_jsonb(tags))
      $$;
      create function public.atoms_port_nothing() returns void language sql as $$ select $$;
      create function public.atoms_port_missing(thing text) returns void language plpgsql as $$
        begin raise exception 'no such %', thing using errcode = 'no_data_found'; end $$;
      create function public.atoms_port_null_title(uid uuid) returns void language sql as $$
        insert into public.notifications (type, title, user_id) values ('system', null, uid)
      $$;
    `);
  });
  afterAll(async () => {
    await db?.close();
    // The last test closes the PGlite instance itself (all raw.close() would do).
    if (!raw?.pglite?.closed) await raw?.close();
  });

  it(`is the ${ADAPTER[backend]} adapter, transactional`, () => {
    expect(db.kind).toBe(ADAPTER[backend]);
    expect(db.transactional).toBe(true);
  });

  describe('roles and claims', () => {
    it('runs a user unit of work as authenticated with request.jwt.claims set', async () => {
      // Quotes, backslashes and non-ASCII survive the trip (the pg adapter inlines the claims as an escaped literal).
      const note = `O'Brien \\ "quoted" \u00fc'; select 1; --`;
      const seen = await db.asUser({ claims: { sub: alice.id, email: alice.email, note } }, (s) =>
        s.rpc<{ role: string; uid: string; claims: Record<string, unknown>; timeout: string }>('atoms_port_whoami'),
      );
      expect(seen.role).toBe('authenticated');
      expect(seen.uid).toBe(alice.id);
      expect(seen.claims).toEqual({ sub: alice.id, email: alice.email, note, role: 'authenticated' });
      expect(seen.timeout).toBe('15s');
    });

    it('runs service and anonymous units of work with their roles', async () => {
      const service = await db.asService((s) => s.rpc<{ role: string; uid: string | null }>('atoms_port_whoami'));
      expect(service).toMatchObject({ role: 'service_role', uid: null });
      const onBehalf = await db.asService((s) => s.rpc<{ uid: string }>('atoms_port_whoami'), {
        claims: { sub: bob.id },
      });
      expect(onBehalf.uid).toBe(bob.id);
      const anon = await db.asAnonymous((s) => s.rpc<{ role: string; uid: string | null }>('atoms_port_whoami'));
      expect(anon).toMatchObject({ role: 'anon', uid: null });
    });

    it('never leaks a role or claims into the next unit of work on the same connection', async () => {
      for (let i = 0; i < 4; i++) {
        await db.asUser({ claims: { sub: alice.id } }, (s) => s.rpc('atoms_port_whoami'));
        const next = await db.asAnonymous((s) => s.rpc<{ role: string; uid: string | null }>('atoms_port_whoami'));
        expect(next).toMatchObject({ role: 'anon', uid: null });
      }
    });

    it('keeps concurrent units of work of different users apart', async () => {
      const users = [alice.id, bob.id, alice.id, bob.id, alice.id, bob.id];
      const seen = await Promise.all(
        users.map((sub) => db.asUser({ claims: { sub } }, (s) => s.rpc<{ uid: string }>('atoms_port_whoami'))),
      );
      expect(seen.map((s) => s.uid)).toEqual(users);
    });

    it('refuses claims whose sub is not a profile UUID, before touching the database', async () => {
      const error = await failure(db.asUser({ claims: { sub: 'user_01HXYZ' } }, async () => 'ran'));
      expect(error.code).toBe('validation');
      expect(error.message).toMatch(/profile UUID/);
    });
  });

  describe('transactions', () => {
    it('rolls back everything when the work throws', async () => {
      const marker = `rollback-${backend}-${Date.now()}`;
      await expect(
        db.asService(async (s) => {
          await s.insert('notifications', { type: 'system', title: marker, user_id: alice.id });
          throw new Error('caller gave up');
        }),
      ).rejects.toThrow('caller gave up');
      const left = await db.asService((s) =>
        s.select('notifications', { filters: [{ column: 'title', op: 'eq', value: marker }], count: 'exact' }),
      );
      expect(left.count).toBe(0);
    });

    it('rolls back earlier writes when a later statement fails in the database', async () => {
      const marker = `db-failure-${backend}-${Date.now()}`;
      const error = await failure(
        db.asService(async (s) => {
          await s.insert('notifications', { type: 'system', title: marker, user_id: alice.id });
          await s.insert('notifications', {
            type: 'system',
            title: marker,
            user_id: '00000000-0000-4000-8000-00000000dead',
          });
        }),
      );
      expect(error.code).toBe('validation');
      expect(error.sqlState).toBe('23503');
      const left = await db.asService((s) =>
        s.select('notifications', { filters: [{ column: 'title', op: 'eq', value: marker }], count: 'exact' }),
      );
      expect(left.count).toBe(0);
    });

    it('commits the work when it succeeds and returns its result', async () => {
      const marker = `commit-${backend}-${Date.now()}`;
      const id = await db.asService(async (s) => {
        const [row] = await s.insert('notifications', { type: 'system', title: marker, user_id: alice.id });
        return row?.id;
      });
      const { rows } = await raw.query<{ id: string }>('select id from public.notifications where title = $1', [
        marker,
      ]);
      expect(rows.map((r) => r.id)).toEqual([id]);
    });

    it('refuses a session used after its unit of work ended', async () => {
      let leaked: Session | undefined;
      await db.asService(async (s) => {
        leaked = s;
      });
      const error = await failure((leaked as Session).select('profiles', { columns: ['id'] }));
      expect(error.code).toBe('internal');
      expect(error.message).toMatch(/after its unit of work ended/);
    });
  });

  describe('queries', () => {
    const titles = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    let user: TestProfile;

    beforeAll(async () => {
      user = await createProfile(raw, { fullName: 'Query User' });
      await db.asService((s) =>
        s.insert(
          'notifications',
          titles.map((title, i) => ({
            type: i % 2 === 0 ? ('system' as const) : ('mention' as const),
            title,
            message: i === 4 ? null : `message ${i}`,
            metadata: { rank: i, tags: ['x', i] },
            unread: i < 2,
            user_id: user.id,
          })),
        ),
      );
    });

    const mine = () => ({ column: 'user_id' as const, op: 'eq' as const, value: user.id });
    const select = (options: NotificationQuery) =>
      db.asService((s) => s.select('notifications', { ...options, filters: [mine(), ...(options?.filters ?? [])] }));
    const titlesOf = (rows: { title?: string }[]) => rows.map((r) => r.title);

    it('filters with every operator', async () => {
      const cases: [NotificationQuery, string[]][] = [
        [{ filters: [{ column: 'title', op: 'eq', value: 'beta' }] }, ['beta']],
        [{ filters: [{ column: 'type', op: 'neq', value: 'system' }] }, ['beta', 'delta']],
        [{ filters: [{ column: 'title', op: 'gt', value: 'delta' }] }, ['epsilon', 'gamma']],
        [{ filters: [{ column: 'title', op: 'gte', value: 'delta' }] }, ['delta', 'epsilon', 'gamma']],
        [{ filters: [{ column: 'title', op: 'lt', value: 'beta' }] }, ['alpha']],
        [{ filters: [{ column: 'title', op: 'lte', value: 'beta' }] }, ['alpha', 'beta']],
        [{ filters: [{ column: 'title', op: 'like', value: '%lta' }] }, ['delta']],
        [{ filters: [{ column: 'title', op: 'ilike', value: 'GAM%' }] }, ['gamma']],
        [{ filters: [{ column: 'type', op: 'like', value: 'men%' }] }, ['beta', 'delta']],
        [{ filters: [{ column: 'title', op: 'in', value: ['alpha', 'gamma', 'zeta'] }] }, ['alpha', 'gamma']],
        [{ filters: [{ column: 'type', op: 'in', value: ['mention'] }] }, ['beta', 'delta']],
        [{ filters: [{ column: 'title', op: 'not_in', value: ['alpha', 'gamma'] }] }, ['beta', 'delta', 'epsilon']],
        [{ filters: [{ column: 'title', op: 'in', value: [] }] }, []],
        [{ filters: [{ column: 'message', op: 'is_null', value: true }] }, ['epsilon']],
        [{ filters: [{ column: 'message', op: 'is_null', value: false }] }, ['alpha', 'beta', 'delta', 'gamma']],
        [{ filters: [{ column: 'metadata', op: 'eq', value: { rank: 1, tags: ['x', 1] } }] }, ['beta']],
        [
          {
            filters: [
              { column: 'unread', op: 'eq', value: true },
              { column: 'type', op: 'eq', value: 'system' },
            ],
          },
          ['alpha'],
        ],
      ];
      for (const [options, expected] of cases) {
        const { rows } = await select({ ...options, order: [{ column: 'title' }] });
        expect({ filters: options?.filters, titles: titlesOf(rows) }).toEqual({
          filters: options?.filters,
          titles: expected,
        });
      }
    });

    it('orders, pages and counts', async () => {
      const page1 = await select({ order: [{ column: 'title', ascending: false }], limit: 2, count: 'exact' });
      expect(titlesOf(page1.rows)).toEqual(['gamma', 'epsilon']);
      expect(page1.count).toBe(5);
      const page2 = await select({
        order: [{ column: 'title', ascending: false }],
        limit: 2,
        offset: 2,
        count: 'exact',
      });
      expect(titlesOf(page2.rows)).toEqual(['delta', 'beta']);
      expect(page2.count).toBe(5);
      const beyond = await select({ order: [{ column: 'title' }], offset: 10, count: 'exact' });
      expect(beyond).toEqual({ rows: [], count: 5 });
      const nullsFirst = await select({ order: [{ column: 'message', nullsFirst: true }], limit: 1 });
      expect(titlesOf(nullsFirst.rows)).toEqual(['epsilon']);
      const noCount = await select({ limit: 1 });
      expect(noCount.count).toBeUndefined();
    });

    it('returns only the requested columns', async () => {
      const { rows } = await select({ columns: ['title', 'unread'], order: [{ column: 'title' }], limit: 1 });
      expect(rows).toEqual([{ title: 'alpha', unread: true }]);
    });

    it('updates and deletes the filtered rows, returning them', async () => {
      const updated = await db.asService((s) =>
        s.update(
          'notifications',
          { unread: false, read_at: new Date('2026-01-02T03:04:05.678Z') },
          {
            filters: [mine(), { column: 'title', op: 'in', value: ['alpha', 'beta'] }],
            returning: ['title', 'read_at'],
          },
        ),
      );
      expect(updated.sort((a, b) => a.title.localeCompare(b.title))).toEqual([
        { title: 'alpha', read_at: '2026-01-02T03:04:05.678+00:00' },
        { title: 'beta', read_at: '2026-01-02T03:04:05.678+00:00' },
      ]);
      const deleted = await db.asService((s) =>
        s.delete('notifications', { filters: [mine(), { column: 'title', op: 'eq', value: 'epsilon' }] }),
      );
      expect(titlesOf(deleted)).toEqual(['epsilon']);
      const { count } = await select({ count: 'exact' });
      expect(count).toBe(4);
    });

    it('upserts on a unique key', async () => {
      const first = await db.asService((s) =>
        s.insert('workspace_contexts', { user_id: user.id, session_id: 'sess-1' }, { returning: ['id'] }),
      );
      const again = await db.asService((s) =>
        s.insert(
          'workspace_contexts',
          { user_id: user.id, session_id: 'sess-1', recent_projects: [] },
          { onConflict: { columns: ['user_id', 'session_id'] }, returning: ['id'] },
        ),
      );
      expect(again).toEqual(first);
      const skipped = await db.asService((s) =>
        s.insert(
          'workspace_contexts',
          { user_id: user.id, session_id: 'sess-1' },
          { onConflict: { columns: ['user_id', 'session_id'], ignoreDuplicates: true } },
        ),
      );
      expect(skipped).toEqual([]);
    });
  });

  describe('row-level security', () => {
    const asAlice = <T>(work: (s: Session) => Promise<T>) => db.asUser({ claims: { sub: alice.id } }, work);
    const asBob = <T>(work: (s: Session) => Promise<T>) => db.asUser({ claims: { sub: bob.id } }, work);

    it('as a user, reads and writes only what the policies allow; the service role bypasses them', async () => {
      const title = `own-${backend}`;
      const [mine] = await asAlice((s) => s.insert('notifications', { type: 'mention', title, user_id: alice.id }));
      expect(mine?.user_id).toBe(alice.id);

      const forBob = await failure(
        asAlice((s) => s.insert('notifications', { type: 'mention', title, user_id: bob.id })),
      );
      expect(forBob).toMatchObject({ code: 'permission_denied', sqlState: '42501' });
      expect(forBob.message).toMatch(/row-level security/);

      const byTitle = [{ column: 'title' as const, op: 'eq' as const, value: title }];
      expect((await asAlice((s) => s.select('notifications', { filters: byTitle, count: 'exact' }))).count).toBe(1);
      expect((await asBob((s) => s.select('notifications', { filters: byTitle, count: 'exact' }))).count).toBe(0);
      expect(await asBob((s) => s.update('notifications', { title: 'hijacked' }, { filters: byTitle }))).toEqual([]);
      expect(await asBob((s) => s.delete('notifications', { filters: byTitle }))).toEqual([]);
      const seen = await db.asService((s) =>
        s.select('notifications', { filters: byTitle, columns: ['title', 'user_id'] }),
      );
      expect(seen.rows).toEqual([{ title, user_id: alice.id }]);
    });

    it('anonymous callers see no user data', async () => {
      const error = await failure(db.asAnonymous((s) => s.select('notifications', { columns: ['id'] })));
      expect(error.code).toBe('permission_denied');
    });

    it('runs a workflow function as the user, atomically, with RLS deciding who may', async () => {
      const orgId = alice.personalOrganizationId;
      expect(orgId).toBeTruthy();
      const result = await asAlice((s) =>
        s.rpc<{ project: { id: string; owned_by: string }; documents: { name: string }[] }>('setup_project', {
          p_organization_id: orgId,
          p_name: `Apollo ${backend}`,
          p_initial_documents: ['Spec', { name: 'Plan', tags: ['q1'] }],
        }),
      );
      expect(result.project.owned_by).toBe(alice.id);
      expect(result.documents.map((d) => d.name)).toEqual(['Spec', 'Plan']);
      const byId = [{ column: 'id' as const, op: 'eq' as const, value: result.project.id }];
      expect((await asAlice((s) => s.select('projects', { filters: byId, count: 'exact' }))).count).toBe(1);
      expect((await asBob((s) => s.select('projects', { filters: byId, count: 'exact' }))).count).toBe(0);

      // Bob cannot see Alice's organization: the workflow stops at its first step and leaves nothing behind.
      const refused = await failure(
        asBob((s) => s.rpc('setup_project', { p_organization_id: orgId, p_name: `Intruder ${backend}` })),
      );
      expect(refused.code).toBe('not_found');
      expect(refused.step).toBe('verify_organization');
      const intruder = await db.asService((s) =>
        s.select('projects', { filters: [{ column: 'name', op: 'eq', value: `Intruder ${backend}` }], count: 'exact' }),
      );
      expect(intruder.count).toBe(0);
    });

    it('rolls back a user unit of work that fails half-way', async () => {
      const name = `Half ${backend}`;
      const error = await failure(
        asAlice(async (s) => {
          await s.insert('organizations', { name, slug: `half-${backend}` });
          await s.insert('organizations', { name: 'x' }); // name too short: check violation
        }),
      );
      expect(error).toMatchObject({ code: 'validation', sqlState: '23514', constraint: 'organizations_name_length' });
      const left = await db.asService((s) =>
        s.select('organizations', { filters: [{ column: 'name', op: 'eq', value: name }], count: 'exact' }),
      );
      expect(left.count).toBe(0);
    });

    it('passes embeddings to SQL functions and reads them back as numbers', async () => {
      const embedding = Array.from({ length: 768 }, (_, i) => Math.sin(i));
      const [doc] = await db
        .asService((s) =>
          s.select('documents', {
            columns: ['id', 'project_id'],
            filters: [{ column: 'name', op: 'eq', value: 'Spec' }],
          }),
        )
        .then((r) => r.rows);
      expect(doc).toBeDefined();
      await db.asService((s) =>
        s.update(
          'documents',
          { embedding },
          { filters: [{ column: 'id', op: 'eq', value: doc?.id }], returning: ['id'] },
        ),
      );
      const hits = await asAlice((s) =>
        s.rpc<{ id: string; similarity: number }[]>('semantic_search', {
          p_table: 'documents',
          p_embedding: embedding,
          p_limit: 5,
        }),
      );
      expect(hits[0]?.id).toBe(doc?.id);
      expect(hits[0]?.similarity).toBeCloseTo(1, 5);
      const { rows } = await asAlice((s) =>
        s.select('documents', { columns: ['embedding'], filters: [{ column: 'id', op: 'eq', value: doc?.id }] }),
      );
      const stored = rows[0]?.embedding as number[];
      expect(stored).toHaveLength(768);
      stored.forEach((v, i) => expect(v).toBeCloseTo(embedding[i] as number, 5));
      expect(await asBob((s) => s.rpc('semantic_search', { p_table: 'documents', p_embedding: embedding }))).toEqual(
        [],
      );
    });
  });

  describe('rpc', () => {
    it('returns a scalar, a set of rows, JSON, and nothing', async () => {
      await db.asService(async (s) => {
        expect(await s.rpc('atoms_port_add', { a: 2, b: 40 })).toBe(42);
        expect(await s.rpc('atoms_port_series', { n: 3 })).toEqual([
          { i: 1, label: 'n1' },
          { i: 2, label: 'n2' },
          { i: 3, label: 'n3' },
        ]);
        expect(await s.rpc('atoms_port_echo', { payload: { a: [1, { b: null }] }, tags: ['x', 'y'] })).toEqual({
          payload: { a: [1, { b: null }] },
          tags: ['x', 'y'],
        });
        expect(await s.rpc('atoms_port_echo', { payload: ['list', 'as', 'json'], tags: [] })).toEqual({
          payload: ['list', 'as', 'json'],
          tags: [],
        });
        expect(await s.rpc('atoms_port_nothing')).toBeNull();
      });
    });

    it('maps unknown functions and arguments, and functions raising no_data_found', async () => {
      const unknown = await failure(db.asService((s) => s.rpc('atoms_port_does_not_exist')));
      expect(unknown.code).toBe('not_found');
      const badArg = await failure(db.asService((s) => s.rpc('atoms_port_add', { a: 1, c: 2 })));
      expect(badArg.code).toBe('validation');
      expect(badArg.message).toMatch(/no argument c/);
      const badName = await failure(db.asService((s) => s.rpc('atoms_port_add; drop table profiles')));
      expect(badName.code).toBe('validation');
      const missing = await failure(db.asService((s) => s.rpc('atoms_port_missing', { thing: 'widget' })));
      expect(missing).toMatchObject({ code: 'not_found', sqlState: 'P0002', message: 'no such widget' });
    });
  });

  describe('errors from real constraint violations', () => {
    it('23505 unique violation -> conflict, naming the constraint', async () => {
      const error = await failure(db.asService((s) => s.insert('profiles', { email: alice.email.toUpperCase() })));
      expect(error).toMatchObject({ code: 'conflict', sqlState: '23505', constraint: 'profiles_email_key' });
    });

    it('23503 foreign key violation -> validation, naming the constraint', async () => {
      const error = await failure(
        db.asService((s) =>
          s.insert('notifications', { type: 'system', title: 'x', user_id: '00000000-0000-4000-8000-00000000beef' }),
        ),
      );
      expect(error).toMatchObject({ code: 'validation', sqlState: '23503', constraint: 'notifications_user_id_fkey' });
    });

    it('23514 check violation -> validation, naming the constraint', async () => {
      const error = await failure(db.asService((s) => s.insert('profiles', { email: 'not-an-email' })));
      expect(error).toMatchObject({ code: 'validation', sqlState: '23514', constraint: 'profiles_email_format' });
    });

    it('23502 not-null violation -> validation, naming the column', async () => {
      const error = await failure(db.asService((s) => s.rpc('atoms_port_null_title', { uid: alice.id })));
      expect(error).toMatchObject({ code: 'validation', sqlState: '23502', column: 'title' });
    });

    it('22P02 invalid text representation -> validation', async () => {
      const error = await failure(
        db.asService((s) => s.select('profiles', { filters: [{ column: 'id', op: 'eq', value: 'not-a-uuid' }] })),
      );
      expect(error).toMatchObject({ code: 'validation', sqlState: '22P02' });
    });

    it('42501 insufficient privilege -> permission_denied', async () => {
      const error = await failure(db.asAnonymous((s) => s.select('schema_migrations', { columns: ['version'] })));
      expect(error).toMatchObject({ code: 'permission_denied', sqlState: '42501' });
    });

    it('never sends what fails validation, and says why', async () => {
      const cases: [string, () => Promise<unknown>, RegExp][] = [
        ['unknown table', () => db.asService((s) => s.select('nope' as 'profiles')), /Unknown table: nope/],
        [
          'unknown column',
          () => db.asService((s) => s.select('profiles', { columns: ['id', 'password' as 'id'] })),
          /Unknown column profiles.password/,
        ],
        [
          'unknown filter column',
          () =>
            db.asService((s) =>
              s.select('profiles', { filters: [{ column: 'email; drop table x' as 'email', op: 'eq', value: 1 }] }),
            ),
          /Unknown column/,
        ],
        [
          'unknown operator',
          () =>
            db.asService((s) =>
              s.select('profiles', { filters: [{ column: 'email', op: 'regex' as 'eq', value: 1 }] }),
            ),
          /unknown operator regex/,
        ],
        [
          'in without a list',
          () =>
            db.asService((s) =>
              s.select('profiles', { filters: [{ column: 'email', op: 'in', value: 'a' as never }] }),
            ),
          /needs a list/,
        ],
        [
          'order by a large column',
          () => db.asService((s) => s.select('documents', { order: [{ column: 'embedding' }] })),
          /cannot sort by embedding/,
        ],
        ['negative limit', () => db.asService((s) => s.select('profiles', { limit: -1 })), /limit must be/],
        [
          'unknown insert column',
          () => db.asService((s) => s.insert('profiles', { email: 'a@b.c', password: 'x' } as never)),
          /Invalid profiles row/,
        ],
        [
          'bad enum value',
          () =>
            db.asService((s) => s.insert('notifications', { type: 'sms' as 'system', title: 't', user_id: alice.id })),
          /type/,
        ],
        [
          'generated column',
          () =>
            db.asService((s) =>
              s.update('documents', { fts_vector: 'x' } as never, {
                filters: [{ column: 'name', op: 'eq', value: 'x' }],
              }),
            ),
          /fts_vector/,
        ],
        [
          'update without filters',
          () => db.asService((s) => s.update('profiles', { full_name: 'Everyone' }, { filters: [] })),
          /needs at least one filter/,
        ],
        [
          'delete without filters',
          () => db.asService((s) => s.delete('profiles', { filters: [] })),
          /needs at least one filter/,
        ],
        [
          'write to a view',
          () => db.asService((s) => s.delete('diagram_element_links_with_details' as 'profiles', { filters: [] })),
          /is a view/,
        ],
        ['nothing to insert', () => db.asService((s) => s.insert('profiles', [])), /Nothing to insert/],
      ];
      for (const [name, run, message] of cases) {
        const error = await failure(run());
        expect({ name, code: error.code, message: error.message }).toEqual({
          name,
          code: 'validation',
          message: expect.stringMatching(message),
        });
      }
      const { rows } = await raw.query<{ n: number }>(
        `select count(*)::int as n from public.profiles where full_name = 'Everyone'`,
      );
      expect(rows[0]?.n).toBe(0);
    });

    it('lists field-level issues of an invalid row', async () => {
      const error = await failure(
        db.asService((s) =>
          s.insert('notifications', [{ type: 'system', title: 'ok', user_id: alice.id }, { title: 5 } as never]),
        ),
      );
      expect(error.issues?.map((i) => i.path)).toEqual(
        expect.arrayContaining(['[1].title', '[1].type', '[1].user_id']),
      );
    });
  });

  describe('models parse real rows', () => {
    it('parses rows of every column type the schema uses', async () => {
      const carol = await createProfile(raw, { fullName: 'Carol' });
      const embedding = Array.from({ length: 768 }, (_, i) => (i % 7) / 10);
      const org = await db.asService(async (s) => {
        const [organization] = await s.insert('organizations', {
          name: 'Parse Org',
          slug: `parse-org-${backend}`,
          created_by: alice.id,
          updated_by: alice.id,
          storage_used: 2 ** 40,
          embedding,
          metadata: { nested: { list: [1, 'two', null] } },
        });
        return organization;
      });
      expect(org).toBeDefined();
      const parsedOrg = schemas.organizations.row.parse(org);
      expect(parsedOrg.embedding).toEqual(embedding);
      expect(parsedOrg.storage_used).toBe(2 ** 40);
      expect(parsedOrg.fts_vector).toMatch(/'pars'/);

      await db.asService(async (s) => {
        const [test] = await s.insert('test_req', {
          title: 'Duration',
          estimated_duration: '1 day 02:03:04',
          category: ['smoke', 'a,b'],
        });
        expect(schemas.test_req.row.parse(test).category).toEqual(['smoke', 'a,b']);
        const [audit] = await s.insert('audit_logs', {
          action: 'create',
          entity_id: alice.id,
          entity_type: 'profile',
          ip_address: '192.0.2.1',
          threat_indicators: ['none'],
          event_type: 'data_created',
        });
        expect(schemas.audit_logs.row.parse(audit).ip_address).toBe('192.0.2.1');
        const [context] = await s.insert('workspace_contexts', {
          user_id: carol.id,
          recent_organizations: [parsedOrg.id],
        });
        expect(schemas.workspace_contexts.row.parse(context).recent_organizations).toEqual([parsedOrg.id]);
        const { rows: profiles } = await s.select('profiles', {
          filters: [{ column: 'id', op: 'in', value: [alice.id, bob.id] }],
        });
        expect(profiles).toHaveLength(2);
        for (const profile of profiles) schemas.profiles.row.parse(profile);
      });
    });

    it('parses every row of every relation the earlier tests filled', async () => {
      const filled: string[] = [];
      await db.asService(async (s) => {
        for (const name of relationNames) {
          if (name === 'schema_migrations') continue; // the runner's own table: no API role may read it
          const { rows } = await s.select(name, { limit: 50 });
          for (const row of rows) {
            const parsed = schemas[name].row.safeParse(row);
            expect({ name, row, issues: parsed.error?.issues ?? [] }).toEqual({ name, row, issues: [] });
          }
          if (rows.length > 0) filled.push(name);
        }
      });
      expect(filled).toEqual(
        expect.arrayContaining([
          'profiles',
          'organizations',
          'organization_members',
          'projects',
          'project_members',
          'documents',
          'notifications',
          'workspace_contexts',
          'audit_logs',
          'test_req',
          'entity_versions',
        ]),
      );
    });

    it('returns timestamps as ISO 8601 with offset and microseconds', async () => {
      const [row] = await db.asService((s) =>
        s.insert(
          'notifications',
          { type: 'system', title: 'ts', user_id: alice.id, read_at: '2026-03-04T05:06:07.123456+02:00' },
          { returning: ['read_at', 'created_at'] },
        ),
      );
      expect(row?.read_at).toBe('2026-03-04T03:06:07.123456+00:00');
      expect(row?.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
    });
  });

  it('maps a lost database to unavailable (runs last: closes the database)', async () => {
    if (backend === 'pglite') await raw.pglite?.close();
    else await db.close();
    const error = await failure(db.asAnonymous((s) => s.rpc('atoms_port_add', { a: 1, b: 2 })));
    expect(error.code).toBe('unavailable');
  });
});
