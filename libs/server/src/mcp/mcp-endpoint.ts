import type { AtomsMetrics } from '@atoms/observability';
import type { StateStore } from '@atoms/session';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  WebStandardStreamableHTTPServerTransport,
  type EventStore,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Caller } from '../auth/caller.js';
import { BodyTooLargeError, readBodyText } from '../http/body-limit.js';
import type { RequestState } from '../http/pipeline.js';
import { rateLimitHeaders } from '../rate-limit/rate-limit-headers.js';
import { RateLimiterUnavailableError, type RateLimitDecision, type RateLimiter } from '../rate-limit/rate-limiter.js';
import { closeAfter } from './close-after.js';
import { initializeParams, jsonRpcError, rateLimitBuckets } from './jsonrpc.js';
import { createToolsListCache, type ToolsListKey } from './tools-list-cache.js';

export type McpServerFactory = (caller: Caller) => McpServer | Promise<McpServer>;

export interface StatefulMcpOptions {
  /** The shared store (Redis/Upstash/memory of `@atoms/session`) holding session ownership. */
  readonly store: StateStore;
  /** Lifetime of a session's ownership record; default 24 h. */
  readonly ttlMs?: number;
  /** A session idle this long on this instance is closed here (it can be rebuilt from the store); default 30 min. */
  readonly localIdleMs?: number;
  /** Sessions kept live on one instance at most; default 1000 (the least recently used are closed). */
  readonly maxLocalSessions?: number;
  /** Resumability (Last-Event-ID) for the session's SSE streams. */
  readonly eventStore?: () => EventStore;
}

export interface McpEndpointOptions {
  readonly createMcpServer: McpServerFactory;
  readonly maxBodyBytes: number;
  readonly rateLimiter?: RateLimiter;
  readonly metrics?: AtomsMetrics;
  /** Answer with a JSON body instead of an SSE stream when the server sends nothing else; default true (stateless). */
  readonly jsonResponse?: boolean;
  readonly stateful?: StatefulMcpOptions;
  /**
   * Callers with the same key see the same `tools/list` for the life of the process; stateless JSON answers to it are
   * then produced once per key by the SDK and served from their bytes (see `tools-list-cache.ts`). Unset: the SDK
   * answers every `tools/list`.
   */
  readonly toolsListKey?: ToolsListKey;
}

export type McpEndpoint = (request: Request, state: RequestState, caller: Caller) => Promise<Response>;

interface LiveSession {
  readonly server: McpServer;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly userId: string;
  lastUsed: number;
}

const MCP_SESSION_NS = 'mcp-session';
const SESSION_ID = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * MCP Streamable HTTP behind the gate. Stateless (default): a fresh `McpServer` and transport per request, never
 * shared (CVE-2026-25536). Stateful: `Mcp-Session-Id` ownership stored as `<user_id>:<session_id>` in the shared
 * store, so any instance can continue a session (rebuilt by replaying its `initialize`) and no other user can.
 */
