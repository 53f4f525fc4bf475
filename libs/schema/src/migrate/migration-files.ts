import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationError } from './errors.js';

/** A migration file on disk: `<version>_<name>.sql` (the Supabase CLI layout). */
export interface MigrationFile {
  /** The numeric prefix, e.g. `20251122000001`; migrations apply in ascending version order. */
  readonly version: string;
  /** The rest of the file name, e.g. `supabase_compat`. */
  readonly name: string;
  readonly fileName: string;
  readonly path: string;
  readonly sql: string;
  /** SHA-256 (hex) of the file with line endings normalised to LF, so a CRLF checkout is not "drift". */
  readonly checksum: string;
}

const FILE_PATTERN = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

/**
 * The migrations shipped with this package: `libs/schema/migrations` in the workspace, `<package>/migrations`
 * once published. Both `src/migrate/` and `dist/migrate/` are two levels below the package root.
 */
export const defaultMigrationsDir: string = fileURLToPath(new URL('../../migrations', import.meta.url));

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** Reads every `*.sql` file of `dir`, ordered by version. Refuses badly named files and duplicate versions. */
export async function readMigrationFiles(dir: string = defaultMigrationsDir): Promise<MigrationFile[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (cause) {
    throw new MigrationError(`cannot read the migrations directory ${dir}: ${(cause as Error).message}`, {
      code: 'migrations_dir_unreadable',
    });
  }
  const files: MigrationFile[] = [];
  for (const fileName of entries.filter((e) => e.endsWith('.sql')).sort()) {
    const match = FILE_PATTERN.exec(fileName);
    if (!match) {
      throw new MigrationError(`migration file ${fileName} is not named <version>_<name>.sql`, {
        code: 'bad_file_name',
        file: fileName,
      });
    }
    const path = join(dir, fileName);
    const sql = await readFile(path, 'utf8');
    files.push({ version: match[1], name: match[2], fileName, path, sql, checksum: checksumOf(sql) });
  }
  files.sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < files.length; i++) {
    if (files[i].version === files[i - 1].version) {
      throw new MigrationError(
        `migration files ${files[i - 1].fileName} and ${files[i].fileName} share version ${files[i].version}`,
        { code: 'duplicate_version', file: files[i].fileName },
      );
    }
  }
  return files;
}

/** Versions are digit strings; compare numerically without overflowing (timestamps exceed 2^53 easily). */
export function compareVersions(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** One checksum over a set of migrations: names a migrated template database or snapshot. */
export function combinedChecksum(files: readonly MigrationFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.version}:${f.checksum}\n`);
  return hash.digest('hex');
}
