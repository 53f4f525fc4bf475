import type { Filter, Session, TableName } from '@atoms/schema';
import { nameColumn } from './entity-types.js';
import { notFound, validationError } from './tool-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The database's `resolve_entity_name` returns fuzzy matches from this pg_trgm similarity on. */
export const SIMILARITY_THRESHOLD = 0.3;
/** A fuzzy match is taken without asking only from this similarity on (a shared word alone stays below it). */
export const AUTO_SELECT_SIMILARITY = 0.5;
/** How far ahead the best fuzzy match must be to be taken without asking. */
const CLEAR_LEAD = 0.15;
/** Matches asked of the database: enough to list candidates and to judge the best match's lead. */
const MATCH_LIMIT = 10;
/** Candidates and suggestions shown to the caller. */
const SHOWN = 5;

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
  /** The parent narrowing where the name is looked for: one `eq` filter on a parent id column (e.g. project_id). */
  scope?: Filter[];
  includeDeleted?: boolean;
  /** The entity type as the caller named it, for messages. */
  label?: string;
}

/**
 * A UUID or a name -> an id, as the caller (RLS decides what is visible). The database ranks the names
 * (`resolve_entity_name`: exact case-insensitive matches first, then pg_trgm similarity over every visible row);
 * several exact matches, or fuzzy matches without a clear winner, are an error carrying the candidates; no match
 * is `not_found` with the nearest names as suggestions.
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
  if (!nameColumn(table) || !reference) {
    throw validationError(`${label} must be referenced by id (a UUID).`, { given: ref });
  }
  const scope = scopeOf(options.scope ?? []);
  const rows = await session.rpc<Candidate[]>('resolve_entity_name', {
    p_table: table,
    p_name: reference,
    p_limit: MATCH_LIMIT,
    p_scope_column: scope?.column ?? null,
    p_scope_id: scope?.id ?? null,
    p_include_deleted: !!options.includeDeleted,
  });

  // The database lists exact matches first, with similarity 1. A name that differs only in punctuation also
  // scores 1, but is not what the caller typed: it stays a fuzzy match.
  const folded = reference.toLowerCase();
  const exact = rows.filter((r) => r.similarity === 1 && r.name.toLowerCase() === folded);
  if (exact.length === 1) return { id: exact[0]!.id, matched_by: 'exact_name', name: exact[0]!.name };
  if (exact.length > 1) {
    throw validationError(
      `The name "${reference}" matches several ${label} entries.`,
      { candidates: exact.map((r) => ({ id: r.id, name: r.name, similarity: 1 })) },
      'Pass the id of the one you mean.',
    );
  }

  const matches: Candidate[] = rows.map((r) => ({ id: r.id, name: r.name, similarity: round(r.similarity) }));
  if (matches.length === 0 || matches[0]!.similarity < AUTO_SELECT_SIMILARITY) {
    const suggestions = matches.slice(0, SHOWN);
    throw notFound(
      `No ${label} named "${reference}".`,
      { suggestions },
      suggestions.length > 0 ? `Did you mean "${suggestions[0]!.name}"?` : 'Check the name, or pass the id.',
    );
  }
  const [best, second] = matches;
  if (second && second.similarity >= AUTO_SELECT_SIMILARITY && best!.similarity - second.similarity < CLEAR_LEAD) {
    throw validationError(
      `"${reference}" is ambiguous: several ${label} names are similar.`,
      { candidates: matches.slice(0, SHOWN) },
      'Pass the id (or the exact name) of the one you mean.',
    );
  }
  return { id: best!.id, matched_by: 'fuzzy_name', name: best!.name, similarity: best!.similarity };
}

/** The database narrows a lookup by one parent id column; the scopes the tools build are exactly that. */
function scopeOf(scope: Filter[]): { column: string; id: string } | undefined {
  if (scope.length === 0) return undefined;
  const [only] = scope;
  if (scope.length > 1 || only!.op !== 'eq' || typeof only!.value !== 'string') {
    throw validationError('A name can be looked up within one parent only.', {
      scope: scope.map((f) => f.column),
    });
  }
  return { column: only!.column, id: only!.value };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
