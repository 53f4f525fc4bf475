/**
 * What the tools need from an embeddings provider. The providers themselves (Vertex AI, local deterministic) live
 * in `src/embeddings`; the factory only passes one through to the handlers that use it.
 */
export interface EmbeddingsProvider {
  /** A stable name, reported in results (e.g. `local-hash-768`, `vertex:text-embedding-004`). */
  readonly name: string;
  readonly dimensions: number;
  /** `task`: what the text is for (Vertex AI embeds queries and documents differently). */
  embed(texts: readonly string[], options?: { signal?: AbortSignal; task?: 'query' | 'document' }): Promise<number[][]>;
}
