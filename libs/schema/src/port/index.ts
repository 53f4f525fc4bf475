export {
  FILTER_OPERATORS,
  type Claims,
  type Database,
  type Filter,
  type FilteredMutationOptions,
  type FilterOperator,
  type InsertOptions,
  type MutationOptions,
  type OrderBy,
  type SelectOptions,
  type SelectResult,
  type Session,
  type UserContext,
} from './types.js';
export { SqlSession, type FunctionCatalog, type FunctionInfo, type SqlExecutor } from './sql-session.js';
export { DEFAULT_STATEMENT_TIMEOUT_MS, roleSetup, userClaims, type DatabaseRole } from './roles.js';
export { isoTimestamp, isoTimestamptz, TEXT_PARSERS, ARRAY_ELEMENT_OIDS } from './text-values.js';
export {
  filtersInputSchema,
  orderInputSchema,
  parseFilters,
  parseOrder,
  type FiltersInput,
  type OrderInput,
} from './filter-input.js';
