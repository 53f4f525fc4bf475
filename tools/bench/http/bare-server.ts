/**
 * The bare comparison server, a child process of the bench: node:http + the SDK's StreamableHTTPServerTransport,
 * stateless with a fresh McpServer per request (the SDK's simpleStatelessStreamableHttp example without express),
 * JSON responses (`enableJsonResponse`, as the full stack answers stateless POSTs). No middleware of any kind.
 *
 *   POST /mcp         registerTool + zod (tools/list and tools/call)
 *   POST /mcp-static  the precomputed Atoms listing (tools/list only)
 *   GET  /ready       200 once listening (the bench's start-up probe)
 *
 * Environment: BENCH_BARE_PORT, DATABASE_URL, BENCH_USER_ID, BENCH_USER_EMAIL, DATABASE_POOL_MAX (default 10, the
 * app's). Prints `ready <port>` on stdout when listening.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pgDatabase } from '@atoms/schema/node';
import { localEmbeddingProvider } from '@atoms/tools';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { bareDefinitions, idiomaticBareServer, staticListingServer } from './bare-tools.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const db = pgDatabase({
  connectionString: required('DATABASE_URL'),
  max: Number(process.env['DATABASE_POOL_MAX'] ?? 10),
  applicationName: 'atoms-bench-bare',
});
const deps = {
  db,
  user: { claims: { sub: required('BENCH_USER_ID'), email: required('BENCH_USER_EMAIL'), role: 'authenticated' } },
  embeddings: localEmbeddingProvider(),
};
const definitions = await bareDefinitions();

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error as Error);
      }
    });
    req.on('error', reject);
  });
}

async function serve(req: IncomingMessage, res: ServerResponse, server: McpServer): Promise<void> {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, await readJson(req));
}

const http = createServer((req, res) => {
  const path = req.url?.split('?')[0];
  if (req.method === 'GET' && path === '/ready') {
    res.writeHead(200).end(); // the bench's start-up probe; never measured
    return;
  }
  const build =
    req.method !== 'POST'
      ? undefined
      : path === '/mcp'
        ? () => idiomaticBareServer(definitions, deps)
        : path === '/mcp-static'
          ? () => staticListingServer(definitions)
          : undefined;
  if (!build) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    return;
  }
  serve(req, res, build()).catch((error: unknown) => {
    process.stderr.write(`bare server: ${(error as Error).stack ?? String(error)}\n`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"error":"internal_error"}');
  });
});
http.keepAliveTimeout = 65_000; // as the app's listener
http.listen(Number(process.env['BENCH_BARE_PORT'] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`ready ${(http.address() as AddressInfo).port}\n`);
});

const stop = (): void => {
  http.close();
  http.closeAllConnections();
  void db.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
