import type { Database } from '@atoms/schema';
import { createAtomsHandler, type AtomsHandler } from '@atoms/server';
import { RefreshTokenService, RevocationService, SessionManager, type DevIssuer } from '@atoms/session';
import { createAtomsMcpServer } from '@atoms/tools';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { NodeObservability } from '@atoms/observability/node';
import type { AppConfig } from '../config/index.js';
import { buildEmbeddings } from './embeddings.js';
import { profileResolver } from './identity.js';
import type { StateBackends } from './state-stores.js';
import { authorizationServers, buildVerifier } from './verifier.js';

export interface ServerParts {
  readonly config: AppConfig;
  readonly db: Database;
  readonly state: StateBackends;
  readonly devIssuer: DevIssuer | undefined;
  readonly observability: NodeObservability;
  readonly version: string;
}

/** Wires the configuration's parts into the `@atoms/server` handler with the tools as its MCP server factory. */
export function buildHandler(parts: ServerParts): AtomsHandler {
  const { config, db, state, devIssuer, observability } = parts;
  const env = config.env;
  const sessions = new SessionManager({
    store: state.store,
    idleTimeoutMs: config.sessions.idleTimeoutMs,
    absoluteTimeoutMs: config.sessions.absoluteTimeoutMs,
    touchThrottleMs: config.sessions.touchThrottleMs,
    maxSessionsPerUser: config.sessions.maxPerUser,
  });
  const refreshTokens = new RefreshTokenService({ store: state.store });
  const embeddings = buildEmbeddings(config);
  const logger = observability.logger;
  // The SDK builds an Ajv instance (vocabularies, formats, meta-schemas) in every Server it constructs unless given
  // one; with a server per request that was the largest avoidable cost per call and most of the heap churn
  // (docs/performance.md). Validators are stateless apart from Ajv's compile cache, so one serves every request.
  const jsonSchemaValidator = new AjvJsonSchemaValidator();
  return createAtomsHandler({
    publicUrl: config.publicUrl,
    mcpPath: config.mcpPath,
    version: parts.version,
    createMcpServer: (caller) =>
      createAtomsMcpServer({
        db,
        user: { claims: { ...(caller.authInfo.extra?.['claims'] as object), sub: caller.userId } },
        embeddings,
        logger,
        metrics: observability.metrics,
        performance: observability.performance,
        readOnly: env.ATOMS_READ_ONLY,
        serverOptions: { jsonSchemaValidator },
      }),
    // The listing depends on ATOMS_READ_ONLY only, never on the caller: serialized once, not per request.
    toolsListKey: () => (env.ATOMS_READ_ONLY ? 'read-only' : 'read-write'),
    auth: {
      verifier: buildVerifier(config, devIssuer),
      revocation: new RevocationService({ store: state.store, sessions, refreshTokens }),
      resolveExternalIdentity: profileResolver(db, devIssuer?.issuer),
      requiredScopes: config.auth.requiredScopes,
      authorizationServers: authorizationServers(config, devIssuer),
      ...(config.auth.authkit
        ? { authorizationServerMetadataUrl: `${config.auth.authkit.domain}/.well-known/oauth-authorization-server` }
        : {}),
    },
    sessions,
    sessionStore: state.store,
    ...(devIssuer
      ? { devIssuer: { issuer: devIssuer, sessions, refreshTokens, scopes: config.auth.requiredScopes } }
      : {}),
    ...(env.ATOMS_MCP_STATEFUL ? { stateful: { store: state.store, ttlMs: config.sessions.absoluteTimeoutMs } } : {}),
    rateLimiter: state.rateLimiter,
    ...(env.CORS_ALLOWED_ORIGINS ? { allowedOrigins: env.CORS_ALLOWED_ORIGINS } : {}),
    ...(env.ALLOWED_HOSTS ? { allowedHosts: env.ALLOWED_HOSTS } : {}),
    maxBodyBytes: env.MAX_BODY_BYTES,
    observability,
    ...(env.METRICS_TOKEN ? { metricsToken: env.METRICS_TOKEN } : {}),
    healthChecks: [
      {
        name: 'database',
        componentType: 'datastore',
        timeoutMs: 2000,
        check: async () => {
          await db.asService((s) => s.select('organizations', { columns: ['id'], limit: 1 }));
        },
      },
    ],
  });
}
