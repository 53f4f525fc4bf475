import { describe, expect, it } from '@jest/globals';
import { DatabaseError, fromPostgresError } from '../../src/index.js';
import { pgDatabase } from '../../src/node/index.js';

async function failure(promise: Promise<unknown>): Promise<DatabaseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DatabaseError) return error;
    throw error;
  }
  throw new Error('expected a DatabaseError, got success');
}

describe('connection failures are unavailable', () => {
  it('pg: nothing listening', async () => {
    const db = pgDatabase({ connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectionTimeoutMs: 2000 });
    try {
      const error = await failure(db.asService((s) => s.select('profiles', { columns: ['id'] })));
      expect(error.code).toBe('unavailable');
      expect(error.sqlState).toBe('ECONNREFUSED');
    } finally {
      await db.close();
    }
  });

  it('pg: a database that does not exist', async () => {
    const base = new URL(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    base.pathname = '/atoms_schema_port_missing_database';
    const db = pgDatabase({ connectionString: base.toString() });
    try {
      const error = await failure(db.asAnonymous((s) => s.select('profiles', { columns: ['id'] })));
      // 3D000 invalid_catalog_name: the server is up but this database is not there.
      expect(error.sqlState).toBe('3D000');
      expect(error.code).toBe('unavailable');
    } finally {
      await db.close();
    }
  });

  it('pg: a pool used after close', async () => {
    const db = pgDatabase({
      connectionString: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await db.close();
    const error = await failure(db.asAnonymous((s) => s.select('profiles', { columns: ['id'] })));
    expect(error.code).toBe('unavailable');
  });

  it('classifies socket errors and unknown errors', () => {
    expect(fromPostgresError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })).code).toBe(
      'unavailable',
    );
    expect(fromPostgresError(new Error('Connection terminated unexpectedly')).code).toBe('unavailable');
    expect(fromPostgresError({ code: '53300', message: 'too many connections' }).code).toBe('unavailable');
    expect(fromPostgresError({ code: '57014', message: 'canceling statement due to statement timeout' }).code).toBe(
      'unavailable',
    );
    expect(fromPostgresError({ code: '40001', message: 'could not serialize access' }).code).toBe('conflict');
    const odd = fromPostgresError(new TypeError('boom'));
    expect(odd.code).toBe('internal');
    expect(odd.cause).toBeInstanceOf(TypeError);
    expect(JSON.stringify(odd)).toBe('{"code":"internal","message":"boom"}');
  });
});
