import { PostgresStore } from '../../src/sessions/stores/postgres-store.js';
import { createScratchDatabase } from './support/services.js';
import { describeStoreContract } from './support/store-contract.js';
import { describeJwksCacheContract, describeServiceContract } from './support/service-contract.js';

describe('Postgres store (real PostgreSQL, seed DDL of atoms_sessions)', () => {
  let db: Awaited<ReturnType<typeof createScratchDatabase>>;
  let store: PostgresStore;

  beforeAll(async () => {
    db = await createScratchDatabase();
    store = new PostgresStore({ query: (sql, params) => db.pool.query(sql, [...params]) });
  });
  afterAll(() => db.cleanup());

  const fixture = () => ({ store, newOwner: () => db.addUser() });
  describeStoreContract(fixture);
  describeServiceContract(fixture);
  describeJwksCacheContract(fixture);

  it('maps a session record onto the seed columns', async () => {
    const owner = await db.addUser();
    const hash = 'a'.repeat(64);
    await store.create({ ns: 'session', id: hash, owner }, { device: { ua: 'x' } }, 60_000);
    const { rows } = await db.pool.query(
      `SELECT user_id, token_hash, metadata, expires_at > now() + interval '50 seconds' AS future,
              created_at IS NOT NULL AND last_activity IS NOT NULL AS stamped
       FROM atoms_sessions WHERE token_hash = $1`,
      [hash],
    );
    expect(rows).toEqual([
      {
        user_id: owner,
        token_hash: hash,
        metadata: { ns: 'session', v: 1, data: { device: { ua: 'x' } } },
        future: true,
        stamped: true,
      },
    ]);
  });

  it('refuses an owner that is not a UUID before touching the database', async () => {
    await expect(store.create({ ns: 'session', id: 'x', owner: 'user_123' }, { a: 1 }, 1000)).rejects.toMatchObject({
      code: 'invalid_argument',
    });
  });
});
