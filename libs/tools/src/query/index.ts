export { queryTool } from './query-tool.js';
export { HYBRID_KEYWORD_WEIGHT, HYBRID_SEMANTIC_WEIGHT, resolveRagMode, type RagMode } from './rag-search.js';
