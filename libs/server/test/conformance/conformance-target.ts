import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEdgeObservability } from '@atoms/observability';
import { createDevIssuer, MemoryStore } from '@atoms/session';
import { createConformanceServer } from '@atoms/test-framework/conformance';
import { createAtomsHandler, type AtomsHandler } from '../../src/index.js';
import { toNodeListener } from '../../src/node/index.js';

const CONFORMANCE_USER = '44444444-4444-4444-8444-444444444444';

export interface ConformanceTarget {
  /** The MCP endpoint the suite is pointed at. */
  readonly mcpUrl: string;
  close(): Promise<void>;
}

/**
 * The full @atoms/server pipeline on a loopback port serving the conformance fixture server, configured as the app
 * runs it in stateful mode (memory session store, no event store): sampling and elicitation are server-to-client
 * requests, which need the session's stream. Host/Origin allowlist, CORS, body limit, bearer auth and identity all
 * run; only the rate limiters are off (the suite sends bursts from one user).
 *
 * The suite's client cannot send a bearer token, so auth stays ON and a real token minted by the dev issuer (and
 * verified by the handler like any other) is attached to each incoming request that carries none, at the socket
 * layer in front of the handler: what the suite exercises is the authenticated pipeline, not a bypass.
 */
export async function startConformanceTarget(): Promise<ConformanceTarget> {
  // Both need the URL, known once the server listens.
  const late: { handler?: AtomsHandler; token?: string } = {};
  const listener = toNodeListener((request, info) => (late.handler as AtomsHandler)(request, info));
  const server: Server = createServer((req, res) => {
    // The Node adapter builds the web Request from rawHeaders.
    if (late.token !== undefined && req.headers.authorization === undefined) {
      req.rawHeaders.push('Authorization', `Bearer ${late.token}`);
    }
    listener(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const issuer = await createDevIssuer({ issuer: base, audience: `${base}/api/mcp` });
  const handler = createAtomsHandler({
    publicUrl: base,
    createMcpServer: () => createConformanceServer(),
    auth: { verifier: issuer.accessTokenVerifier() },
    stateful: { store: new MemoryStore() },
    rateLimiter: false,
    ipRateLimiter: false,
    observability: createEdgeObservability({ service: 'conformance', version: '1', log: { level: 'silent' } }),
  });
  late.handler = handler;
  late.token = (await issuer.mintAccessToken({ sub: CONFORMANCE_USER, ttlSeconds: 3600 })).token;

  return {
    mcpUrl: `${base}${handler.mcpPath}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
