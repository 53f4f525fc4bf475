#!/usr/bin/env node
/**
 * atoms-migrate — apply the Atoms migrations.
 *
 *   atoms-migrate [--database <postgres-url | pglite-dir>] [--dir <migrations-dir>] [--status | --dry-run]
 *                 [--allow-out-of-order] [--json]
 *
 * Target: --database, else $DATABASE_URL, else the embedded PGlite directory $ATOMS_PGLITE_DIR (default
 * `.atoms/pglite`). Exit codes: 0 done, 1 migration refused or failed (database left at the last good version),
 * 2 usage error.
 */
import { parseArgs } from 'node:util';
import { isPostgresUrl, openMigrationTarget } from './connection.js';
import { MigrationError } from './errors.js';
import { defaultMigrationsDir } from './migration-files.js';
import { migrate, migrationStatus } from './runner.js';

const USAGE =
  'usage: atoms-migrate [--database <postgres-url|pglite-dir>] [--dir <migrations-dir>] ' +
  '[--status | --dry-run] [--allow-out-of-order] [--json]';

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        database: { type: 'string' },
        dir: { type: 'string' },
        status: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        'allow-out-of-order': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.status && args['dry-run']) {
    process.stderr.write(`--status and --dry-run are exclusive\n${USAGE}\n`);
    return 2;
  }
  const target = args.database ?? process.env['DATABASE_URL'] ?? process.env['ATOMS_PGLITE_DIR'] ?? '.atoms/pglite';
  const dir = args.dir ?? defaultMigrationsDir;
  const out = (line: string): void => void process.stdout.write(`${line}\n`);

  let conn;
  try {
    conn = await openMigrationTarget(target);
  } catch (error) {
    process.stderr.write(`cannot open ${describeTarget(target)}: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    if (args.status) {
      const entries = await migrationStatus(conn, { dir });
      if (args.json) out(JSON.stringify(entries));
      else {
        out(`${describeTarget(target)}: ${entries.filter((e) => e.state === 'applied').length} applied`);
        for (const e of entries) {
          const when = e.appliedAt ? ` ${e.appliedAt.toISOString()} (${e.durationMs?.toFixed(1)} ms)` : '';
          out(`  ${e.state.padEnd(12)} ${e.fileName ?? `${e.version}_${e.name}.sql`}${when}`);
        }
      }
      return entries.some((e) => e.state === 'drifted' || e.state === 'missing_file') ? 1 : 0;
    }
    const result = await migrate(conn, {
      dir,
      dryRun: args['dry-run'],
      allowOutOfOrder: args['allow-out-of-order'],
      log: args.json ? undefined : out,
    });
    if (args.json) out(JSON.stringify(result));
    else if (result.applied.length === 0)
      out(`${describeTarget(target)}: up to date (${result.alreadyApplied} applied)`);
    else
      out(
        `${describeTarget(target)}: ${result.dryRun ? 'would apply' : 'applied'} ${result.applied.length} ` +
          `migration(s); ${result.alreadyApplied} were already applied`,
      );
    return 0;
  } catch (error) {
    if (error instanceof MigrationError) {
      process.stderr.write(`atoms-migrate: ${error.message}\n`);
      if (error.details.detail) process.stderr.write(`  detail: ${error.details.detail}\n`);
      if (error.details.hint) process.stderr.write(`  hint: ${error.details.hint}\n`);
      if (args.json) process.stderr.write(`${JSON.stringify(error.details)}\n`);
      return 1;
    }
    throw error;
  } finally {
    await conn.close();
  }
}

/** The target without its password, for messages. */
function describeTarget(target: string): string {
  if (!isPostgresUrl(target)) return `PGlite ${target}`;
  const url = new URL(target);
  if (url.password) url.password = '***';
  return url.toString();
}

// `atoms-migrate --status | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
