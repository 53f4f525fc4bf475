import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../atoms-handler.js';

export type WebHandler = (request: Request, info?: RequestInfo) => Promise<Response>;

export interface NodeListenerOptions {
  /**
   * Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy in front of the process. Off by default: a
   * client could otherwise choose its own IP for rate limits and device risk.
   */
  readonly trustProxy?: boolean;
}

/**
 * Adapts the web handler to `node:http`: streams the request body in (no buffering, so the body limit applies while
 * reading) and the response body out (SSE), and cancels the response stream when the client goes away. JSON bodies
 * are complete documents: they are sent in one write with `Content-Length`.
 */
export function toNodeListener(handler: WebHandler, options: NodeListenerOptions = {}) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void serve(handler, options, req, res);
  };
}

async function serve(handler: WebHandler, options: NodeListenerOptions, req: IncomingMessage, res: ServerResponse) {
  const controller = new AbortController();
  // Only a client that left before the response was sent aborts the request: aborting after every completed
  // response would build an AbortError and run every abort listener of the request for nothing.
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  let response: Response;
  try {
    const request = toRequest(req, options, controller.signal);
    const forwarded = options.trustProxy ? firstForwarded(req.headers['x-forwarded-for']) : undefined;
    const clientIp = forwarded ?? req.socket.remoteAddress;
    response = await handler(request, clientIp ? { clientIp } : {});
  } catch {
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal_error","error_description":"internal server error"}');
    }
    return;
  }
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (response.body && req.method !== 'HEAD' && isJson(response.headers.get('content-type'))) {
    let body: Uint8Array;
    try {
      body = new Uint8Array(await response.arrayBuffer());
    } catch {
      res.destroy(); // the body failed before a byte was sent: the client sees a reset, not a truncated 200
      return;
    }
    delete headers['transfer-encoding'];
    headers['content-length'] = String(body.byteLength);
    res.writeHead(response.status, response.statusText, headers);
    res.end(body);
    return;
  }
  res.writeHead(response.status, response.statusText, headers);
  if (!response.body || req.method === 'HEAD') {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.on('close', () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
    }
  } catch {
    // The client went away or the stream failed mid-way: nothing more can be sent.
  }
  res.end();
}

/** `application/json` or a `+json` type: a document the client can only use once it is complete. */
function isJson(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

function toRequest(req: IncomingMessage, options: NodeListenerOptions, signal: AbortSignal): Request {
  const encrypted = 'encrypted' in req.socket && Boolean((req.socket as { encrypted?: boolean }).encrypted);
  const proto = options.trustProxy ? firstForwarded(req.headers['x-forwarded-proto']) : undefined;
  const url = `${proto ?? (encrypted ? 'https' : 'http')}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, {
    method: req.method ?? 'GET',
    headers,
    signal,
    ...(hasBody ? { body: bodyStream(req), duplex: 'half' } : {}),
  } as RequestInit);
}

function firstForwarded(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const first = raw?.split(',')[0]?.trim();
  return first ? first : undefined;
}

/**
 * The request body as a web stream with backpressure. Cancelling it (the body limit was passed) stops reading and
 * discards the rest without destroying the socket, so the 413 can still be sent. (`Readable.toWeb` throws on
 * Node 20 when data arrives after a cancel.)
 */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        if (cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.on('end', () => {
        if (!cancelled) controller.close();
      });
      req.on('error', (error) => {
        if (!cancelled) controller.error(error);
      });
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      cancelled = true;
      req.resume();
    },
  });
}
