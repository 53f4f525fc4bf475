export {
  assertEmbeddings,
  cosineSimilarity,
  EMBEDDING_DIMENSIONS,
  EmbeddingError,
  type EmbeddingErrorCode,
  type EmbeddingProvider,
  type EmbeddingTask,
  type EmbedOptions,
} from './provider.js';
export { hashEmbedding, LOCAL_EMBEDDING_MODEL, localEmbeddingProvider, tokenize } from './local-provider.js';
export {
  VERTEX_MODELS,
  vertexConfigFromEnv,
  vertexEmbeddingProvider,
  type VertexEmbeddingOptions,
  type VertexModel,
} from './vertex-provider.js';
export { EMBEDDED_TABLES, embeddingText, type EmbeddedTable } from './embedding-text.js';
export { processEmbeddingQueue, type EmbeddingQueueOptions, type EmbeddingQueueRun } from './queue-worker.js';
export { startEmbeddingWorker, type EmbeddingWorker, type EmbeddingWorkerOptions } from './worker-loop.js';
export { createEmbeddingCronHandler, type EmbeddingCronOptions } from './cron-handler.js';
export { backfillEmbeddings, type BackfillOptions, type BackfillResult } from './backfill.js';
