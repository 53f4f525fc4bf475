import type { MigrationConnection } from './connection.js';
import { MigrationError, isPostgresError } from './errors.js';
import { compareVersions, defaultMigrationsDir, readMigrationFiles, type MigrationFile } from './migration-files.js';
import { lineAndColumn, splitStatements, type SqlStatement } from './split-statements.js';

/**
 * Session-level advisory lock key held while migrating: a second runner (another process, another machine)
 * waits for it, then finds the migrations applied and applies nothing.
 */
export const MIGRATION_LOCK_KEY = 7_262_118_005;

const LEDGER_DDL = `
create table if not exists public.schema_migrations (
  version text primary key,
  name text not null,
  checksum text not null check (checksum ~ '^[0-9a-f]{64}$'),
  applied_at timestamptz not null default now(),
  duration interval not null
);
-- Owned by the runner: no API role reads or writes it (RLS forced, no policy for them, no grants).
alter table public.schema_migrations enable row level security;
alter table public.schema_migrations force row level security;
do $$ begin
  if not exists (select 1 from pg_policies where schemaname = 'public' and tablename = 'schema_migrations') then
    create policy schema_migrations_runner on public.schema_migrations
      using (current_user not in ('anon', 'authenticated')) with check (current_user not in ('anon', 'authenticated'));
  end if;
end $$;
revoke all on public.schema_migrations from public`;

export interface MigrateOptions {
  /** Directory of `<version>_<name>.sql` files. Default: the migrations shipped with this package. */
  readonly dir?: string;
  /** Only report what would run; changes nothing (does not even create `schema_migrations`). */
  readonly dryRun?: boolean;
  /** Apply a pending migration whose version is older than the newest applied one. Default false: refuse. */
  readonly allowOutOfOrder?: boolean;
  /** Progress lines (one per migration). */
  readonly log?: (line: string) => void;
}

export interface AppliedMigration {
  readonly version: string;
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date;
  readonly durationMs: number;
}

export interface MigrationStatusEntry {
  readonly version: string;
  readonly name: string;
  readonly fileName: string | null;
  readonly state: 'applied' | 'pending' | 'drifted' | 'missing_file';
  readonly appliedAt?: Date;
  readonly durationMs?: number;
}

export interface MigrateResult {
  /** Migrations applied by this run (or, with `dryRun`, that would be). */
  readonly applied: { version: string; name: string; fileName: string; durationMs: number }[];
  /** Migrations that were already applied before this run. */
  readonly alreadyApplied: number;
  readonly dryRun: boolean;
}

/**
 * Applies pending migrations in version order, each in its own transaction together with its
 * `schema_migrations` row. A file is sent in one round trip; only when it fails is it replayed statement by
 * statement, in a rolled-back transaction, to locate the failing statement. On failure the failing migration is
 * rolled back, the ones before it stay: the database is left at the last good version and a `MigrationError`
 * names the file, statement and position.
 */
