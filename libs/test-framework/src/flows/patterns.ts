/** The five cascade-flow patterns of the reference framework, as ordered stages (each depends on the previous). */
export const FLOW_PATTERNS = {
  CRUD: ['list', 'create', 'read', 'update', 'delete', 'verify'],
  HIERARCHICAL: ['setup_parent', 'create_children', 'interact', 'cleanup'],
  WORKFLOW: ['setup', 'execute', 'verify', 'cleanup'],
  SIMPLE: ['test_a', 'test_b', 'test_c'],
  MINIMAL_CRUD: ['create', 'read', 'delete'],
} as const;

export type FlowPatternName = keyof typeof FLOW_PATTERNS;
export type StageOf<P extends FlowPatternName> = (typeof FLOW_PATTERNS)[P][number];
