import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createAtomsMcpServer } from '@atoms/tools';
import { buildEmbeddings } from './embeddings.js';
import { profileResolver } from './identity.js';
import { StartupError } from './startup-error.js';
import type { Runtime } from './runtime.js';
import { buildVerifier } from './verifier.js';

/**
 * The tools over stdio for a local client. The identity is the verified token in ATOMS_ACCESS_TOKEN, else the dev
 * issuer's default user. Only protocol goes to stdout; logs go to stderr.
 */
export async function serveStdio(runtime: Runtime): Promise<void> {
  const { config, db, observability } = runtime;
  const logger = observability.logger;
  let claims: { sub: string; email?: string };
  const token = config.env.ATOMS_ACCESS_TOKEN;
  if (token) {
    const verifier = buildVerifier(config, runtime.devIssuer);
    const identity = await verifier.verify(token).catch((error: Error) => {
      throw new StartupError(`ATOMS_ACCESS_TOKEN was refused: ${error.message}`);
    });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(identity.sub);
    const sub = uuid
      ? identity.sub
      : await profileResolver(
          db,
          runtime.devIssuer?.issuer,
        )({
          issuer: identity.iss,
          subject: identity.sub,
          ...(identity.email ? { email: identity.email } : {}),
          claims: {},
        });
    claims = { sub, ...(identity.email ? { email: identity.email } : {}) };
  } else if (runtime.devUser) {
    claims = { sub: runtime.devUser.profileId, email: runtime.devUser.email };
  } else {
    throw new StartupError('--stdio needs ATOMS_ACCESS_TOKEN when the development issuer is off');
  }
  const server = createAtomsMcpServer({
    db,
    user: { claims },
    embeddings: buildEmbeddings(config),
    logger,
    readOnly: config.env.ATOMS_READ_ONLY,
  });
  const transport = new StdioServerTransport();
  let closing = false;
  const stop = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await server.close().catch(() => undefined);
    await runtime.close();
    logger.flush();
    process.exit(0);
  };
  transport.onclose = () => void stop();
  process.stdin.once('end', () => void stop());
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  await server.connect(transport);
  logger.info({ user: claims.sub }, 'serving MCP over stdio');
}
