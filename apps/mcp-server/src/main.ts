/**
 * The Node entry point of the Atoms MCP server: configuration -> dependencies -> @atoms/server handler -> HTTP
 * listener, or the tools over stdio with `--stdio`.
 */
import { fileURLToPath } from 'node:url';
import { configReport, loadConfig, problemsReport } from './config/index.js';
import { openRuntime } from './runtime/runtime.js';
import { serveHttp } from './runtime/serve-http.js';
import { serveStdio } from './runtime/serve-stdio.js';
import { StartupError } from './runtime/startup-error.js';

/** sysexits' EX_CONFIG: the configuration is unusable. */
const EXIT_CONFIG = 78;

async function main(argv: readonly string[]): Promise<void> {
  const stdio = argv.includes('--stdio');
  const result = loadConfig(process.env, stdio ? { transport: 'stdio' } : {});
  if (!result.ok) {
    process.stderr.write(`${problemsReport(result.problems)}\n`);
    process.exit(EXIT_CONFIG);
  }
  const config = result.config;
  // The report goes to stderr so stdout stays clean for the protocol (stdio) and the banner (HTTP).
  process.stderr.write(`${configReport(config, process.env)}\n`);
  const runtime = await openRuntime(config, { logTo: config.transport === 'stdio' ? 'stderr' : 'stdout' });
  try {
    if (config.transport === 'stdio') await serveStdio(runtime);
    else await serveHttp(runtime, fileURLToPath(import.meta.url));
  } catch (error) {
    await runtime.close(); // idempotent: releases the PGlite lock, Redis and the pool before exiting
    throw error;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`Atoms MCP cannot start: ${error.message}\n`);
  } else {
    process.stderr.write(`Atoms MCP failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
