export { workspaceTool } from './workspace-tool.js';
