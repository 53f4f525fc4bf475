/**
 * A real HTTP endpoint for HOT-mode and HTTP-client tests: Node's http server, the SDK's Streamable HTTP server
 * transport in stateless mode (a fresh server per request, as production does), and a bearer check.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

export interface FixtureHttpServer {
  url: string;
  /** Every Authorization header received, in order. */
  authorizations: string[];
  close(): Promise<void>;
}

export async function startFixtureHttpServer(
  factory: () => McpServer,
  acceptedToken: string,
  options: { json?: boolean } = {},
): Promise<FixtureHttpServer> {
  const authorizations: string[] = [];
  const http: HttpServer = createServer((req, res) => {
    const authorization = req.headers.authorization ?? '';
    authorizations.push(authorization);
    if (authorization !== `Bearer ${acceptedToken}`) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const server = factory();
        const transport = new StreamableHTTPServerTransport({
          sessionIdGenerator: undefined,
          enableJsonResponse: options.json ?? true,
        });
        res.on('close', () => {
          void transport.close();
          void server.close();
        });
        await server.connect(transport);
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
        await transport.handleRequest(req, res, body);
      })().catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/mcp`,
    authorizations,
    close: () =>
      new Promise<void>((resolve, reject) => {
        http.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of the client would otherwise hold the worker open after the suite.
        http.closeAllConnections();
      }),
  };
}
