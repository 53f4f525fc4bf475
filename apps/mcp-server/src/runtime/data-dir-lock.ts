import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StartupError } from './startup-error.js';

/**
 * PGlite has a single writer: two processes on one data directory corrupt it. The lock file holds the owner's pid;
 * a lock left by a process that no longer runs is taken over.
 */
export async function lockDataDir(path: string): Promise<() => Promise<void>> {
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new StartupError(
          `the embedded database ${dirname(path)} is in use by process ${owner}. Stop it, or give this process ` +
            'another ATOMS_DATA_DIR (or a DATABASE_URL).',
        );
      }
      await unlink(path).catch(() => undefined);
    }
  }
  throw new StartupError(`could not lock ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
