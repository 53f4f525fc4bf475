import { Client, type ClientOptions } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Implementation, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** Anything that serves MCP over a transport: an `McpServer` or a low-level SDK `Server`. */
export interface ConnectableServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds a fresh server. Passed in by the caller so this library never depends on `@atoms/tools` or
 * `@atoms/server` (the project graph stays acyclic). `Context` is what the mode environment hands it (the COLD
 * database, the DRY marker); a zero-argument factory fits every context.
 */
export type ServerFactory<Context = void> = (context: Context) => ConnectableServer | Promise<ConnectableServer>;

export type TokenSource = string | (() => string | Promise<string>);

export interface HttpTarget {
  kind: 'http';
  /** The MCP endpoint, e.g. `http://127.0.0.1:8000/api/mcp`. */
  url: string | URL;
  /** Bearer token, or a function asked before every request (so a refreshing token manager can plug in). */
  token?: TokenSource;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface InProcessTarget {
  kind: 'in-process';
  server: () => ConnectableServer | Promise<ConnectableServer>;
  /**
   * What the server's handlers see as `extra.authInfo`, as if a bearer token had been verified by the HTTP layer.
   * Lets in-process tests exercise per-user behaviour without HTTP.
   */
  authInfo?: AuthInfo;
}

export type ClientTarget = HttpTarget | InProcessTarget;

export interface ConnectOptions {
  clientInfo?: Implementation;
  clientOptions?: ClientOptions;
}

export interface Connection {
  client: Client;
  close: () => Promise<void>;
}

const DEFAULT_CLIENT_INFO: Implementation = { name: '@atoms/test-framework', version: '0.1.0' };

async function resolveToken(token: TokenSource): Promise<string> {
  return typeof token === 'function' ? token() : token;
}

function bearerFetch(target: HttpTarget): typeof fetch {
  const base = target.fetch ?? fetch;
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(target.headers ?? {})) headers.set(name, value);
    if (target.token !== undefined) headers.set('authorization', `Bearer ${await resolveToken(target.token)}`);
    return base(input, { ...init, headers });
  };
}

/** An in-memory transport that attaches `authInfo` to every message, as the HTTP layer would after verification. */
class AuthenticatingTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];

  constructor(
    private readonly inner: InMemoryTransport,
    private readonly authInfo: AuthInfo,
  ) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => this.onmessage?.(message, extra);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, { ...options, authInfo: this.authInfo });
  }
}

/** Connects the real SDK `Client` to a URL (Streamable HTTP) or to a server built in this process. */
export async function connect(target: ClientTarget, options: ConnectOptions = {}): Promise<Connection> {
  const client = new Client(options.clientInfo ?? DEFAULT_CLIENT_INFO, options.clientOptions);
  if (target.kind === 'http') {
    const transport = new StreamableHTTPClientTransport(new URL(target.url), { fetch: bearerFetch(target) });
    await client.connect(transport);
    return {
      client,
      close: async () => {
        // Stateful servers keep a session until told so (a stateless one has no session id: nothing is sent).
        await transport.terminateSession();
        await client.close();
      },
    };
  }
  const server = await target.server();
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const transport = target.authInfo ? new AuthenticatingTransport(clientSide, target.authInfo) : clientSide;
  await client.connect(transport);
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}
