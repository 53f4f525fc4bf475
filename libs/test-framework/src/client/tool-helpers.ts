import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { EntityRef, JsonObject, QueryType, RelationshipType, WorkflowName } from './contract.js';

/** What the helpers need from the client (kept minimal so helpers can wrap any caller). */
export interface ToolCaller {
  callTool<T = JsonObject>(name: string, args?: JsonObject, options?: RequestOptions): Promise<T>;
}

/** A row as the tools return it: at least an id, anything else loosely typed. */
export interface EntityRecord extends JsonObject {
  id: string;
}

type Extra = JsonObject;

function withoutUndefined(args: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
}

abstract class ToolHelpers {
  protected abstract readonly tool: string;
  protected abstract readonly operationParameter: string;

  constructor(protected readonly caller: ToolCaller) {}

  /** Any operation of this tool, by name, with raw parameters. */
  call<T = JsonObject>(operation: string, parameters: JsonObject = {}, options?: RequestOptions): Promise<T> {
    return this.caller.callTool<T>(
      this.tool,
      withoutUndefined({ ...parameters, [this.operationParameter]: operation }),
      options,
    );
  }
}

/** `workspace_tool`: context, workspaces, smart defaults. */
export class WorkspaceToolHelpers extends ToolHelpers {
  protected readonly tool = 'workspace_tool';
  protected readonly operationParameter = 'operation';

  getContext<T = JsonObject>(extra: Extra = {}): Promise<T> {
    return this.call<T>('get_context', extra);
  }
  setContext<T = JsonObject>(
    contextType: 'organization' | 'project' | 'document',
    entityId: string,
    extra: Extra = {},
  ): Promise<T> {
    return this.call<T>('set_context', { context_type: contextType, entity_id: entityId, ...extra });
  }
  listWorkspaces<T = JsonObject>(extra: Extra = {}): Promise<T> {
    return this.call<T>('list_workspaces', extra);
  }
  getDefaults<T = JsonObject>(extra: Extra = {}): Promise<T> {
    return this.call<T>('get_defaults', extra);
  }
  clearContext<T = JsonObject>(extra: Extra = {}): Promise<T> {
    return this.call<T>('clear_context', extra);
  }
  getBreadcrumbs<T = JsonObject>(extra: Extra = {}): Promise<T> {
    return this.call<T>('get_breadcrumbs', extra);
  }
}

/** `entity_tool`: CRUD, search, list, batch and bulk operations, archive/restore, versions. */
export class EntityToolHelpers extends ToolHelpers {
  protected readonly tool = 'entity_tool';
  protected readonly operationParameter = 'operation';

  create<T = EntityRecord>(entityType: string, data: JsonObject, extra: Extra = {}): Promise<T> {
    return this.call<T>('create', { entity_type: entityType, data, ...extra });
  }
  read<T = EntityRecord>(entityType: string, entityId: string, extra: Extra = {}): Promise<T> {
    return this.call<T>('read', { entity_type: entityType, entity_id: entityId, ...extra });
  }
  update<T = EntityRecord>(entityType: string, entityId: string, data: JsonObject, extra: Extra = {}): Promise<T> {
    return this.call<T>('update', { entity_type: entityType, entity_id: entityId, data, ...extra });
  }
  /** Soft delete by default (the contract's default); pass `{ soft_delete: false }` for a hard delete. */
  delete<T = JsonObject>(entityType: string, entityId: string, extra: Extra = {}): Promise<T> {
    return this.call<T>('delete', { entity_type: entityType, entity_id: entityId, ...extra });
  }
  search<T = JsonObject>(entityType: string, searchTerm: string, extra: Extra = {}): Promise<T> {
    return this.call<T>('search', { entity_type: entityType, search_term: searchTerm, ...extra });
  }
  list<T = JsonObject>(entityType: string, extra: Extra = {}): Promise<T> {
    return this.call<T>('list', { entity_type: entityType, ...extra });
  }
  batchCreate<T = JsonObject>(entityType: string, batch: JsonObject[], extra: Extra = {}): Promise<T> {
    return this.call<T>('batch_create', { entity_type: entityType, batch, ...extra });
  }
  archive<T = JsonObject>(entityType: string, entityId: string, extra: Extra = {}): Promise<T> {
    return this.call<T>('archive', { entity_type: entityType, entity_id: entityId, ...extra });
  }
  restore<T = JsonObject>(entityType: string, entityId: string, extra: Extra = {}): Promise<T> {
    return this.call<T>('restore', { entity_type: entityType, entity_id: entityId, ...extra });
  }
  bulkUpdate<T = JsonObject>(entityType: string, entityIds: string[], data: JsonObject, extra: Extra = {}): Promise<T> {
    return this.call<T>('bulk_update', { entity_type: entityType, entity_ids: entityIds, data, ...extra });
  }
  bulkDelete<T = JsonObject>(entityType: string, entityIds: string[], extra: Extra = {}): Promise<T> {
    return this.call<T>('bulk_delete', { entity_type: entityType, entity_ids: entityIds, ...extra });
  }
  history<T = JsonObject>(entityType: string, entityId: string, extra: Extra = {}): Promise<T> {
    return this.call<T>('history', { entity_type: entityType, entity_id: entityId, ...extra });
  }
  restoreVersion<T = EntityRecord>(
    entityType: string,
    entityId: string,
    version: number,
    extra: Extra = {},
  ): Promise<T> {
    return this.call<T>('restore_version', { entity_type: entityType, entity_id: entityId, version, ...extra });
  }
}

