import type { Filter, Session, TableName } from '@atoms/schema';
import { nameColumn, tableInfo } from './entity-types.js';
import { notFound, validationError } from './tool-error.js';
import { trigramSimilarity } from './trigram.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** pg_trgm's default `similarity_threshold`. */
export const SIMILARITY_THRESHOLD = 0.3;
/** A fuzzy match is taken without asking only from this similarity on (a shared word alone stays below it). */
export const AUTO_SELECT_SIMILARITY = 0.5;
/** How far ahead the best fuzzy match must be to be taken without asking. */
const CLEAR_LEAD = 0.15;
/** Rows scanned for a fuzzy match; more candidates than this are reported, never silently ignored. */
const FUZZY_SCAN_LIMIT = 2000;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export interface Candidate {
  id: string;
  name: string;
  similarity: number;
}

export interface Resolution {
  id: string;
  /** How the reference was resolved: an id as given, an exact (case-insensitive) name, or a fuzzy name match. */
  matched_by: 'id' | 'exact_name' | 'fuzzy_name';
  name?: string;
  similarity?: number;
}

export interface ResolveOptions {
  /** Extra conditions (e.g. the parent project) narrowing where the name is looked for. */
  scope?: Filter[];
  includeDeleted?: boolean;
  /** The entity type as the caller named it, for messages. */
  label?: string;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A UUID or a name -> an id, as the caller (RLS decides what is visible): exact case-insensitive name first, then
 * trigram similarity. Several exact matches, or fuzzy matches without a clear winner, are an error carrying the
 * candidates; no match is `not_found` with the nearest names as suggestions.
 */
export async function resolveEntityRef(
  session: Session,
  table: TableName,
  ref: string,
  options: ResolveOptions = {},
): Promise<Resolution> {
  const reference = ref.trim();
  if (isUuid(reference)) return { id: reference.toLowerCase(), matched_by: 'id' };
  const label = options.label ?? table;
  const column = nameColumn(table);
  if (!column || !reference) {
    throw validationError(`${label} must be referenced by id (a UUID).`, { given: ref });
  }
  const info = tableInfo(table);
  const base: Filter[] = [...(options.scope ?? [])];
  if (info.softDelete && !options.includeDeleted) base.push({ column: 'is_deleted', op: 'eq', value: false } as Filter);

  const exact = await session.select(table, {
    columns: ['id', column] as never,
    filters: [...base, { column, op: 'ilike', value: escapeLike(reference) } as Filter] as never,
    limit: 11,
  });
  const exactRows = exact.rows as unknown as Record<string, string>[];
  if (exactRows.length === 1)
    return { id: exactRows[0]!['id']!, matched_by: 'exact_name', name: exactRows[0]![column]! };
  if (exactRows.length > 1) {
    throw validationError(
      `The name "${reference}" matches several ${label} entries.`,
      { candidates: exactRows.map((r) => ({ id: r['id'], name: r[column], similarity: 1 })) },
      'Pass the id of the one you mean.',
    );
  }

  const { rows: candidates, scanned } = await fuzzyCandidates(
    session,
    table,
    column,
    reference,
    base,
    info.columnNames,
  );
  const ranked: Candidate[] = candidates
    .map((r) => ({ id: r['id']!, name: r[column]!, similarity: round(trigramSimilarity(reference, r[column]!)) }))
    .sort((a, b) => b.similarity - a.similarity);
  const matches = ranked.filter((c) => c.similarity >= SIMILARITY_THRESHOLD);
  if (matches.length === 0 || matches[0]!.similarity < AUTO_SELECT_SIMILARITY) {
    const suggestions = ranked.filter((c) => c.similarity > 0).slice(0, 5);
    throw notFound(
      `No ${label} named "${reference}".`,
      { suggestions, ...scanned },
      suggestions.length > 0 ? `Did you mean "${suggestions[0]!.name}"?` : 'Check the name, or pass the id.',
    );
  }
  const [best, second] = matches;
  if (second && second.similarity >= AUTO_SELECT_SIMILARITY && best!.similarity - second.similarity < CLEAR_LEAD) {
    throw validationError(
      `"${reference}" is ambiguous: several ${label} names are similar.`,
      { candidates: matches.slice(0, 5), ...scanned },
      'Pass the id (or the exact name) of the one you mean.',
    );
  }
  return { id: best!.id, matched_by: 'fuzzy_name', name: best!.name, similarity: best!.similarity };
}

const WORD_LIMIT = 200;

/**
 * Rows worth scoring: those containing a word of the reference (then a 4-letter prefix of one, for typos at the
 * end of words), so a large table is narrowed by its trigram index; only when no word matches anything, the most
 * recently updated rows. `scanned` says how many rows were scored and how the set was built.
 */
async function fuzzyCandidates(
  session: Session,
  table: TableName,
  column: string,
  reference: string,
  base: Filter[],
  columnNames: readonly string[],
): Promise<{ rows: Record<string, string>[]; scanned: Record<string, unknown> }> {
  const words = [
    ...new Set(
      reference
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length >= 3),
    ),
  ]
    .sort((a, b) => b.length - a.length)
    .slice(0, 4);
  for (const [strategy, patterns] of [
    ['words', words],
    ['prefixes', [...new Set(words.filter((w) => w.length > 4).map((w) => w.slice(0, 4)))]],
  ] as const) {
    const found = new Map<string, Record<string, string>>();
    let capped = false;
    for (const pattern of patterns) {
      const { rows } = await session.select(table, {
        columns: ['id', column] as never,
        filters: [...base, { column, op: 'ilike', value: `%${escapeLike(pattern)}%` } as Filter] as never,
        limit: WORD_LIMIT,
      });
      if (rows.length === WORD_LIMIT) capped = true;
      for (const row of rows as unknown as Record<string, string>[]) found.set(row['id']!, row);
    }
    if (found.size > 0) {
      return { rows: [...found.values()], scanned: { considered: found.size, by: strategy, capped } };
    }
  }
  const scan = await session.select(table, {
    columns: ['id', column] as never,
    filters: [...base, { column, op: 'is_null', value: false } as Filter] as never,
    order: columnNames.includes('updated_at') ? ([{ column: 'updated_at', ascending: false }] as never) : undefined,
    limit: FUZZY_SCAN_LIMIT,
    count: 'exact',
  });
  return {
    rows: scan.rows as unknown as Record<string, string>[],
    scanned: { considered: scan.rows.length, by: 'recent', visible: scan.count ?? scan.rows.length },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
