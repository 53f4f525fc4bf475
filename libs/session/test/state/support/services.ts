/** Connections to the real services the state tests use; a missing service fails the suite loudly. */
import pg from 'pg';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { atomsSessionsDdl } from '../../../src/sessions/stores/postgres-store.js';

export const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A unique key prefix per test run; `cleanup()` deletes exactly those keys (never FLUSH*). */
export async function connectRedis(): Promise<{ redis: Redis; prefix: string; cleanup(): Promise<void> }> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Redis is required at ${REDIS_URL} for this suite`, { cause: error });
  }
  const prefix = `test:session:${randomBytes(6).toString('hex')}:`;
  return {
    redis,
    prefix,
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]]/g, '\\$&')}*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await redis.quit();
    },
  };
}

/**
 * A scratch database `atoms_session_<random>` holding the seed checklist's `atoms_sessions` DDL (with the seed's
 * `atoms_users` as the referenced user table); dropped by `cleanup()`.
 */
export async function createScratchDatabase(): Promise<{
  pool: pg.Pool;
  addUser(): Promise<string>;
  idleErrors: Error[];
  cleanup(): Promise<void>;
}> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is required at ${DATABASE_URL} for this suite`, { cause: error });
  }
  const name = `atoms_session_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
  // Idle clients report the server closing them when the database is dropped at teardown; during the tests a
  // failing query rejects its own promise, so nothing is lost by not crashing the worker here.
  const idleErrors: Error[] = [];
  pool.on('error', (error) => idleErrors.push(error));
  await pool.query('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
  await pool.query('CREATE TABLE atoms_users (id UUID PRIMARY KEY DEFAULT uuid_generate_v4())');
  await pool.query(atomsSessionsDdl('atoms_users'));
  return {
    pool,
    async addUser() {
      const { rows } = await pool.query<{ id: string }>('INSERT INTO atoms_users DEFAULT VALUES RETURNING id');
      return rows[0]!.id;
    },
    idleErrors,
    async cleanup() {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
