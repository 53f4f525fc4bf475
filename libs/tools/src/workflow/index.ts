export { workflowTool } from './workflow-tool.js';
