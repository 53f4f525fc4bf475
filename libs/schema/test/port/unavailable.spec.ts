import { describe, expect, it } from '@jest/globals';
import { DatabaseError, fromPostgresError } from '../../src/index.js';
import pg from 'pg';
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

  it('pg: an idle connection killed by the server is reported and replaced', async () => {
    const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const applicationName = `atoms-port-idle-${process.pid}`;
    const errors: Error[] = [];
    const db = pgDatabase({ connectionString: url, applicationName, onIdleError: (e) => errors.push(e) });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      expect(await db.asAnonymous(async () => 'warm')).toBe('warm');
      const { rows } = await admin.query<{ killed: boolean }>(
        'select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = $1',
        [applicationName],
      );
      expect(rows.map((r) => r.killed)).toEqual([true]);
      for (let i = 0; i < 50 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(errors).toHaveLength(1);
      expect(await db.asAnonymous(async () => 'again')).toBe('again');
    } finally {
      await admin.end();
      await db.close();
    }
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
