import type { ColumnName } from '../models/metadata.js';
import type { Insert, Row, Update } from '../models/schemas.js';
import type { RelationName, TableName } from '../models/tables.js';

export const FILTER_OPERATORS = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'like',
  'ilike',
  'in',
  'not_in',
  'is_null',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Column names of N; for a union of relations, of any of them. */
type ColumnOf<N extends RelationName> = N extends RelationName ? ColumnName<N> : never;

/** One condition; conditions of a query are AND-ed. `in`/`not_in` take an array, `is_null` a boolean. */
export type Filter<N extends RelationName = RelationName> =
  | { column: ColumnOf<N>; op: Exclude<FilterOperator, 'in' | 'not_in' | 'is_null'>; value: unknown }
  | { column: ColumnOf<N>; op: 'in' | 'not_in'; value: readonly unknown[] }
  | { column: ColumnOf<N>; op: 'is_null'; value: boolean };

export interface OrderBy<N extends RelationName = RelationName> {
  column: ColumnOf<N>;
  ascending?: boolean;
  /** Default as Postgres: NULLs last ascending, first descending. */
  nullsFirst?: boolean;
}

export interface SelectOptions<N extends RelationName, C extends ColumnName<N>> {
  /** Columns to return (default: every column, large ones included; see `metadata[t].defaultColumns`). */
  columns?: readonly C[];
  filters?: readonly Filter<N>[];
  order?: readonly OrderBy<N>[];
  limit?: number;
  offset?: number;
  /** `exact`: also count every row matching the filters, ignoring limit/offset. */
  count?: 'exact';
}

export interface SelectResult<T> {
  rows: T[];
  /** Present when `count: 'exact'` was asked for. */
  count?: number;
}

export interface MutationOptions<N extends RelationName, C extends ColumnName<N>> {
  /** Columns of the affected rows to return (default: all). */
  returning?: readonly C[];
}

export interface InsertOptions<N extends TableName, C extends ColumnName<N>> extends MutationOptions<N, C> {
  /** Upsert: on a unique violation of these columns, update the row with the inserted values (or skip it). */
  onConflict?: { columns: readonly ColumnName<N>[]; ignoreDuplicates?: boolean };
}

export interface FilteredMutationOptions<N extends TableName, C extends ColumnName<N>> extends MutationOptions<N, C> {
  /** At least one filter: an update or delete without a condition is refused. */
  filters: readonly Filter<N>[];
}

/**
 * The operations a unit of work can perform. On the SQL adapters every call of one session runs in the same
 * transaction; on supabase-js each call is its own request (use `rpc` for atomic multi-step work).
 */
export interface Session {
  select<N extends RelationName, C extends ColumnName<N> = ColumnName<N>>(
    relation: N,
    options?: SelectOptions<N, C>,
  ): Promise<SelectResult<Pick<Row<N>, C>>>;
  insert<N extends TableName, C extends ColumnName<N> = ColumnName<N>>(
    table: N,
    rows: Insert<N> | readonly Insert<N>[],
    options?: InsertOptions<N, C>,
  ): Promise<Pick<Row<N>, C>[]>;
  update<N extends TableName, C extends ColumnName<N> = ColumnName<N>>(
    table: N,
    patch: Update<N>,
    options: FilteredMutationOptions<N, C>,
  ): Promise<Pick<Row<N>, C>[]>;
  delete<N extends TableName, C extends ColumnName<N> = ColumnName<N>>(
    table: N,
    options: FilteredMutationOptions<N, C>,
  ): Promise<Pick<Row<N>, C>[]>;
  /**
   * Calls a SQL function of the `public` schema with named arguments. Like PostgREST: a set-returning or
   * table-returning function yields an array of rows, a scalar function its value.
   */
  rpc<T = unknown>(fn: string, args?: Record<string, unknown>): Promise<T>;
}

/** JWT claims as PostgREST would see them; `sub` is the profile UUID that `auth.uid()` returns. */
export interface Claims {
  sub: string;
  role?: string;
  email?: string;
  [claim: string]: unknown;
}

export interface UserContext {
  claims: Claims;
  /** The user's signed access token: required by the supabase-js adapter, ignored by the SQL adapters. */
  accessToken?: string;
}

export interface Database {
  /** The adapter's name: `pglite`, `pg` or `supabase`. */
  readonly kind: string;
  /** Whether a unit of work is one database transaction (false on supabase-js). */
  readonly transactional: boolean;
  /** Runs `work` as the user: role `authenticated`, `request.jwt.claims` set, so row-level security applies. */
  asUser<T>(user: UserContext, work: (session: Session) => Promise<T>): Promise<T>;
  /** Runs `work` as `service_role` (bypasses row-level security): provisioning, workers, maintenance. */
  asService<T>(work: (session: Session) => Promise<T>, options?: { claims?: Claims }): Promise<T>;
  /** Runs `work` as `anon` (no user). */
  asAnonymous<T>(work: (session: Session) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
