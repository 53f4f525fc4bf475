import { createServer } from 'node:http';
import { toNodeListener } from '@atoms/server/node';
import { buildHandler } from './build-server.js';
import { clientConfigBanner } from './client-config.js';
import { mintDevToken } from './dev-issuer.js';
import { APP_VERSION, type Runtime } from './runtime.js';
import { StartupError } from './startup-error.js';

/**
 * Serves the handler over node:http until SIGTERM/SIGINT, then drains: readiness 503 (for the drain delay), the
 * listener closes, in-flight requests finish (at most SHUTDOWN_TIMEOUT_MS, then connections are cut), stores and
 * database close, exit 0.
 */
export async function serveHttp(runtime: Runtime, mainScript: string): Promise<void> {
  const { config, observability } = runtime;
  const logger = observability.logger;
  const handler = buildHandler({ ...runtime, version: APP_VERSION });
  const server = createServer(toNodeListener(handler));
  server.keepAliveTimeout = 65_000; // longer than common load balancer idle timeouts (60 s)

  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(config.port, config.host, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    await runtime.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new StartupError(`${config.host}:${config.port} is already in use; set PORT to another port`);
    }
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new StartupError(`cannot listen on ${config.host}:${config.port} (${code}); check HOST and PORT`);
    }
    throw error;
  }
  logger.info({ host: config.host, port: config.port, mcp_url: config.mcpEndpoint }, 'listening');

  if (runtime.devIssuer && runtime.devUser) {
    const minted = await mintDevToken(runtime.devIssuer, config, runtime.devUser.email);
    process.stdout.write(
      clientConfigBanner({
        mcpUrl: config.mcpEndpoint,
        token: minted.token,
        expiresAt: minted.expiresAt,
        email: runtime.devUser.email,
        mainScript,
        dataDir: config.dataDir,
      }),
    );
  } else {
    process.stdout.write(`Atoms MCP server ready at ${config.mcpEndpoint}\n`);
  }

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const drainDelay = config.env.SHUTDOWN_DRAIN_DELAY_MS ?? (config.production ? 5000 : 0);
    logger.info({ signal, drain_delay_ms: drainDelay }, 'shutting down');
    handler.startDraining();
    if (drainDelay > 0) await new Promise((r) => setTimeout(r, drainDelay));
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    const deadline = setTimeout(() => {
      logger.warn(
        {
          timeout_ms: config.env.SHUTDOWN_TIMEOUT_MS,
        },
        'in-flight requests did not finish in time; closing connections',
      );
      server.closeAllConnections();
    }, config.env.SHUTDOWN_TIMEOUT_MS);
    await closed;
    clearTimeout(deadline);
    await runtime.close();
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
