/**
 * The migration runner against real databases: from empty, idempotent re-runs, dry runs and status, concurrent
 * runners, drift (tampered checksum, missing file), a failing migration (error location, database left at the
 * last good version) and the CLI.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import {
  MigrationError,
  createEmptyDatabase,
  defaultMigrationsDir,
  migrate,
  migrationStatus,
  openPglite,
  pgConnection,
  pgliteConnection,
  readMigrationFiles,
  splitStatements,
  type ClonedDatabase,
  type MigrationConnection,
} from '../../src/migrate/index.js';
import { BACKENDS, databaseUrl, type Backend } from '../support/index.js';

const run = promisify(execFile);

/** Toy migrations: fast to apply, so each scenario starts from an empty database. */
async function toyMigrations(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atoms-schema-toy-'));
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return dir;
}

const GOOD = {
  '001_first.sql': `create table runner_a (id int primary key);\ninsert into runner_a values (1);`,
  '002_second.sql':
    `-- a comment; with a semicolon\ncreate table runner_b (note text default 'x;y');\n` +
    `create function runner_f() returns int language plpgsql as $$ begin return 1; end $$;`,
};

interface Target {
  /** A connection to an empty database (PostgreSQL: a new database; PGlite: the shared instance, reset). */
  fresh(): Promise<MigrationConnection>;
  /** A second, independent connection to the same database as the last `fresh()`. */
  second(): Promise<MigrationConnection>;
  close(): Promise<void>;
}

async function postgresTarget(): Promise<Target> {
  const databases: ClonedDatabase[] = [];
  const clients: pg.Client[] = [];
  const connect = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    clients.push(client);
    return pgConnection(client);
  };
  return {
    async fresh() {
      const db = await createEmptyDatabase({ adminUrl: databaseUrl() });
      databases.push(db);
      return connect(db.url);
    },
    async second() {
      return connect(databases[databases.length - 1].url);
    },
    async close() {
      for (const c of clients) await c.end().catch(() => undefined);
      for (const d of databases) await d.drop();
    },
  };
}

async function pgliteTarget(): Promise<Target> {
  const db: PGlite = await openPglite();
  return {
    async fresh() {
      await db.exec(`drop schema if exists public cascade; drop schema if exists auth cascade;
                     drop schema if exists atoms_private cascade; drop schema if exists extensions cascade;
                     create schema public;`);
      return pgliteConnection(db);
    },
    async second() {
      return pgliteConnection(db);
    },
    async close() {
      await db.close();
    },
  };
}

/** The MigrationError a run must fail with. */
async function failure(run: Promise<unknown>): Promise<MigrationError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof MigrationError) return error;
    throw error;
  }
  throw new Error('expected the migration run to fail');
}

async function tables(conn: MigrationConnection): Promise<string[]> {
  const rows = await conn.query<{ t: string }>(
    `select tablename as t from pg_tables where schemaname = 'public' and tablename like 'runner_%' order by 1`,
  );
  return rows.map((r) => r.t);
}

async function ledger(conn: MigrationConnection): Promise<{ version: string; checksum: string }[]> {
  return conn.query(`select version, checksum from public.schema_migrations order by version`);
}

describe('splitStatements', () => {
  it('splits on top-level semicolons only, with statement lines', () => {
    const sql = `select 1;\n-- c; c\nselect 'a;b', "x;y", E'it\\'s;';\n/* x; /* nested; */ */\ncreate function f() returns int\n language sql as $body$ select 1; $body$;\nselect $$;$$`;
    expect(splitStatements(sql).map((s) => [s.line, s.sql.split('\n')[0]])).toEqual([
      [1, 'select 1'],
      [2, '-- c; c'],
      [4, '/* x; /* nested; */ */'],
      [7, 'select $$;$$'],
    ]);
  });

  it('refuses an unterminated dollar quote', () => {
    expect(() => splitStatements('select $x$ never closed')).toThrow(/unterminated dollar-quoted string/);
  });
});

