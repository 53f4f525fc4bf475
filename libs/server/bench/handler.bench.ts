/**
 * Full pipeline vs a bare SDK server, both over node:http on this machine:
 *   node --import @swc-node/register/esm-register --conditions=@atoms/source libs/server/bench/handler.bench.ts
 * (or `npx nx run server:bench`). autocannon runs in a worker thread, 10 connections, BENCH_SECONDS (default 5) each.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { createDevIssuer, MemoryStore, RefreshTokenService, SessionManager } from '@atoms/session';
import { createNodeObservability } from '@atoms/observability/node';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createAtomsHandler, MemoryRateLimiter } from '../src/index.js';
import { toNodeListener } from '../src/node/index.js';
import { testMcpServer } from '../test/support/harness.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 5);
const USER = '77777777-7777-4777-8777-777777777777';
const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
const HEADERS = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function bareServer(): Server {
  const caller = { userId: USER } as Parameters<typeof testMcpServer>[0];
  return createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', async () => {
      const server = testMcpServer(caller);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, JSON.parse(body));
    });
  });
}

async function fullServer(rateLimit: boolean): Promise<{ server: Server; url: string; token: string }> {
  const server = createServer();
  const url = await listen(server);
  const issuer = await createDevIssuer({ issuer: url, audience: `${url}/api/mcp` });
  const store = new MemoryStore();
  const sessions = new SessionManager({ store });
  const refreshTokens = new RefreshTokenService({ store, sessions });
  const observability = createNodeObservability({
    service: 'bench',
    version: '1',
    log: { destination: { write: () => undefined } },
  });
  const handler = createAtomsHandler({
    publicUrl: url,
    createMcpServer: testMcpServer,
    auth: { verifier: issuer.accessTokenVerifier() },
    sessions,
    devIssuer: { issuer, sessions, refreshTokens },
    rateLimiter: rateLimit ? new MemoryRateLimiter({ limit: 1_000_000_000 }) : false,
    observability,
  });
  server.on('request', toNodeListener(handler));
  const { accessToken } = await (handler.issueDevTokens as NonNullable<typeof handler.issueDevTokens>)({
    userId: USER,
  });
  return { server, url, token: accessToken };
}

async function run(title: string, options: autocannon.Options) {
  const result = await autocannon({ connections: 10, duration: seconds, workers: 1, ...options });
  const errors = result.non2xx + result.errors;
  console.log(
    `${title.padEnd(44)} ${result.requests.average.toFixed(0).padStart(6)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms${errors ? `  (${errors} non-2xx/errors!)` : ''}`,
  );
  return result.requests.average;
}

const bare = bareServer();
const bareUrl = await listen(bare);
const bareRps = await run('bare SDK server, tools/list', {
  url: bareUrl,
  method: 'POST',
  headers: HEADERS,
  body: LIST,
});
bare.close();

for (const rateLimit of [false, true]) {
  const full = await fullServer(rateLimit);
  const rps = await run(`full pipeline, tools/list, rate limit ${rateLimit ? 'on' : 'off'}`, {
    url: `${full.url}/api/mcp`,
    method: 'POST',
    headers: { ...HEADERS, authorization: `Bearer ${full.token}` },
    body: LIST,
  });
  console.log(`  ratio to bare: ${(rps / bareRps).toFixed(2)}x`);
  if (!rateLimit) await run('full pipeline, GET /health/live', { url: `${full.url}/health/live` });
  full.server.closeAllConnections();
  full.server.close();
}
