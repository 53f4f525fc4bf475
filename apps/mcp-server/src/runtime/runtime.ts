import { join } from 'node:path';
import type { Database } from '@atoms/schema';
import type { DevIssuer } from '@atoms/session';
import { createNodeObservability, type NodeObservability } from '@atoms/observability/node';
import type { AppConfig } from '../config/index.js';
import { seedDemoWorkspace } from '../seed/demo-seed.js';
import { lockDataDir } from './data-dir-lock.js';
import { openDatabase } from './database.js';
import { openDevIssuer } from './dev-issuer.js';
import { buildEmbeddings } from './embeddings.js';
import { devSubject, profileResolver } from './identity.js';
import { openStateBackends, type StateBackends } from './state-stores.js';

export const APP_VERSION = '0.1.0';

export interface Runtime {
  readonly config: AppConfig;
  readonly observability: NodeObservability;
  readonly db: Database;
  readonly state: StateBackends;
  readonly devIssuer: DevIssuer | undefined;
  /** The dev issuer's default user (ATOMS_DEV_USER_EMAIL), provisioned at start. */
  readonly devUser: { readonly profileId: string; readonly email: string } | undefined;
  close(): Promise<void>;
}

/**
 * Opens everything the server needs, in dependency order, and closes what was opened if a later step fails.
 * `logTo: 'stderr'` keeps stdout for the MCP protocol (stdio mode).
 */
export async function openRuntime(config: AppConfig, options: { logTo: 'stdout' | 'stderr' }): Promise<Runtime> {
  const observability = createNodeObservability({
    service: 'atoms-mcp',
    version: APP_VERSION,
    log: {
      level: config.env.LOG_LEVEL,
      ...(options.logTo === 'stderr' ? { destination: process.stderr } : {}),
    },
  });
  const logger = observability.logger;
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const fn of closers.reverse()) {
      try {
        await fn();
      } catch (error) {
        logger.error({ error: (error as Error).message }, 'shutdown step failed');
      }
    }
    closers.length = 0;
  };
  try {
    if (config.database.kind === 'pglite') closers.push(await lockDataDir(join(config.dataDir, 'data.lock')));
    const opened = await openDatabase(config, logger);
    closers.push(() => opened.close());
    if (opened.appliedMigrations > 0) logger.info({ applied: opened.appliedMigrations }, 'database migrated');
    const state = openStateBackends(config, logger);
    closers.push(() => state.close());
    const devIssuer = config.auth.providers.includes('dev') ? await openDevIssuer(config) : undefined;

    let devUser: Runtime['devUser'];
    if (devIssuer) {
      const email = config.env.ATOMS_DEV_USER_EMAIL.toLowerCase();
      const profileId = await profileResolver(
        opened.db,
        devIssuer.issuer,
      )({
        issuer: devIssuer.issuer,
        subject: devSubject(email),
        email,
        claims: { name: 'Atoms Developer' },
      });
      devUser = { profileId, email };
      if (config.env.ATOMS_SEED_DEMO) {
        const seeded = await seedDemoWorkspace(opened.db, devUser, buildEmbeddings(config));
        if (seeded.created) logger.info({ organization_id: seeded.organizationId }, 'demo workspace created');
      }
    }
    return { config, observability, db: opened.db, state, devIssuer, devUser, close };
  } catch (error) {
    await close();
    throw error;
  }
}
