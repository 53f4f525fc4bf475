import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The app and the libraries its production build loads, each with the build info file `tsc --build` writes. */
const BUILT = [
  ['apps/mcp-server', 'dist/tsconfig.app.tsbuildinfo'],
  ['libs/server', 'dist/tsconfig.lib.tsbuildinfo'],
  ['libs/tools', 'dist/tsconfig.lib.tsbuildinfo'],
  ['libs/session', 'dist/tsconfig.lib.tsbuildinfo'],
  ['libs/observability', 'dist/tsconfig.lib.tsbuildinfo'],
  ['libs/schema', 'dist/tsconfig.lib.tsbuildinfo'],
] as const;

function newestSource(dir: string): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = newestSource(path);
      if (inner.mtimeMs > newest.mtimeMs) newest = inner;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
      const mtimeMs = statSync(path).mtimeMs;
      if (mtimeMs > newest.mtimeMs) newest = { file: path, mtimeMs };
    }
  }
  return newest;
}

/**
 * The bench measures the production build (`node apps/mcp-server/dist/main.js`), so a missing or stale `dist/`
 * would measure other code than the sources: refuse with the command that builds it.
 */
export function assertProductionBuild(root: string): void {
  const problems: string[] = [];
  for (const [project, info] of BUILT) {
    let builtAt: number;
    try {
      builtAt = statSync(join(root, project, info)).mtimeMs;
    } catch {
      problems.push(`${project} is not built`);
      continue;
    }
    const newest = newestSource(join(root, project, 'src'));
    if (newest.mtimeMs > builtAt)
      problems.push(`${newest.file.slice(root.length + 1)} is newer than ${project}'s build`);
  }
  if (problems.length > 0) {
    throw new Error(
      `the production build is missing or stale:\n  - ${problems.join('\n  - ')}\n` +
        'run `npx nx build mcp-server` first (`npx nx run workspace-tools:bench` builds it for you)',
    );
  }
}
