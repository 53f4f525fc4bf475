import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assertSigningKeyRecord, type SigningKeyRecord, type SigningKeyStore } from '../../tokens/key-store.js';

const isCode = (error: unknown, code: string): boolean => (error as NodeJS.ErrnoException)?.code === code;

/**
 * The development issuer's key pair in a JSON file (the app uses `.atoms/dev-issuer-keys.json`): directory 0700,
 * file 0600, written atomically (temp file + link/rename) so a crash or a second process never sees half a key.
 * A file readable by group or others is refused, as ssh does.
 */
export class FileSigningKeyStore implements SigningKeyStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async load(): Promise<SigningKeyRecord | undefined> {
    let text: string;
    try {
      const info = await stat(this.path);
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
        throw new Error(
          `${this.path} is accessible by other users (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 on it`,
        );
      }
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
      assertSigningKeyRecord(parsed);
    } catch (error) {
      throw new Error(`${this.path}: ${(error as Error).message}`, { cause: error });
    }
    return parsed;
  }

  async create(record: SigningKeyRecord): Promise<SigningKeyRecord> {
    const temp = await this.#writeTemp(record);
    try {
      // link() fails with EEXIST if another process created the file first: then theirs wins.
      await link(temp, this.path);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    const stored = await this.load();
    if (!stored) throw new Error(`${this.path} vanished right after it was created`);
    return stored;
  }

  async replace(record: SigningKeyRecord): Promise<void> {
    const temp = await this.#writeTemp(record);
    try {
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  async #writeTemp(record: SigningKeyRecord): Promise<string> {
    assertSigningKeyRecord(record);
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    // The umask can only narrow 0600, never widen it.
    await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return temp;
  }
}
