import { defineTool } from '../core/tool-definition.js';
import { aggregateOperation } from './aggregate.js';
import { analyzeOperation } from './analyze.js';
import { coverageOperation } from './coverage.js';
import { ragSearchOperation } from './rag-search.js';
import { relationshipsOperation } from './relationships.js';
import { searchOperation } from './search.js';
import { similarityOperation } from './similarity.js';
import { traceOperation } from './trace.js';

/** `query_tool`: read-only search and analysis; the operation parameter is `query_type` (as the reference). */
export const queryTool = defineTool({
  name: 'query_tool',
  title: 'Query and search',
  description:
    'Search and analyse requirements data you can see: full-text search, counts, structure analysis, link summaries, RAG retrieval (keyword / semantic / hybrid), nearest neighbours, trace walks and test coverage.',
  operationParameter: 'query_type',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  operations: [
    searchOperation,
    aggregateOperation,
    analyzeOperation,
    relationshipsOperation,
    ragSearchOperation,
    similarityOperation,
    traceOperation,
    coverageOperation,
  ],
});
