import { randomHex } from './random-ids.js';

/** A W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header), version 00. */
export interface TraceParent {
  traceId: string;
  /** The span id of the caller (the `parent-id` field). */
  parentId: string;
  flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Parses a header value; returns undefined for anything the spec says to ignore (then a new trace starts). */
export function parseTraceParent(value: string | null | undefined): TraceParent | undefined {
  if (!value) return undefined;
  const match = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const [, version, traceId, parentId, flags, rest] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  // Version ff is invalid; version 00 must not carry extra fields; future versions may (and are read as 00).
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined;
  return { traceId, parentId, flags };
}

export function formatTraceParent(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);