/** `relationship_tool`: link, unlink, list, check, update for the five relationship types. */
export class RelationshipToolHelpers extends ToolHelpers {
  protected readonly tool = 'relationship_tool';
  protected readonly operationParameter = 'operation';

  link<T = JsonObject>(
    type: RelationshipType,
    source: EntityRef,
    target: EntityRef,
    metadata?: JsonObject,
    extra: Extra = {},
  ): Promise<T> {
    return this.call<T>('link', { relationship_type: type, source, target, metadata, ...extra });
  }
  unlink<T = JsonObject>(type: RelationshipType, source: EntityRef, target: EntityRef, extra: Extra = {}): Promise<T> {
    return this.call<T>('unlink', { relationship_type: type, source, target, ...extra });
  }
  list<T = JsonObject>(type: RelationshipType, source: EntityRef, extra: Extra = {}): Promise<T> {
    return this.call<T>('list', { relationship_type: type, source, ...extra });
  }
  check<T = JsonObject>(type: RelationshipType, source: EntityRef, target: EntityRef, extra: Extra = {}): Promise<T> {
    return this.call<T>('check', { relationship_type: type, source, target, ...extra });
  }
  update<T = JsonObject>(
    type: RelationshipType,
    source: EntityRef,
    target: EntityRef,
    metadata: JsonObject,
    extra: Extra = {},
  ): Promise<T> {
    return this.call<T>('update', { relationship_type: type, source, target, metadata, ...extra });
  }
}

/** `workflow_tool`: the five atomic workflows. */
export class WorkflowToolHelpers extends ToolHelpers {
  protected readonly tool = 'workflow_tool';
  protected readonly operationParameter = 'workflow';

  run<T = JsonObject>(workflow: WorkflowName, parameters: JsonObject, extra: Extra = {}): Promise<T> {
    return this.call<T>(workflow, { parameters, ...extra });
  }
  setupProject<T = JsonObject>(parameters: JsonObject, extra: Extra = {}): Promise<T> {
    return this.run<T>('setup_project', parameters, extra);
  }
  importRequirements<T = JsonObject>(parameters: JsonObject, extra: Extra = {}): Promise<T> {
    return this.run<T>('import_requirements', parameters, extra);
  }
  setupTestMatrix<T = JsonObject>(parameters: JsonObject, extra: Extra = {}): Promise<T> {
    return this.run<T>('setup_test_matrix', parameters, extra);
  }
  bulkStatusUpdate<T = JsonObject>(parameters: JsonObject, extra: Extra = {}): Promise<T> {
    return this.run<T>('bulk_status_update', parameters, extra);
  }
  organizationOnboarding<T = JsonObject>(parameters: JsonObject, extra: Extra = {}): Promise<T> {
    return this.run<T>('organization_onboarding', parameters, extra);
  }
}

/** `query_tool`: search, aggregate, analyze, relationships, rag_search, similarity, trace, coverage. */
export class QueryToolHelpers extends ToolHelpers {
  protected readonly tool = 'query_tool';
  protected readonly operationParameter = 'query_type';

  run<T = JsonObject>(queryType: QueryType, parameters: JsonObject = {}): Promise<T> {
    return this.call<T>(queryType, parameters);
  }
  search<T = JsonObject>(entities: string[], searchTerm: string, extra: Extra = {}): Promise<T> {
    return this.run<T>('search', { entities, search_term: searchTerm, ...extra });
  }
  aggregate<T = JsonObject>(entities: string[], extra: Extra = {}): Promise<T> {
    return this.run<T>('aggregate', { entities, ...extra });
  }
  analyze<T = JsonObject>(entities: string[], extra: Extra = {}): Promise<T> {
    return this.run<T>('analyze', { entities, ...extra });
  }
  relationships<T = JsonObject>(entities: string[], extra: Extra = {}): Promise<T> {
    return this.run<T>('relationships', { entities, ...extra });
  }
  ragSearch<T = JsonObject>(entities: string[], searchTerm: string, extra: Extra = {}): Promise<T> {
    return this.run<T>('rag_search', { entities, search_term: searchTerm, ...extra });
  }
  similarity<T = JsonObject>(entities: string[], content: string, extra: Extra = {}): Promise<T> {
    return this.run<T>('similarity', { entities, content, ...extra });
  }
  trace<T = JsonObject>(entities: string[], extra: Extra = {}): Promise<T> {
    return this.run<T>('trace', { entities, ...extra });
  }
  coverage<T = JsonObject>(entities: string[], extra: Extra = {}): Promise<T> {
    return this.run<T>('coverage', { entities, ...extra });
  }
}
