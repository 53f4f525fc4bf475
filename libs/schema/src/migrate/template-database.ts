import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pgConnection } from './connection.js';
import { combinedChecksum, defaultMigrationsDir, readMigrationFiles } from './migration-files.js';
import { migrate } from './runner.js';

/**
 * Migrated PostgreSQL databases for tests, fast: all migrations are applied once into a template database named
 * after their combined checksum (`<prefix>_template_<checksum>`), and each caller gets a clone
 * (`CREATE DATABASE … TEMPLATE …`, tens of milliseconds) that it drops afterwards.
 *
 * Concurrent builders (parallel Jest workers, two engineers) serialise on an advisory lock named after the
 * template; the template is built under a temporary name and renamed only when complete, so nobody clones a
 * half-migrated database. Templates of other checksums and clones left by crashed runs (older than two hours)
 * are dropped when a new template is built.
 */
export interface TemplateDatabaseOptions {
  /** A URL of the server with rights to create databases (its database is only used for admin commands). */
  readonly adminUrl: string;
  /** Name prefix of every database created; default `atoms_schema`. */
  readonly prefix?: string;
  /** Migrations directory; default: this package's. */
  readonly dir?: string;
}

export interface ClonedDatabase {
  readonly name: string;
  /** `adminUrl` with the clone as its database. */
  readonly url: string;
  /** Drops the clone (terminating its connections). Idempotent. */
  drop(): Promise<void>;
}

const STALE_AFTER_SECONDS = 2 * 60 * 60;

export async function ensureMigratedTemplate(options: TemplateDatabaseOptions): Promise<string> {
  const prefix = options.prefix ?? 'atoms_schema';
  const files = await readMigrationFiles(options.dir ?? defaultMigrationsDir);
  const template = `${prefix}_template_${combinedChecksum(files).slice(0, 16)}`;
  return withAdmin(options.adminUrl, async (admin) => {
    if (await templateReady(admin, template)) return template;
    await admin.query('select pg_advisory_lock(hashtext($1))', [template]);
    try {
      if (await templateReady(admin, template)) return template;
      await dropStale(admin, prefix, template);
      const build = `${prefix}_build_${nowSeconds()}_${randomBytes(4).toString('hex')}`;
      await admin.query(`create database ${quoteIdent(build)}`);
      try {
        const client = new pg.Client({ connectionString: withDatabase(options.adminUrl, build) });
        await client.connect();
        try {
          await migrate(pgConnection(client), { dir: options.dir });
        } finally {
          await client.end();
        }
        await admin.query(`alter database ${quoteIdent(build)} rename to ${quoteIdent(template)}`);
      } catch (error) {
        await admin.query(`drop database if exists ${quoteIdent(build)} with (force)`);
        throw error;
      }
      // No connections to the template: CREATE DATABASE … TEMPLATE refuses while anyone is connected to it.
      await admin.query(`alter database ${quoteIdent(template)} with is_template true allow_connections false`);
      return template;
    } finally {
      await admin.query('select pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
}

/** A fresh, fully migrated database cloned from the template (built first if needed). */
export async function cloneMigratedDatabase(options: TemplateDatabaseOptions): Promise<ClonedDatabase> {
  const prefix = options.prefix ?? 'atoms_schema';
  const name = `${prefix}_t_${nowSeconds()}_${randomBytes(4).toString('hex')}`;
  let template = await ensureMigratedTemplate(options);
  await withAdmin(options.adminUrl, async (admin) => {
    try {
      await admin.query(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`);
    } catch (error) {
      // Another run with different migrations replaced the template between our check and the clone.
      if ((error as { code?: string }).code !== '3D000') throw error;
      template = await ensureMigratedTemplate(options);
      await admin.query(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`);
    }
  });
  let dropped = false;
  return {
    name,
    url: withDatabase(options.adminUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(options.adminUrl, (admin) =>
        admin.query(`drop database if exists ${quoteIdent(name)} with (force)`),
      );
    },
  };
}

/** Creates an empty database named `<prefix>_e_<time>_<random>` (for runner tests and benchmarks). */
export async function createEmptyDatabase(
  options: Pick<TemplateDatabaseOptions, 'adminUrl' | 'prefix'>,
): Promise<ClonedDatabase> {
  const prefix = options.prefix ?? 'atoms_schema';
  const name = `${prefix}_e_${nowSeconds()}_${randomBytes(4).toString('hex')}`;
  await withAdmin(options.adminUrl, (admin) => admin.query(`create database ${quoteIdent(name)}`));
  let dropped = false;
  return {
    name,
    url: withDatabase(options.adminUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(options.adminUrl, (admin) =>
        admin.query(`drop database if exists ${quoteIdent(name)} with (force)`),
      );
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withAdmin<T>(adminUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'atoms-schema-template' });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

async function templateReady(admin: pg.Client, template: string): Promise<boolean> {
  const { rows } = await admin.query('select 1 from pg_database where datname = $1 and datistemplate', [template]);
  return rows.length > 0;
}

async function dropStale(admin: pg.Client, prefix: string, keep: string): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like $1 escape '\\' and datname <> $2`,
    [`${prefix.replace(/_/g, '\\_')}\\_%`, keep],
  );
  const cutoff = nowSeconds() - STALE_AFTER_SECONDS;
  for (const { datname } of rows) {
    const rest = datname.slice(prefix.length + 1);
    const stamped = /^(t|e|build)_(\d+)_/.exec(rest);
    const stale = rest.startsWith('template_') || (stamped !== null && Number(stamped[2]) < cutoff);
    if (!stale) continue;
    try {
      await admin.query(`alter database ${quoteIdent(datname)} with is_template false`);
      await admin.query(`drop database if exists ${quoteIdent(datname)} with (force)`);
    } catch {
      // Best effort: another run may be dropping or using it; it is retried on the next build.
    }
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
