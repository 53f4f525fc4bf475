/**
 * Applies pending migrations to the database the server is configured for (DATABASE_URL, else the embedded
 * PGlite directory under ATOMS_DATA_DIR): the explicit step production requires before a start.
 *
 *   nx run mcp-server:migrate [-- --status]
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { migrate, migrationStatus, openMigrationTarget } from '@atoms/schema/migrate';
import { loadConfig, maskUrlCredentials, problemsReport } from '../config/index.js';
import { lockDataDir } from '../runtime/data-dir-lock.js';

async function main(argv: string[]): Promise<number> {
  const result = loadConfig(process.env);
  if (!result.ok) {
    process.stderr.write(`${problemsReport(result.problems)}\n`);
    return 78;
  }
  const { database, dataDir } = result.config;
  if (database.kind === 'supabase') {
    process.stderr.write('set DATABASE_URL to the Supabase direct (or session pooler) connection to migrate\n');
    return 78;
  }
  let unlock = async (): Promise<void> => undefined;
  if (database.kind === 'pglite') {
    await mkdir(database.dir, { recursive: true });
    unlock = await lockDataDir(join(dataDir, 'data.lock'));
  }
  const target = database.kind === 'pg' ? database.url : database.dir;
  const conn = await openMigrationTarget(target);
  try {
    process.stdout.write(`database: ${database.kind === 'pg' ? maskUrlCredentials(target) : target}\n`);
    if (argv.includes('--status')) {
      for (const s of await migrationStatus(conn))
        process.stdout.write(`${s.state.padEnd(12)} ${s.version} ${s.name}\n`);
      return 0;
    }
    const applied = await migrate(conn, { log: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`${applied.applied.length} applied, ${applied.alreadyApplied} already applied\n`);
    return 0;
  } finally {
    await conn.close();
    await unlock();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`atoms-migrate: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
