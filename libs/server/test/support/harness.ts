import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Caller } from '../../src/index.js';
import { toNodeListener, type WebHandler } from '../../src/node/index.js';

/** A real `node:http` server on a free loopback port; `setHandler` lets the handler be built once the URL is known. */
export async function startHttp(): Promise<{
  url: string;
  server: Server;
  setHandler(handler: WebHandler | ((index: number) => WebHandler)): void;
  close(): Promise<void>;
}> {
  let current: WebHandler | undefined;
  const server = createServer(toNodeListener((request, info) => (current as WebHandler)(request, info)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    setHandler(handler) {
      current = handler as WebHandler;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A small MCP server for the pipeline tests: the caller's identity comes back from `whoami`. */
export function testMcpServer(caller: Caller): McpServer {
  const server = new McpServer({ name: 'server-test', version: '1.0.0' });
  server.registerTool('echo', { description: 'echo', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('whoami', { description: 'who am I' }, (extra) => ({
    content: [
      {
        type: 'text',
        text: JSON.stringify({ factoryUser: caller.userId, authInfo: extra.authInfo }),
      },
    ],
  }));
  return server;
}

export async function connectClient(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'server-test-client', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

export const MCP_HEADERS = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };

export function rpc(method: string, params: Record<string, unknown> = {}, id = 1): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method, params });
}

/** A raw `node:http` request, for headers `fetch` will not send (a foreign `Host`). */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
