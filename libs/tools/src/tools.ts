import type { ToolDefinition } from './core/tool-definition.js';
import { entityTool } from './entity/index.js';
import { queryTool } from './query/index.js';
import { relationshipTool } from './relationship/index.js';
import { workflowTool } from './workflow/index.js';
import { workspaceTool } from './workspace/index.js';

/** The tools in the order `tools/list` advertises them (tools.md's table order). */
export function atomsTools(): ToolDefinition[] {
  return [workspaceTool, entityTool, relationshipTool, workflowTool, queryTool];
}
