import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BACKENDS, asAnon, asService, asUser, openTestDatabase, pgError, type TestDatabase } from '../support/index.js';

describe.each(BACKENDS)('test support on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('gives a migrated database', async () => {
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from public.schema_migrations');
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('runs as a user with claims, transaction-locally', async () => {
    const sub = '00000000-0000-4000-8000-000000000001';
    const seen = await asUser(db, { sub, email: 'a@example.test' }, async (tx) => {
      const { rows } = await tx.query<{ uid: string; role: string; email: string }>(
        `select auth.uid()::text as uid, current_user as role, auth.jwt() ->> 'email' as email`,
      );
      return rows[0];
    });
    expect(seen).toEqual({ uid: sub, role: 'authenticated', email: 'a@example.test' });
    const { rows } = await db.query<{ uid: string | null; role: string }>(
      'select auth.uid()::text as uid, current_user as role',
    );
    expect(rows[0].uid).toBeNull();
    expect(rows[0].role).not.toBe('authenticated');
  });

  it('runs as service_role and anon', async () => {
    expect(
      await asService(db, async (tx) => (await tx.query<{ r: string }>('select current_user as r')).rows[0].r),
    ).toBe('service_role');
    expect(await asAnon(db, async (tx) => (await tx.query<{ r: string }>('select current_user as r')).rows[0].r)).toBe(
      'anon',
    );
  });

  it('captures a refusal and keeps the transaction usable', async () => {
    await asUser(db, '00000000-0000-4000-8000-000000000002', async (tx) => {
      const error = await pgError(tx, () => tx.query('select * from public.schema_migrations'));
      expect(error?.code).toBe('42501');
      const { rows } = await tx.query<{ one: number }>('select 1 as one');
      expect(rows[0].one).toBe(1);
    });
  });
});
