/**
 * Postgres text output -> the JSON-friendly values PostgREST would return, so rows look the same whichever
 * adapter read them. Used by the SQL adapters' type parsers.
 */

const TIMESTAMPTZ = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(?::(\d\d))?$/;

/** `2026-11-22 16:12:56.123456+00` -> `2026-11-22T16:12:56.123456+00:00` (microseconds kept). */
export function isoTimestamptz(text: string): string {
  const m = TIMESTAMPTZ.exec(text);
  // infinity, BC dates and second-precision historical offsets have no ISO form: passed through as Postgres wrote them.
  if (!m) return text;
  return `${m[1]}T${m[2]}${m[3]}:${m[4] ?? '00'}`;
}

/** `2026-11-22 16:12:56` -> `2026-11-22T16:12:56`. */
export function isoTimestamp(text: string): string {
  return /^\d{4,}-\d\d-\d\d \d/.test(text) ? text.replace(' ', 'T') : text;
}

/** int8 as a number when exact; beyond 2^53 the text is kept rather than silently rounded. */
export function int8Value(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** numeric as a number when the number prints back identically; otherwise the exact text. */
export function numericValue(text: string): number | string {
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  const canonical = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return String(n) === canonical ? n : text;
}

/** Type OIDs whose default client parsing differs from PostgREST's JSON, with the parser to use. */
export const TEXT_PARSERS: Record<number, (text: string) => unknown> = {
  20: int8Value, // int8
  1700: numericValue, // numeric
  1082: (text) => text, // date: keep YYYY-MM-DD (no local-midnight Date)
  1114: isoTimestamp, // timestamp
  1184: isoTimestamptz, // timestamptz
  1186: (text) => text, // interval
  1083: (text) => text, // time
  1266: (text) => text, // timetz
};

/** Array OID -> element OID, for the types above. */
export const ARRAY_ELEMENT_OIDS: Record<number, number> = {
  1016: 20,
  1231: 1700,
  1182: 1082,
  1115: 1114,
  1185: 1184,
  1187: 1186,
  1183: 1083,
  1270: 1266,
};
