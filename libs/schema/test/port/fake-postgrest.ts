import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for PostgREST (none can run on these machines): records every request and answers with the
 * response queued for it. It checks only what supabase-js sends, never SQL semantics.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface CannedResponse {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class FakePostgrest {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: CannedResponse[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://fake');
        this.requests.push({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        });
        const canned = this.queue.shift() ?? { status: 500, body: { message: 'no canned response queued' } };
        const status = canned.status ?? 200;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...canned.headers });
        res.end(canned.body === undefined ? '' : JSON.stringify(canned.body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  respond(...responses: CannedResponse[]): void {
    this.queue.push(...responses);
  }

  last(): RecordedRequest {
    const request = this.requests.at(-1);
    if (!request) throw new Error('no request recorded');
    return request;
  }

  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((e) => (e ? reject(e) : resolve())));
  }
}
