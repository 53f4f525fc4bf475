import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { pgliteConnection } from './connection.js';
import { combinedChecksum, defaultMigrationsDir, readMigrationFiles } from './migration-files.js';
import { openPglite } from './pglite.js';
import { migrate } from './runner.js';

/**
 * Migrated PGlite databases for tests, fast: the migrations run once into an in-memory instance whose data
 * directory is dumped to a file named after their combined checksum; every caller loads that dump (~0.6 s)
 * instead of creating and migrating a fresh instance (several seconds). The file is written atomically
 * (temporary name + rename), so concurrent builders at worst both build. Dumps of other migration sets older
 * than an hour are removed when a new one is written (each is tens of megabytes).
 */
export interface PgliteSnapshotOptions {
  readonly dir?: string;
  /** Where dumps are kept; default the OS temporary directory. */
  readonly cacheDir?: string;
}

export async function migratedPgliteSnapshot(options: PgliteSnapshotOptions = {}): Promise<Blob> {
  const files = await readMigrationFiles(options.dir ?? defaultMigrationsDir);
  const cacheDir = options.cacheDir ?? tmpdir();
  const path = join(cacheDir, `atoms-schema-pglite-${combinedChecksum(files).slice(0, 16)}.tar`);
  try {
    return new Blob([await readFile(path)]);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  const db = await openPglite();
  let dump: Blob;
  try {
    await migrate(pgliteConnection(db), { dir: options.dir });
    dump = await db.dumpDataDir('none');
  } finally {
    await db.close();
  }
  await mkdir(cacheDir, { recursive: true });
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, new Uint8Array(await dump.arrayBuffer()));
  await rename(temporary, path);
  await removeStaleSnapshots(cacheDir, path);
  return dump;
}

async function removeStaleSnapshots(cacheDir: string, keep: string): Promise<void> {
  const cutoff = Date.now() - 60 * 60 * 1000;
  for (const name of await readdir(cacheDir)) {
    const candidate = join(cacheDir, name);
    if (!/^atoms-schema-pglite-[0-9a-f]{16}\.tar$/.test(name) || candidate === keep) continue;
    try {
      if ((await stat(candidate)).mtimeMs < cutoff) await rm(candidate, { force: true });
    } catch {
      // Best effort: another process may be removing it too.
    }
  }
}

/** A fresh in-memory PGlite holding a fully migrated database. Close it when done. */
export async function openMigratedPglite(options: PgliteSnapshotOptions = {}): Promise<PGlite> {
  const snapshot = await migratedPgliteSnapshot(options);
  return openPglite(undefined, { loadDataDir: snapshot });
}
