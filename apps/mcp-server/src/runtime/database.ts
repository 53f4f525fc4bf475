import { mkdir } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { supabaseDatabase, type Claims, type Database } from '@atoms/schema';
import {
  migrate,
  migrationStatus,
  openMigrationTarget,
  pgliteConnection,
  type MigrationConnection,
} from '@atoms/schema/migrate';
import { openPglite, pgDatabase } from '@atoms/schema/node';
import type { Logger } from '@atoms/observability';
import type { AppConfig } from '../config/index.js';
import { StartupError } from './startup-error.js';

export interface OpenedDatabase {
  readonly db: Database;
  /** Migrations applied by this start (development only). */
  readonly appliedMigrations: number;
  close(): Promise<void>;
}

/**
 * Opens the configured database. Development (PGlite or a local PostgreSQL) applies pending migrations; production
 * never does: pending or drifted migrations stop the start with the command to run.
 */
export async function openDatabase(config: AppConfig, logger: Logger): Promise<OpenedDatabase> {
  const target = config.database;
  if (target.kind === 'pglite') {
    await mkdir(target.dir, { recursive: true });
    const { pg, db } = await openPglite({ dataDir: target.dir });
    try {
      const applied = await ensureMigrated(pgliteConnection(pg), config, logger);
      return { db, appliedMigrations: applied, close: () => db.close() };
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  if (target.kind === 'pg') {
    const conn = await openMigrationTarget(target.url).catch((error: Error) => {
      throw new StartupError(`cannot connect to DATABASE_URL: ${error.message}`);
    });
    let applied: number;
    try {
      applied = await ensureMigrated(conn, config, logger);
    } finally {
      await conn.close();
    }
    const db = pgDatabase({
      connectionString: target.url,
      max: target.poolMax,
      applicationName: 'atoms-mcp',
      onIdleError: (error) => logger.warn({ error: error.message }, 'database connection dropped'),
    });
    return { db, appliedMigrations: applied, close: () => db.close() };
  }
  // PostgREST cannot read the migration ledger: migrate through the direct connection (npm run db:migrate).
  logger.info('Supabase database over PostgREST: migration state is not checked here (run npm run db:migrate)');
  const secret = target.jwtSecret ? new TextEncoder().encode(target.jwtSecret) : undefined;
  const db = supabaseDatabase({
    url: target.url,
    anonKey: target.anonKey,
    serviceRoleKey: target.serviceRoleKey,
    ...(secret ? { signAccessToken: (claims: Claims) => signSupabaseToken(claims, secret) } : {}),
  });
  return { db, appliedMigrations: 0, close: () => db.close() };
}

/** Re-signs resolved claims for PostgREST (AuthKit and dev subjects are mapped to profile UUIDs first). */
async function signSupabaseToken(claims: Claims, secret: Uint8Array): Promise<string> {
  return new SignJWT({ ...claims, role: claims.role ?? 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('5m')
    .setAudience('authenticated')
    .sign(secret);
}

async function ensureMigrated(conn: MigrationConnection, config: AppConfig, logger: Logger): Promise<number> {
  const status = await migrationStatus(conn);
  const drifted = status.filter((s) => s.state === 'drifted' || s.state === 'missing_file');
  if (drifted.length > 0) {
    throw new StartupError(
      `the database's migrations differ from this build's: ${drifted.map((s) => `${s.version}_${s.name} (${s.state})`).join(', ')}`,
    );
  }
  const pending = status.filter((s) => s.state === 'pending');
  if (pending.length === 0) return 0;
  if (config.production) {
    throw new StartupError(
      `${pending.length} migration(s) pending (${pending.map((s) => s.fileName ?? s.version).join(', ')}). ` +
        'Production never migrates at start: run `npm run db:migrate` with the same DATABASE_URL, then start again.',
    );
  }
  const result = await migrate(conn, { log: (line) => logger.info(line) });
  return result.applied.length;
}