describe.each(BACKENDS)('migration runner on %s', (backend: Backend) => {
  let target: Target;
  beforeAll(async () => {
    target = backend === 'postgres' ? await postgresTarget() : await pgliteTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  it('applies every shipped migration to an empty database, then nothing on a re-run', async () => {
    const conn = await target.fresh();
    const files = await readMigrationFiles();
    const before = await migrationStatus(conn);
    expect(before.every((e) => e.state === 'pending')).toBe(true);
    const dry = await migrate(conn, { dryRun: true });
    expect(dry.applied.map((a) => a.fileName)).toEqual(files.map((f) => f.fileName));
    expect(await conn.query(`select to_regclass('public.schema_migrations') as t`)).toEqual([{ t: null }]);

    const first = await migrate(conn);
    expect(first.applied.map((a) => a.version)).toEqual(files.map((f) => f.version));
    expect(await ledger(conn)).toEqual(files.map((f) => ({ version: f.version, checksum: f.checksum })));
    const second = await migrate(conn);
    expect(second).toEqual({ applied: [], alreadyApplied: files.length, dryRun: false });
    const status = await migrationStatus(conn);
    expect(status.map((e) => e.state)).toEqual(files.map(() => 'applied'));
    expect(status.every((e) => (e.durationMs ?? -1) >= 0 && e.appliedAt instanceof Date)).toBe(true);
  });

  it('leaves what Supabase already provides untouched and uses its extensions schema', async () => {
    const conn = await target.fresh();
    await conn.exec(`create schema auth;
      create function auth.uid() returns uuid language sql stable as $$ select '00000000-0000-4000-8000-00000000cafe'::uuid $$;
      create schema extensions;`);
    await migrate(conn);
    const [uid] = await conn.query<{ uid: string }>('select auth.uid()::text as uid');
    expect(uid.uid).toBe('00000000-0000-4000-8000-00000000cafe');
    const [jwt] = await conn.query<{ present: boolean }>(`select to_regprocedure('auth.jwt()') is not null as present`);
    expect(jwt.present).toBe(true);
    const [trgm] = await conn.query<{ schema: string }>(
      `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm'`,
    );
    expect(trgm.schema).toBe('extensions');
  });

  it('lets two runners at once apply each migration exactly once', async () => {
    const dir = await toyMigrations(GOOD);
    const a = await target.fresh();
    const b = await target.second();
    const [ra, rb] = await Promise.all([migrate(a, { dir }), migrate(b, { dir })]);
    expect(ra.applied.length + rb.applied.length).toBe(2);
    expect([ra.applied.length, rb.applied.length].sort()).toEqual([0, 2]);
    expect((await ledger(a)).map((r) => r.version)).toEqual(['001', '002']);
    await rm(dir, { recursive: true });
  });

  it('refuses to run when an applied file changed, naming it', async () => {
    const dir = await toyMigrations(GOOD);
    const conn = await target.fresh();
    await migrate(conn, { dir });
    await writeFile(join(dir, '001_first.sql'), GOOD['001_first.sql'] + '\n-- edited');
    await writeFile(join(dir, '003_third.sql'), 'create table runner_c (id int);');
    const error = await failure(migrate(conn, { dir }));
    expect(error.details).toMatchObject({ code: 'drift', file: '001_first.sql' });
    expect(error.message).toContain('001_first.sql changed after it was applied');
    expect(await tables(conn)).toEqual(['runner_a', 'runner_b']);
    expect((await migrationStatus(conn, { dir })).map((e) => e.state)).toEqual(['drifted', 'applied', 'pending']);
    await rm(dir, { recursive: true });
  });

  it('refuses to run when an applied file is missing, or a pending one is older than the newest applied', async () => {
    const dir = await toyMigrations({
      '010_first.sql': GOOD['001_first.sql'],
      '020_second.sql': GOOD['002_second.sql'],
    });
    const conn = await target.fresh();
    await migrate(conn, { dir });
    await rm(join(dir, '020_second.sql'));
    const missing = await failure(migrate(conn, { dir }));
    expect(missing.details).toMatchObject({ code: 'missing_file', file: '020_second.sql' });
    expect((await migrationStatus(conn, { dir })).map((e) => e.state)).toEqual(['applied', 'missing_file']);
    await writeFile(join(dir, '020_second.sql'), GOOD['002_second.sql']);
    await writeFile(join(dir, '015_between.sql'), 'create table runner_between (id int);');
    const early = await failure(migrate(conn, { dir }));
    expect(early.details).toMatchObject({ code: 'out_of_order', file: '015_between.sql' });
    expect((await migrate(conn, { dir, allowOutOfOrder: true })).applied.map((a) => a.fileName)).toEqual([
      '015_between.sql',
    ]);
    await rm(dir, { recursive: true });
  });

  it('stops at a failing migration with its file, statement, line and Postgres message, keeping the good ones', async () => {
    const dir = await toyMigrations({
      ...GOOD,
      '003_broken.sql': `create table runner_c (id int);\n\ninsert into runner_c values (1);\nselect * from runner_missing;\n`,
      '004_after.sql': 'create table runner_d (id int);',
    });
    const conn = await target.fresh();
    const error = await failure(migrate(conn, { dir }));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.details).toMatchObject({
      code: 'statement_failed',
      file: '003_broken.sql',
      statement: 3,
      line: 4,
      column: 15,
      sqlState: '42P01',
      postgresMessage: 'relation "runner_missing" does not exist',
    });
    expect(error.message).toContain('003_broken.sql failed at statement 3, line 4, column 15');
    // The failing file's earlier statements were rolled back with it; 001 and 002 stay; 004 never ran.
    expect(await tables(conn)).toEqual(['runner_a', 'runner_b']);
    expect((await ledger(conn)).map((r) => r.version)).toEqual(['001', '002']);
    // A syntax error is located too.
    await writeFile(join(dir, '003_broken.sql'), 'create table runner_c (id int);\ncreate tabel runner_x (id int);');
    const syntax = await failure(migrate(conn, { dir }));
    expect(syntax.details).toMatchObject({
      file: '003_broken.sql',
      statement: 2,
      line: 2,
      column: 8,
      sqlState: '42601',
    });
    await rm(dir, { recursive: true });
  });

  it('refuses badly named files before touching the database', async () => {
    const dir = await toyMigrations({ ...GOOD, 'third.sql': 'select 1;' });
    const conn = await target.fresh();
    const error = await failure(migrate(conn, { dir }));
    expect(error.details).toMatchObject({ code: 'bad_file_name', file: 'third.sql' });
    expect(await conn.query(`select to_regclass('public.schema_migrations') as t`)).toEqual([{ t: null }]);
    await rm(dir, { recursive: true });
  });
});

describe('atoms-migrate CLI', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(
      process.execPath,
      [
        '--import',
        '@swc-node/register/esm-register',
        '--conditions=@atoms/source',
        'libs/schema/src/migrate/cli.ts',
        ...args,
      ],
      { cwd: join(defaultMigrationsDir, '../../..'), env: { ...process.env, ...env } },
    ).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  let db: ClonedDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createEmptyDatabase({ adminUrl: databaseUrl() });
    dir = await toyMigrations(GOOD);
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true });
  });

  it('prints what would run, applies, reports status, and fails with exit code 1 on drift', async () => {
    const dry = await cli(['--dry-run', '--dir', dir], { DATABASE_URL: db.url });
    expect(dry).toMatchObject({ code: 0 });
    expect(dry.stdout).toContain('would apply 001_first.sql');
    expect(dry.stdout).toContain('would apply 2 migration(s)');
    const applied = await cli(['--database', db.url, '--dir', dir]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/applied 002_second\.sql \(\d+\.\d ms\)/);
    const status = await cli(['--status', '--json', '--database', db.url, '--dir', dir]);
    expect(JSON.parse(status.stdout).map((e: { state: string }) => e.state)).toEqual(['applied', 'applied']);
    await writeFile(join(dir, '002_second.sql'), GOOD['002_second.sql'] + ' -- tampered');
    const drift = await cli(['--database', db.url, '--dir', dir]);
    expect(drift.code).toBe(1);
    expect(drift.stderr).toContain('migration 002_second.sql changed after it was applied');
    expect((await cli(['--status', '--dry-run'])).code).toBe(2);
  });

  it('migrates a PGlite data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'atoms-schema-cli-pglite-'));
    const toy = await toyMigrations(GOOD);
    try {
      const applied = await cli(['--database', dataDir, '--dir', toy]);
      expect(applied.stdout).toContain(`PGlite ${dataDir}: applied 2 migration(s)`);
      const status = await cli(['--status', '--database', dataDir, '--dir', toy]);
      expect(status.stdout).toContain('2 applied');
      expect(await readdir(dataDir)).toContain('PG_VERSION');
    } finally {
      await rm(dataDir, { recursive: true });
      await rm(toy, { recursive: true });
    }
  });
});

// The shipped migrations directory is what the package publishes: keep a copy step honest.
it('ships migrations named <version>_<name>.sql', async () => {
  const files = await readMigrationFiles(defaultMigrationsDir);
  expect(files.length).toBeGreaterThanOrEqual(7);
  const copy = await mkdtemp(join(tmpdir(), 'atoms-schema-copy-'));
  await cp(defaultMigrationsDir, copy, { recursive: true });
  expect((await readMigrationFiles(copy)).map((f) => f.checksum)).toEqual(files.map((f) => f.checksum));
  await rm(copy, { recursive: true });
});
