/**
 * `nx run session:bench`: runs every benchmark script in this folder (the session stores here, token verification
 * in verify.ts), each in its own Node process so one cannot warm up or slow down another. Fails if any fails.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== bench/${script} ===`);
  const result = spawnSync(
    process.execPath,
    ['--import', '@swc-node/register/esm-register', '--conditions=@atoms/source', join(here, script)],
    { stdio: 'inherit', env: process.env },
  );
  if (result.status !== 0) {
    failed++;
    console.error(`bench/${script} exited with ${result.status ?? result.signal}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
