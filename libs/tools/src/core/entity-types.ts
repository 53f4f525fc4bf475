import { metadata, type ColumnMeta, type TableName } from '@atoms/schema';

/** Table metadata without the per-table name typing (entity types are chosen at run time). */
export interface TableInfo {
  readonly name: TableName;
  readonly columns: { readonly [column: string]: ColumnMeta };
  readonly columnNames: readonly string[];
  readonly defaultColumns: readonly string[];
  readonly primaryKey: readonly string[];
  readonly softDelete: boolean;
  readonly versioned: boolean;
}
import { validationError } from './tool-error.js';

/**
 * Entity type -> table (the reference's ENTITY_TABLE_MAP, §2.1, restricted to tables that exist). Internal
 * bookkeeping tables (sessions, mappings, versions, contexts, queue, migrations) are not entity types.
 */
export const ENTITY_TABLES = {
  organization: 'organizations',
  project: 'projects',
  document: 'documents',
  requirement: 'requirements',
  test: 'test_req',
  profile: 'profiles',
  user: 'profiles',
  block: 'blocks',
  property: 'properties',
  column: 'columns',
  table_row: 'table_rows',
  requirements_closure: 'requirements_closure',
  organization_member: 'organization_members',
  project_member: 'project_members',
  organization_invitation: 'organization_invitations',
  project_invitation: 'project_invitations',
  requirement_test: 'requirement_tests',
  trace_link: 'trace_links',
  assignment: 'assignments',
  excalidraw_diagram: 'excalidraw_diagrams',
  react_flow_diagram: 'react_flow_diagrams',
  diagram_element_link: 'diagram_element_links',
  excalidraw_element_link: 'excalidraw_element_links',
  mcp_session: 'mcp_sessions',
  oauth_client: 'oauth_clients',
  oauth_authorization_code: 'oauth_authorization_codes',
  oauth_access_token: 'oauth_access_tokens',
  oauth_refresh_token: 'oauth_refresh_tokens',
  billing_cache: 'billing_cache',
  stripe_customer: 'stripe_customers',
  usage_log: 'usage_logs',
  audit_log: 'audit_logs',
  notification: 'notifications',
  external_document: 'external_documents',
  test_matrix_view: 'test_matrix_views',
  user_role: 'user_roles',
  rag_embedding: 'rag_embeddings',
  rag_search_analytics: 'rag_search_analytics',
  embedding_cache: 'embedding_cache',
} as const satisfies Record<string, TableName>;

export type EntityType = keyof typeof ENTITY_TABLES;
export const ENTITY_TYPES = Object.keys(ENTITY_TABLES) as [EntityType, ...EntityType[]];

export function tableOf(entityType: string): TableName {
  const table = (ENTITY_TABLES as Record<string, TableName>)[entityType];
  if (!table) {
    throw validationError(`Unknown entity_type "${entityType}".`, { allowed: ENTITY_TYPES });
  }
  return table;
}

export function tableInfo(table: TableName): TableInfo {
  return metadata[table] as unknown as TableInfo;
}

/** The column holding an entity's human name (names-or-ids resolution, search), if it has one. */
export function nameColumn(table: TableName): string | undefined {
  const columns = tableInfo(table).columnNames;
  if (table === 'profiles') return 'full_name';
  if (columns.includes('name')) return 'name';
  if (columns.includes('title')) return 'title';
  return undefined;
}
