/**
 * The Atoms tool surface as the test client knows it (tools.md). Typed loosely on purpose: the helpers must work
 * against any server that follows the contract, including before (and independently of) `@atoms/tools`.
 */
export type JsonObject = Record<string, unknown>;

export const TOOL_OPERATIONS = {
  workspace_tool: ['get_context', 'set_context', 'list_workspaces', 'get_defaults', 'clear_context', 'get_breadcrumbs'],
  entity_tool: [
    'create',
    'read',
    'update',
    'delete',
    'search',
    'list',
    'batch_create',
    'archive',
    'restore',
    'bulk_update',
    'bulk_delete',
    'history',
    'restore_version',
  ],
  relationship_tool: ['link', 'unlink', 'list', 'check', 'update'],
  workflow_tool: [
    'setup_project',
    'import_requirements',
    'setup_test_matrix',
    'bulk_status_update',
    'organization_onboarding',
  ],
  query_tool: ['search', 'aggregate', 'analyze', 'relationships', 'rag_search', 'similarity', 'trace', 'coverage'],
} as const;

export type AtomsToolName = keyof typeof TOOL_OPERATIONS;
export type WorkspaceOperation = (typeof TOOL_OPERATIONS)['workspace_tool'][number];
export type EntityOperation = (typeof TOOL_OPERATIONS)['entity_tool'][number];
export type RelationshipOperation = (typeof TOOL_OPERATIONS)['relationship_tool'][number];
export type WorkflowName = (typeof TOOL_OPERATIONS)['workflow_tool'][number];
export type QueryType = (typeof TOOL_OPERATIONS)['query_tool'][number];

export type RelationshipType = 'member' | 'assignment' | 'trace_link' | 'requirement_test' | 'invitation';

/** `{type, id}` ends of a relationship; `id` is a UUID or a name. */
export interface EntityRef {
  type: string;
  id: string;
}

/** The parameter that names the operation, per tool. */
export const OPERATION_PARAMETER: Record<AtomsToolName, 'operation' | 'workflow' | 'query_type'> = {
  workspace_tool: 'operation',
  entity_tool: 'operation',
  relationship_tool: 'operation',
  workflow_tool: 'workflow',
  query_tool: 'query_type',
};

/**
 * The operation a call performs, with the contract's inference for `entity_tool` when `operation` is omitted:
 * data without id -> create; id + data -> update; id only -> read; search_term -> search; otherwise list.
 */
export function operationOf(tool: string, args: JsonObject): string | undefined {
  const parameter = OPERATION_PARAMETER[tool as AtomsToolName] ?? 'operation';
  const explicit = args[parameter];
  if (typeof explicit === 'string') return explicit;
  if (tool !== 'entity_tool') return undefined;
  const hasId = args['entity_id'] !== undefined && args['entity_id'] !== null;
  const hasData = args['data'] !== undefined && args['data'] !== null;
  if (hasData && !hasId) return 'create';
  if (hasData && hasId) return 'update';
  if (hasId) return 'read';
  if (typeof args['search_term'] === 'string') return 'search';
  return 'list';
}
