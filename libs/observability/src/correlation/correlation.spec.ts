import { describe, expect, it, jest } from '@jest/globals';
import { correlationHeaders, deriveCallContext, extractCorrelation, newCorrelation } from './correlation-context.js';
import { HASH_CACHE_SIZE, hashIdentifier } from './hash-identifier.js';
import { parseTraceParent } from './traceparent.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('traceparent', () => {
  it('parses valid version-00 headers and rejects invalid ones', () => {
    expect(parseTraceParent(`00-${TRACE}-${PARENT}-01`)).toEqual({ traceId: TRACE, parentId: PARENT, flags: '01' });
    expect(parseTraceParent(`00-${'0'.repeat(32)}-${PARENT}-01`)).toBeUndefined();
    expect(parseTraceParent(`00-${TRACE}-${'0'.repeat(16)}-01`)).toBeUndefined();
    expect(parseTraceParent(`ff-${TRACE}-${PARENT}-01`)).toBeUndefined();
    expect(parseTraceParent(`00-${TRACE}-${PARENT}-01-extra`)).toBeUndefined();
    expect(parseTraceParent(`01-${TRACE}-${PARENT}-01-future`)).toMatchObject({ traceId: TRACE });
    expect(parseTraceParent('garbage')).toBeUndefined();
    expect(parseTraceParent(undefined)).toBeUndefined();
  });
});

describe('extractCorrelation', () => {
  it('continues an incoming trace with a new span and keeps incoming ids', () => {
    const ctx = extractCorrelation(
      new Headers({
        'x-correlation-id': 'corr-123',
        'x-request-id': 'req-456',
        traceparent: `00-${TRACE}-${PARENT}-01`,
        tracestate: 'vendor=abc',
      }),
    );
    expect(ctx).toMatchObject({
      correlationId: 'corr-123',
      requestId: 'req-456',
      traceId: TRACE,
      parentSpanId: PARENT,
      traceFlags: '01',
      traceState: 'vendor=abc',
    });
    expect(ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(ctx.spanId).not.toBe(PARENT);
  });

  it('generates ids when none (or only unsafe ones) arrive, and defaults correlation to the request id', () => {
    const ctx = extractCorrelation({ 'X-Correlation-ID': 'bad\nvalue"<script>', 'x-request-id': 'x'.repeat(500) });
    expect(ctx.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.correlationId).toBe(ctx.requestId);
    expect(ctx.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ctx.parentSpanId).toBeUndefined();
  });

  it('reads plain header records case-insensitively and array values', () => {
    const ctx = extractCorrelation({ 'X-Request-Id': ['r-1', 'r-2'] });
    expect(ctx.requestId).toBe('r-1');
  });

  it('prefers MCP _meta over HTTP headers (the call is more specific than the request)', () => {
    const metaTrace = 'a'.repeat(32);
    const ctx = extractCorrelation(
      new Headers({ 'x-correlation-id': 'from-header', traceparent: `00-${TRACE}-${PARENT}-01` }),
      {
        correlationId: 'from-meta',
        traceparent: `00-${metaTrace}-${'b'.repeat(16)}-00`,
      },
    );
    expect(ctx.correlationId).toBe('from-meta');
    expect(ctx.traceId).toBe(metaTrace);
    expect(ctx.traceFlags).toBe('00');
  });

  it('derives a call context: same trace, parent is the request span, tool fields added', () => {
    const request = extractCorrelation(new Headers({ 'x-correlation-id': 'c' }));
    const call = deriveCallContext(request, undefined, { tool: 'entity_tool', operation: 'create' });
    expect(call).toMatchObject({ correlationId: 'c', traceId: request.traceId, parentSpanId: request.spanId });
    expect(call.spanId).not.toBe(request.spanId);
    expect(call).toMatchObject({ tool: 'entity_tool', operation: 'create' });
    expect(request.tool).toBeUndefined();
  });

  it('echo headers carry ids and a traceparent naming our span', () => {
    const ctx = newCorrelation();
    const headers = correlationHeaders(ctx);
    expect(headers['X-Correlation-ID']).toBe(ctx.correlationId);
    expect(headers['X-Request-ID']).toBe(ctx.requestId);
    expect(headers['traceparent']).toBe(`00-${ctx.traceId}-${ctx.spanId}-01`);
    expect(headers['traceresponse']).toBe(headers['traceparent']);
  });
});

describe('hashIdentifier', () => {
  it('is stable, salted and does not contain the input', async () => {
    const a = await hashIdentifier('session-abc');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(await hashIdentifier('session-abc')).toBe(a);
    expect(await hashIdentifier('session-abc', 'salt')).not.toBe(a);
    expect(await hashIdentifier('session-abd')).not.toBe(a);
  });

  it('hashes a repeated identifier once, and forgets the oldest beyond its cache size', async () => {
    const digest = jest.spyOn(crypto.subtle, 'digest');
    try {
      const first = await hashIdentifier('cached-session');
      const expected = Buffer.from(
        await crypto.subtle.digest('SHA-256', new TextEncoder().encode('\u0000cached-session')),
      )
        .subarray(0, 8)
        .toString('hex');
      expect(first).toBe(expected);
      digest.mockClear();
      expect(await hashIdentifier('cached-session')).toBe(first);
      expect(digest).not.toHaveBeenCalled();
      for (let i = 0; i < HASH_CACHE_SIZE; i++) await hashIdentifier(`other-${i}`);
      digest.mockClear();
      expect(await hashIdentifier('cached-session')).toBe(first); // evicted: computed again, same value
      expect(digest).toHaveBeenCalledTimes(1);
    } finally {
      digest.mockRestore();
    }
  });
});
