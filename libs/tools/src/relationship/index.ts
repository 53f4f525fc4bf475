export { relationshipTool } from './relationship-tool.js';
export { RELATIONSHIP_TYPES, type RelationshipType } from './relationship-kinds.js';
