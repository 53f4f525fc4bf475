import { randomId } from './random-ids.js';
import { formatTraceParent, newSpanId, newTraceId, parseTraceParent } from './traceparent.js';

/**
 * What ties the log lines, metrics exemplars and responses of one request (or one MCP call) together.
 */
export interface CorrelationContext {
  /** Stable across services for one user action (`X-Correlation-ID`); defaults to the request id. */
  correlationId: string;
  /** This hop's request id (`X-Request-ID`); generated when absent. */
  requestId: string;
  /** W3C trace id (32 hex), continued from an incoming `traceparent` or newly started. */
  traceId: string;
  /** Our span (16 hex); the outgoing `traceparent` names it as parent. */
  spanId: string;
  /** The caller's span, when a valid `traceparent` came in. */
  parentSpanId?: string;
  traceFlags: string;
  /** W3C `tracestate`, forwarded unchanged when valid. */
  traceState?: string;
  /** Filled in by later stages (auth, routing, tool wrapper); all optional. */
  userId?: string;
  /** Already hashed: raw session ids never enter the context. See `hashIdentifier`. */
  sessionHash?: string;
  route?: string;
  method?: string;
  tool?: string;
  operation?: string;
}

export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

export const CORRELATION_HEADERS = {
  correlationId: 'x-correlation-id',
  requestId: 'x-request-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** W3C Trace Context Level 2 response header. */
  traceresponse: 'traceresponse',
} as const;

/**
 * Incoming ids are untrusted: they end up in logs and response headers. Only short, plain tokens are accepted;
 * anything else (newlines, quotes, megabyte strings) is dropped and a fresh id is generated instead.
 */
const SAFE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
const SAFE_TRACESTATE = /^[\x20-\x7e]{1,512}$/;

export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? findCaseInsensitive(record, name);
  return Array.isArray(value) ? value[0] : value;
}

function findCaseInsensitive(record: Record<string, string | string[] | undefined>, name: string) {
  for (const key of Object.keys(record)) if (key.toLowerCase() === name) return record[key];
  return undefined;
}

const safeId = (value: unknown): string | undefined =>
  typeof value === 'string' && SAFE_ID.test(value) ? value : undefined;

/** Keys accepted in an MCP request's `params._meta` (OpenTelemetry's MCP conventions use `traceparent`). */
const META_KEYS = {
  correlationId: ['correlationId', 'correlation_id', 'x-correlation-id'],
  requestId: ['requestId', 'request_id', 'x-request-id'],
  traceparent: ['traceparent'],
  tracestate: ['tracestate'],
} as const;

function readMeta(meta: Record<string, unknown> | undefined, keys: readonly string[]): unknown {
  if (!meta) return undefined;
  for (const key of keys) if (meta[key] !== undefined) return meta[key];
  return undefined;
}

/**
 * Builds the correlation context of an incoming request from its headers and, for an MCP call, the request's
 * `_meta` object. `_meta` is more specific than the HTTP request that carried it, so its values win.
 */
export function extractCorrelation(headers: HeaderSource, meta?: Record<string, unknown>): CorrelationContext {
  const requestId =
    safeId(readMeta(meta, META_KEYS.requestId)) ?? safeId(readHeader(headers, 'x-request-id')) ?? randomId();
  const correlationId =
    safeId(readMeta(meta, META_KEYS.correlationId)) ?? safeId(readHeader(headers, 'x-correlation-id')) ?? requestId;
  const metaParent = readMeta(meta, META_KEYS.traceparent);
  const parent =
    parseTraceParent(typeof metaParent === 'string' ? metaParent : undefined) ??
    parseTraceParent(readHeader(headers, 'traceparent'));
  const rawState = parent
    ? ((readMeta(meta, META_KEYS.tracestate) as string | undefined) ?? readHeader(headers, 'tracestate'))
    : undefined;
  const context: CorrelationContext = {
    correlationId,
    requestId,
    traceId: parent?.traceId ?? newTraceId(),
    spanId: newSpanId(),
    traceFlags: parent?.flags ?? '01',
  };
  if (parent) context.parentSpanId = parent.parentId;
  if (typeof rawState === 'string' && SAFE_TRACESTATE.test(rawState)) context.traceState = rawState;
  return context;
}

/**
 * A child context for one MCP call inside an HTTP request: same correlation id unless `_meta` names another, a
 * new span whose parent is the request's span (or `_meta`'s traceparent).
 */
export function deriveCallContext(
  parent: CorrelationContext,
  meta?: Record<string, unknown>,
  extra?: Partial<Pick<CorrelationContext, 'tool' | 'operation'>>,
): CorrelationContext {
  const metaParent = readMeta(meta, META_KEYS.traceparent);
  const tp = parseTraceParent(typeof metaParent === 'string' ? metaParent : undefined);
  const child: CorrelationContext = {
    ...parent,
    correlationId: safeId(readMeta(meta, META_KEYS.correlationId)) ?? parent.correlationId,
    requestId: safeId(readMeta(meta, META_KEYS.requestId)) ?? parent.requestId,
    traceId: tp?.traceId ?? parent.traceId,
    parentSpanId: tp?.parentId ?? parent.spanId,
    traceFlags: tp?.flags ?? parent.traceFlags,
    spanId: newSpanId(),
    ...extra,
  };
  return child;
}

/** A fresh context for work that no request started (startup, timers, queue consumers). */
export function newCorrelation(): CorrelationContext {
  const id = randomId();
  return { correlationId: id, requestId: id, traceId: newTraceId(), spanId: newSpanId(), traceFlags: '01' };
}

/** The outgoing `traceparent` for calls this request makes (our span as the parent). */
export const outgoingTraceParent = (ctx: CorrelationContext): string =>
  formatTraceParent(ctx.traceId, ctx.spanId, ctx.traceFlags);

/** Headers echoed on the response and forwarded on outgoing calls. */
export function correlationHeaders(ctx: CorrelationContext): Record<string, string> {
  const traceparent = outgoingTraceParent(ctx);
  const headers: Record<string, string> = {
    'X-Correlation-ID': ctx.correlationId,
    'X-Request-ID': ctx.requestId,
    traceparent,
    traceresponse: traceparent,
  };
  if (ctx.traceState) headers['tracestate'] = ctx.traceState;
  return headers;
}

/** The context as log fields (only defined values; ids in the names the log schema documents). */
export function correlationLogFields(ctx: CorrelationContext): Record<string, string> {
  const fields: Record<string, string> = {
    correlationId: ctx.correlationId,
    requestId: ctx.requestId,
    traceId: ctx.traceId,
    spanId: ctx.spanId,
  };
  if (ctx.userId !== undefined) fields['userId'] = ctx.userId;
  if (ctx.sessionHash !== undefined) fields['sessionHash'] = ctx.sessionHash;
  if (ctx.route !== undefined) fields['route'] = ctx.route;
  if (ctx.method !== undefined) fields['method'] = ctx.method;
  if (ctx.tool !== undefined) fields['tool'] = ctx.tool;
  if (ctx.operation !== undefined) fields['operation'] = ctx.operation;
  return fields;
}
