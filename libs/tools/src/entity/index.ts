export { entityTool, inferEntityOperation } from './entity-tool.js';
