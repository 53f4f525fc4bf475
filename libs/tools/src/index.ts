/**
 * @atoms/tools — the five Atoms MCP tools and the domain services behind them. Isomorphic.
 */
export { createAtomsMcpServer, ATOMS_SERVER_NAME, ATOMS_SERVER_VERSION, type AtomsMcpServerOptions } from './server.js';
export { atomsTools } from './tools.js';
export * from './core/index.js';
export { workspaceTool } from './workspace/index.js';
export { entityTool, inferEntityOperation } from './entity/index.js';
export { relationshipTool, RELATIONSHIP_TYPES, type RelationshipType } from './relationship/index.js';
export { queryTool } from './query/index.js';
export { workflowTool } from './workflow/index.js';
export * from './embeddings/index.js';
