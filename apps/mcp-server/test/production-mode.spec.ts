import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, runToCompletion, startApp, waitForReady, WORKSPACE_ROOT } from './support/app-process.js';

/**
 * Production mode on real PostgreSQL and Redis (both required: the suite fails when they are missing): pending
 * migrations stop the start, the explicit migrate command applies them, then the server starts and is ready.
 */
const ADMIN_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const MIGRATE_CLI = join(WORKSPACE_ROOT, 'apps/mcp-server/src/cli/migrate.ts');

const REDIS_PREFIX = `test:mcp-server:${randomBytes(4).toString('hex')}:`;
const dbName = `atoms_mcp_server_${randomBytes(4).toString('hex')}`;
const dbUrl = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  url.password = 'pw-never-printed'; // trust auth ignores it; the reports must not show it
  return url.toString();
})();

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin((c) => c.query(`create database ${dbName}`));
});

afterAll(async () => {
  await admin((c) => c.query(`drop database if exists ${dbName} with (force)`));
  // Only this run's keys (never FLUSHDB: the Redis is shared).
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
});

it('refuses to start with pending migrations, migrates on the explicit command, then serves', async () => {
  const port = await freePort();
  const env = {
    PRODUCTION: 'true',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    DATABASE_URL: dbUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: REDIS_PREFIX,
    ATOMS_FASTMCP_AUTH_MODE: 'supabase_jwt',
    NEXT_PUBLIC_SUPABASE_URL: 'https://example-project.supabase.co',
    SUPABASE_JWT_SECRET: randomBytes(32).toString('hex'),
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  };
  const refused = await runToCompletion(join(WORKSPACE_ROOT, 'apps/mcp-server/src/main.ts'), [], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/migration\(s\) pending .*Production never migrates at start/);
  const tables = await admin((c) =>
    c.query(`select count(*)::int as n from pg_tables where schemaname = 'public'`).then((r) => r.rows[0].n),
  );
  expect(tables).toBe(0); // nothing was applied by the refused start

  const migrated = await runToCompletion(MIGRATE_CLI, [], env);
  expect(migrated.code).toBe(0);
  expect(migrated.stdout).toMatch(/\d+ applied, 0 already applied/);
  expect(migrated.stdout + migrated.stderr).not.toContain('pw-never-printed');

  const app = startApp(env);
  try {
    await waitForReady(app);
    expect(app.stdout()).toContain(`ready at http://127.0.0.1:${port}/api/mcp`);
    expect(app.stdout()).not.toContain('Access token'); // no dev issuer in production
    expect(app.stderr()).toContain('PostgreSQL postgres://postgres:****@');
    expect(app.stdout() + app.stderr()).not.toContain('pw-never-printed');
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);
    const unauthenticated = await fetch(`http://127.0.0.1:${port}/api/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(unauthenticated.status).toBe(401);
    const metadata = (await (
      await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/api/mcp`)
    ).json()) as { authorization_servers: string[] };
    expect(metadata.authorization_servers).toEqual(['https://example-project.supabase.co/auth/v1']);
  } finally {
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  }
});