export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const stateful = options.stateful;
  const live = new Map<string, LiveSession>();
  const rebuilding = new Map<string, Promise<LiveSession>>();
  const jsonResponse = options.jsonResponse ?? !stateful;
  const toolsLists = jsonResponse && options.toolsListKey ? createToolsListCache(options.toolsListKey) : undefined;

  const limit = async (body: unknown, caller: Caller): Promise<Response | [string, string][]> => {
    const limiter = options.rateLimiter;
    if (!limiter) return [];
    let tightest: RateLimitDecision | undefined;
    for (const bucket of rateLimitBuckets(body)) {
      let decision: RateLimitDecision;
      try {
        decision = await limiter.consume(`${caller.userId}:${bucket}`);
      } catch (error) {
        if (error instanceof RateLimiterUnavailableError) {
          return jsonRpcError(503, -32000, 'Rate limiting is unavailable; retry shortly', [['Retry-After', '5']]);
        }
        throw error;
      }
      if (!decision.allowed) {
        options.metrics?.recordRateLimited({ tool: bucket === '*' ? 'other' : bucket, key: 'user' });
        return jsonRpcError(429, -32000, `Rate limit exceeded for ${bucket === '*' ? 'requests' : bucket}`, [
          ...rateLimitHeaders(decision, limiter.windowMs),
        ]);
      }
      if (!tightest || decision.remaining < tightest.remaining) tightest = decision;
    }
    return tightest ? rateLimitHeaders(tightest, limiter.windowMs) : [];
  };

  const readJson = async (request: Request): Promise<{ body: unknown } | Response> => {
    let text: string;
    try {
      text = await readBodyText(request, options.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return jsonRpcError(413, -32000, `Request body exceeds ${options.maxBodyBytes} bytes`);
      }
      throw error;
    }
    try {
      return { body: JSON.parse(text) as unknown };
    } catch {
      return jsonRpcError(400, -32700, 'Parse error: Invalid JSON');
    }
  };

  const newTransport = (sessionId?: string, onInit?: (id: string) => Promise<void>) =>
    new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: sessionId === undefined && !onInit ? undefined : () => sessionId ?? randomSessionId(),
      enableJsonResponse: jsonResponse,
      ...(onInit ? { onsessioninitialized: onInit } : {}),
      ...(stateful?.eventStore ? { eventStore: stateful.eventStore() } : {}),
    });

  const stateless = async (request: Request, caller: Caller): Promise<Response> => {
    if (request.method !== 'POST') {
      return jsonRpcError(405, -32000, 'Method not allowed: this server is stateless (POST only)', [['Allow', 'POST']]);
    }
    const parsed = await readJson(request);
    if (parsed instanceof Response) return parsed;
    const limited = await limit(parsed.body, caller);
    if (limited instanceof Response) return limited;
    const cached = toolsLists?.answer(caller, request, parsed.body);
    if (cached) {
      for (const [name, value] of limited) cached.headers.set(name, value);
      return cached;
    }
    const server = await options.createMcpServer(caller);
    const transport = newTransport();
    await server.connect(transport);
    let response = await transport.handleRequest(request, { parsedBody: parsed.body, authInfo: caller.authInfo });
    if (toolsLists) response = await toolsLists.learn(caller, request, parsed.body, response);
    for (const [name, value] of limited) response.headers.set(name, value);
    // Closing aborts every request handler still registered, and a handler is unregistered a few microtasks after
    // its response is sent: closing on the next macrotask spares each request an AbortError and a ConnectionClosed.
    return closeAfter(response, () => setTimeout(() => void server.close().catch(() => undefined), 0));
  };

  const closeLive = (id: string): void => {
    const session = live.get(id);
    if (!session) return;
    live.delete(id);
    void session.transport.close().catch(() => undefined);
    void session.server.close().catch(() => undefined);
  };

  const sweep = (now: number): void => {
    if (!stateful) return;
    const idle = stateful.localIdleMs ?? 30 * 60_000;
    for (const [id, session] of live) if (now - session.lastUsed > idle) closeLive(id);
    const max = stateful.maxLocalSessions ?? 1000;
    while (live.size > max) closeLive(live.keys().next().value as string);
  };

  // Another instance created the session: rebuild server + transport here by replaying the stored initialize.
  const rebuild = async (
    request: Request,
    sessionId: string,
    caller: Caller,
    init: Record<string, unknown>,
  ): Promise<LiveSession> => {
    const server = await options.createMcpServer(caller);
    const transport = newTransport(sessionId);
    await server.connect(transport);
    const replay = (body: unknown, extra: Record<string, string> = {}) =>
      transport.handleRequest(
        new Request(request.url, {
          method: 'POST',
          headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...extra },
        }),
        { parsedBody: body, authInfo: caller.authInfo },
      );
    await (await replay({ jsonrpc: '2.0', id: 0, method: 'initialize', params: init })).text();
    const version = typeof init['protocolVersion'] === 'string' ? init['protocolVersion'] : undefined;
    await (
      await replay(
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { 'mcp-session-id': sessionId, ...(version ? { 'mcp-protocol-version': version } : {}) },
      )
    ).text();
    return { server, transport, userId: caller.userId, lastUsed: Date.now() };
  };

  const withSession = async (request: Request, caller: Caller, store: StateStore): Promise<Response> => {
    const now = Date.now();
    sweep(now);
    const sessionId = request.headers.get('mcp-session-id');
    let parsedBody: unknown;
    if (request.method === 'POST') {
      const parsed = await readJson(request);
      if (parsed instanceof Response) return parsed;
      parsedBody = parsed.body;
    }
    const init = sessionId === null && request.method === 'POST' ? initializeParams(parsedBody) : undefined;
    if (sessionId === null && !init) {
      return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    if (sessionId !== null && !SESSION_ID.test(sessionId)) return jsonRpcError(404, -32001, 'Session not found');
    let rateHeaders: [string, string][] = [];
    if (parsedBody !== undefined) {
      const limited = await limit(parsedBody, caller);
      if (limited instanceof Response) return limited;
      rateHeaders = limited;
    }

    if (sessionId === null) {
      const server = await options.createMcpServer(caller);
      let created: string | undefined;
      const transport = newTransport(undefined, async (id) => {
        const stored = await store.create(
          { ns: MCP_SESSION_NS, id, owner: caller.userId },
          { initialize: init as Record<string, unknown>, createdAt: now } as Record<string, unknown>,
          stateful?.ttlMs ?? 24 * 3_600_000,
        );
        if (!stored) throw new Error('MCP session id collision');
        created = id;
      });
      await server.connect(transport);
      const response = await transport.handleRequest(request, { parsedBody, authInfo: caller.authInfo });
      if (created) live.set(created, { server, transport, userId: caller.userId, lastUsed: now });
      else {
        void transport.close().catch(() => undefined);
        void server.close().catch(() => undefined);
      }
      for (const [name, value] of rateHeaders) response.headers.set(name, value);
      return response;
    }

    const record = await store.get({ ns: MCP_SESSION_NS, id: sessionId, owner: caller.userId });
    let session = live.get(sessionId);
    if (!record) {
      // Ended elsewhere (DELETE on another instance) or never this user's: drop a stale local copy of our own.
      if (session && session.userId === caller.userId) closeLive(sessionId);
      return jsonRpcError(404, -32001, 'Session not found');
    }
    if (session && session.userId !== caller.userId) return jsonRpcError(404, -32001, 'Session not found');
    if (request.method === 'DELETE') {
      await store.delete({ ns: MCP_SESSION_NS, id: sessionId, owner: caller.userId });
      if (!session) return new Response(null, { status: 200 });
      const response = await session.transport.handleRequest(request);
      closeLive(sessionId);
      return response;
    }
    if (!session) {
      // Single-flight: concurrent first requests for one session on this instance share one rebuilt copy.
      let pending = rebuilding.get(sessionId);
      if (!pending) {
        const init = (record.value as { initialize?: Record<string, unknown> }).initialize ?? {};
        pending = rebuild(request, sessionId, caller, init)
          .then((rebuilt) => {
            live.set(sessionId, rebuilt);
            return rebuilt;
          })
          .finally(() => rebuilding.delete(sessionId));
        rebuilding.set(sessionId, pending);
      }
      session = await pending;
    }
    session.lastUsed = now;
    const response = await session.transport.handleRequest(request, {
      ...(parsedBody === undefined ? {} : { parsedBody }),
      authInfo: caller.authInfo,
    });
    for (const [name, value] of rateHeaders) response.headers.set(name, value);
    return response;
  };

  return async (request, _state, caller) => {
    if (!stateful) return stateless(request, caller);
    return withSession(request, caller, stateful.store);
  };
}

function randomSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