export async function migrate(conn: MigrationConnection, options: MigrateOptions = {}): Promise<MigrateResult> {
  const files = await readMigrationFiles(options.dir ?? defaultMigrationsDir);
  const log = options.log ?? (() => undefined);

  if (options.dryRun) {
    const applied = await readLedger(conn);
    const pending = planPending(files, applied, options);
    for (const f of pending) log(`would apply ${f.fileName}`);
    return {
      applied: pending.map((f) => ({ version: f.version, name: f.name, fileName: f.fileName, durationMs: 0 })),
      alreadyApplied: applied.size,
      dryRun: true,
    };
  }

  return conn.exclusive(async () => {
    await conn.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await conn.exec(LEDGER_DDL);
      // Read the ledger only once the lock is held: a runner that waited sees what the other one applied.
      const applied = await readLedger(conn);
      const pending = planPending(files, applied, options);
      const done: MigrateResult['applied'] = [];
      for (const file of pending) {
        const durationMs = await applyOne(conn, file);
        log(`applied ${file.fileName} (${durationMs.toFixed(1)} ms)`);
        done.push({ version: file.version, name: file.name, fileName: file.fileName, durationMs });
      }
      return { applied: done, alreadyApplied: applied.size, dryRun: false };
    } finally {
      await conn.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

/** Every migration, applied or pending, with drift and missing files flagged. Changes nothing. */
export async function migrationStatus(
  conn: MigrationConnection,
  options: Pick<MigrateOptions, 'dir'> = {},
): Promise<MigrationStatusEntry[]> {
  const files = await readMigrationFiles(options.dir ?? defaultMigrationsDir);
  const applied = await readLedger(conn);
  const entries: MigrationStatusEntry[] = [];
  for (const f of files) {
    const row = applied.get(f.version);
    entries.push({
      version: f.version,
      name: f.name,
      fileName: f.fileName,
      state: !row ? 'pending' : row.checksum === f.checksum ? 'applied' : 'drifted',
      ...(row ? { appliedAt: row.appliedAt, durationMs: row.durationMs } : {}),
    });
  }
  const known = new Set(files.map((f) => f.version));
  for (const row of applied.values()) {
    if (!known.has(row.version)) {
      entries.push({
        version: row.version,
        name: row.name,
        fileName: null,
        state: 'missing_file',
        appliedAt: row.appliedAt,
        durationMs: row.durationMs,
      });
    }
  }
  return entries.sort((a, b) => compareVersions(a.version, b.version));
}

async function readLedger(conn: MigrationConnection): Promise<Map<string, AppliedMigration>> {
  const [exists] = await conn.query<{ present: boolean }>(
    `select to_regclass('public.schema_migrations') is not null as present`,
  );
  if (!exists?.present) return new Map();
  const rows = await conn.query<{
    version: string;
    name: string;
    checksum: string;
    applied_at: Date | string;
    duration_ms: number | string;
  }>(
    `select version, name, checksum, applied_at, extract(epoch from duration) * 1000 as duration_ms
       from public.schema_migrations order by version`,
  );
  return new Map(
    rows.map((r) => [
      r.version,
      {
        version: r.version,
        name: r.name,
        checksum: r.checksum,
        appliedAt: new Date(r.applied_at),
        durationMs: Number(r.duration_ms),
      },
    ]),
  );
}

function planPending(
  files: readonly MigrationFile[],
  applied: ReadonlyMap<string, AppliedMigration>,
  options: MigrateOptions,
): MigrationFile[] {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const row of applied.values()) {
    const file = byVersion.get(row.version);
    if (!file) {
      throw new MigrationError(
        `migration ${row.version}_${row.name}.sql was applied to this database but its file is missing; ` +
          'restore the file (migrations are never deleted once applied)',
        { code: 'missing_file', file: `${row.version}_${row.name}.sql` },
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${file.fileName} changed after it was applied (checksum ${row.checksum.slice(0, 12)}… ` +
          `recorded, ${file.checksum.slice(0, 12)}… now); refusing to run. Revert the file and put the change ` +
          'in a new migration',
        {
          code: 'drift',
          file: file.fileName,
          appliedChecksum: row.checksum,
          currentChecksum: file.checksum,
        },
      );
    }
  }
  const pending = files.filter((f) => !applied.has(f.version));
  const newestApplied = [...applied.keys()].sort(compareVersions).at(-1);
  if (!options.allowOutOfOrder && newestApplied !== undefined) {
    const early = pending.find((f) => compareVersions(f.version, newestApplied) < 0);
    if (early) {
      throw new MigrationError(
        `pending migration ${early.fileName} is older than the newest applied version ${newestApplied}; ` +
          'rename it with a newer version (or pass allowOutOfOrder)',
        { code: 'out_of_order', file: early.fileName },
      );
    }
  }
  return pending;
}

async function applyOne(conn: MigrationConnection, file: MigrationFile): Promise<number> {
  let statements: SqlStatement[];
  try {
    statements = splitStatements(file.sql);
  } catch (cause) {
    throw new MigrationError(`migration ${file.fileName}: ${(cause as Error).message}`, {
      code: 'unparsable_sql',
      file: file.fileName,
    });
  }
  const started = performance.now();
  await conn.exec('begin');
  try {
    // Fast path: the whole file in one round trip.
    await conn.exec(file.sql);
  } catch (cause) {
    await conn.exec('rollback');
    throw await locateFailure(conn, file, statements, cause);
  }
  try {
    const durationMs = performance.now() - started;
    await conn.query(
      `insert into public.schema_migrations (version, name, checksum, duration)
       values ($1, $2, $3, make_interval(secs => $4::float8 / 1000))`,
      [file.version, file.name, file.checksum, durationMs],
    );
    await conn.exec('commit');
    return durationMs;
  } catch (error) {
    await conn.exec('rollback');
    throw error;
  }
}

/**
 * The file failed as a whole: replay it statement by statement in a transaction that is rolled back, to name the
 * failing statement and its position. If the replay does not fail (the failure depended on timing), the original
 * error is reported against the file.
 */
async function locateFailure(
  conn: MigrationConnection,
  file: MigrationFile,
  statements: readonly SqlStatement[],
  original: unknown,
): Promise<MigrationError> {
  await conn.exec('begin');
  try {
    for (let index = 0; index < statements.length; index++) {
      try {
        await conn.exec(statements[index].sql);
      } catch (cause) {
        return statementError(file, statements[index], index, cause);
      }
    }
    return statementError(file, { sql: file.sql, offset: 0, line: 1 }, -1, original);
  } finally {
    await conn.exec('rollback');
  }
}

function statementError(
  file: MigrationFile,
  statement: { sql: string; offset: number; line: number },
  index: number,
  cause: unknown,
): MigrationError {
  const where0 = index >= 0 ? `statement ${index + 1}` : 'a statement';
  if (!isPostgresError(cause)) {
    return new MigrationError(
      `migration ${file.fileName}, ${where0} (line ${statement.line}): ${String(cause)}`,
      {
        code: 'statement_failed',
        file: file.fileName,
        ...(index >= 0 ? { statement: index + 1 } : {}),
        line: statement.line,
      },
      { cause },
    );
  }
  const position = Number(cause.position);
  const where =
    Number.isFinite(position) && position > 0
      ? lineAndColumn(file.sql, statement.offset + position - 1)
      : { line: statement.line, column: 1 };
  const context = cause.where ? ` (${cause.where.split('\n')[0]})` : '';
  return new MigrationError(
    `migration ${file.fileName} failed at ${where0}, line ${where.line}, column ${where.column}: ` +
      `${cause.message} [SQLSTATE ${cause.code}]${context}`,
    {
      code: 'statement_failed',
      file: file.fileName,
      ...(index >= 0 ? { statement: index + 1 } : {}),
      line: where.line,
      column: where.column,
      sqlState: cause.code,
      postgresMessage: cause.message,
      ...(cause.detail ? { detail: cause.detail } : {}),
      ...(cause.hint ? { hint: cause.hint } : {}),
    },
    { cause },
  );
}
