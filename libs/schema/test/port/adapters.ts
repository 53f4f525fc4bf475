import { pgDatabase, pgliteDatabase } from '../../src/node/index.js';
import type { Database } from '../../src/index.js';
import { openTestDatabase, type Backend, type TestDatabase } from '../support/index.js';

/** A migrated test database of the backend plus the port adapter over it. */
export async function openPort(backend: Backend): Promise<{ raw: TestDatabase; db: Database }> {
  const raw = await openTestDatabase(backend);
  if (backend === 'pglite') {
    if (!raw.pglite) throw new Error('PGlite test database without its instance');
    return { raw, db: pgliteDatabase(raw.pglite, { ownsInstance: false }) };
  }
  if (!raw.url) throw new Error('PostgreSQL test database without its URL');
  return { raw, db: pgDatabase({ connectionString: raw.url, max: 3 }) };
}
