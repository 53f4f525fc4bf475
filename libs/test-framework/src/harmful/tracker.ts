import type { ToolCallEvent } from '../client/atoms-client.js';

/** Cleanup order (dependents first): test -> requirement -> document -> project -> organization. */
export const CLEANUP_ORDER = ['test', 'requirement', 'document', 'project', 'organization'] as const;

export interface TrackedEntity {
  entityType: string;
  id: string;
  /** `explicit` from `track()`, `auto` from a create result the client saw. */
  source: 'explicit' | 'auto';
  /** Creation sequence within the tracker (later entities are removed first within a type). */
  sequence: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function idOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value['id'] === 'string') return value['id'];
  for (const key of ['data', 'entity', 'record']) {
    const nested = value[key];
    if (isRecord(nested) && typeof nested['id'] === 'string') return nested['id'];
  }
  return undefined;
}

function createdList(value: Record<string, unknown>): Array<{ entityType?: string; id: string }> {
  const out: Array<{ entityType?: string; id: string }> = [];
  for (const key of ['created', 'created_entities']) {
    const list = value[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (isRecord(item) && typeof item['id'] === 'string') {
        const type = item['entity_type'] ?? item['type'];
        out.push({ ...(typeof type === 'string' ? { entityType: type } : {}), id: item['id'] });
      }
    }
  }
  return out;
}

/**
 * What a successful tool call created, read from its result: `entity_tool` create and batch_create (per-item
 * results, `created`/`data` arrays), and workflows' `created: [{entity_type, id}]` lists plus the ids the
 * creating workflows return (`setup_project` -> project, `organization_onboarding` -> organization and project).
 * Workflow ids that name existing parents (e.g. `organization_id` of setup_project) are never taken.
 */
export function createdEntities(event: ToolCallEvent): Array<{ entityType: string; id: string }> {
  if (event.error || !isRecord(event.value)) return [];
  const value = event.value;
  const args = event.arguments;
  const found: Array<{ entityType: string; id: string }> = [];
  if (event.tool === 'entity_tool') {
    const entityType = typeof args['entity_type'] === 'string' ? args['entity_type'] : undefined;
    if (!entityType) return [];
    if (event.operation === 'create') {
      const id = idOf(value);
      if (id) found.push({ entityType, id });
    } else if (event.operation === 'batch_create') {
      for (const key of ['results', 'created', 'data', 'items']) {
        const list = value[key];
        if (!Array.isArray(list)) continue;
        for (const item of list) {
          if (isRecord(item) && item['ok'] === false) continue;
          const id = idOf(item);
          if (id) found.push({ entityType, id });
        }
      }
    }
    return found;
  }
  if (event.tool === 'workflow_tool') {
    for (const item of createdList(value)) {
      if (item.entityType) found.push({ entityType: item.entityType, id: item.id });
    }
    const workflowIds: Record<string, Array<[string, string]>> = {
      setup_project: [['project_id', 'project']],
      organization_onboarding: [
        ['organization_id', 'organization'],
        ['project_id', 'project'],
      ],
    };
    for (const [key, entityType] of workflowIds[event.operation ?? ''] ?? []) {
      if (typeof value[key] === 'string') found.push({ entityType, id: value[key] as string });
    }
  }
  return found;
}

/** Tracks the entities a test creates, explicitly and from the client's create results. */
export class HarmfulStateTracker {
  private readonly tracked = new Map<string, TrackedEntity>();
  private sequence = 0;

  /** Tracks an entity (idempotent). Returns the id, so `tracker.track('project', (await create()).id)` reads well. */
  track(entityType: string, id: string, source: TrackedEntity['source'] = 'explicit'): string {
    const key = `${entityType}:${id}`;
    if (!this.tracked.has(key)) this.tracked.set(key, { entityType, id, source, sequence: this.sequence++ });
    return id;
  }

  /** Stops tracking (the test removed the entity itself and wants no cleanup attempt). */
  untrack(entityType: string, id: string): boolean {
    return this.tracked.delete(`${entityType}:${id}`);
  }

  /** Feeds a tool call; creates are tracked automatically. */
  observe(event: ToolCallEvent): void {
    for (const { entityType, id } of createdEntities(event)) this.track(entityType, id, 'auto');
  }

  entities(): TrackedEntity[] {
    return [...this.tracked.values()];
  }

  get size(): number {
    return this.tracked.size;
  }

  clear(): void {
    this.tracked.clear();
  }

  /**
   * The removal order: types in `order` (dependents first), types not in it before all of them (they are leaves
   * such as links), and within a type the most recent first.
   */
  plan(order: readonly string[] = CLEANUP_ORDER): TrackedEntity[] {
    const rank = (type: string) => {
      const index = order.indexOf(type);
      return index === -1 ? -1 : index;
    };
    return this.entities().sort((a, b) => rank(a.entityType) - rank(b.entityType) || b.sequence - a.sequence);
  }
}
