import { describe, expect, it } from '@jest/globals';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeListener, type WebHandler } from './node-listener.js';

async function serve(handler: WebHandler): Promise<{ url: URL; server: Server }> {
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`), server };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function get(url: URL): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => httpRequest(url, resolve).on('error', reject).end());
}

async function bodyOf(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += String(chunk);
  return text;
}

describe('toNodeListener', () => {
  it('sends a JSON body in one piece with Content-Length, not chunked', async () => {
    const json = JSON.stringify({ result: { items: Array.from({ length: 2000 }, (_, i) => `item ${i} ü`) } });
    const { url, server } = await serve(
      async () => new Response(json, { headers: { 'content-type': 'application/json; charset=utf-8' } }),
    );
    try {
      const response = await get(url);
      expect(response.headers['content-length']).toBe(String(Buffer.byteLength(json)));
      expect(response.headers['transfer-encoding']).toBeUndefined();
      expect(await bodyOf(response)).toBe(json);
    } finally {
      await close(server);
    }
  });

  it('streams an event stream: the first event arrives before the stream ends', async () => {
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const { url, server } = await serve(async () => {
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode('data: first\n\n'));
          await finished;
          controller.enqueue(encoder.encode('data: last\n\n'));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    try {
      const response = await get(url);
      expect(response.headers['content-length']).toBeUndefined();
      const first = await new Promise<string>((resolve) => response.once('data', (chunk) => resolve(String(chunk))));
      expect(first).toBe('data: first\n\n');
      finish();
      const rest = await bodyOf(response);
      expect(rest).toBe('data: last\n\n');
    } finally {
      finish();
      await close(server);
    }
  });

  it('aborts the request signal when the client leaves early, never after a complete response', async () => {
    const signals: AbortSignal[] = [];
    let hang = false;
    const { url, server } = await serve(async (request) => {
      signals.push(request.signal);
      if (hang) await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
      return new Response('{}', { headers: { 'content-type': 'application/json' } });
    });
    try {
      await bodyOf(await get(url));
      await new Promise((resolve) => setTimeout(resolve, 50)); // the socket's close has been processed
      expect(signals[0]?.aborted).toBe(false);

      hang = true;
      const left = httpRequest(url).on('error', () => undefined);
      left.end();
      await new Promise((resolve) => setTimeout(resolve, 50));
      left.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(signals[1]?.aborted).toBe(true);
    } finally {
      await close(server);
    }
  });
});
