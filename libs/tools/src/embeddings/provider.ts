/** Dimensions of every stored embedding (`vector(768)` / `double precision[768]` columns). */
export const EMBEDDING_DIMENSIONS = 768;

/**
 * What a text is embedded for. Retrieval models embed queries and documents differently; providers that do not
 * distinguish ignore it.
 */
export type EmbeddingTask = 'query' | 'document';

export interface EmbedOptions {
  task?: EmbeddingTask;
  signal?: AbortSignal;
}

/** Turns texts into 768-dimensional vectors, one per text, in order. */
export interface EmbeddingProvider {
  /** Stable model id reported with results (e.g. `local-hash-v1`, `vertex:gemini-embedding-001`). */
  readonly name: string;
  readonly dimensions: typeof EMBEDDING_DIMENSIONS;
  embed(texts: readonly string[], options?: EmbedOptions): Promise<number[][]>;
}

export type EmbeddingErrorCode = 'validation_error' | 'rate_limited' | 'unavailable' | 'permission_denied' | 'internal';

/** A provider failure, classified so the tools can map it to their error model and the worker can retry. */
export class EmbeddingError extends Error {
  override readonly name = 'EmbeddingError';
  constructor(
    readonly code: EmbeddingErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
  readonly status: number | undefined;
}

/** Checks a provider's output: one finite 768-number vector per input. */
export function assertEmbeddings(vectors: unknown, expected: number, model: string): asserts vectors is number[][] {
  if (!Array.isArray(vectors) || vectors.length !== expected) {
    throw new EmbeddingError(
      'internal',
      `${model} returned ${Array.isArray(vectors) ? vectors.length : 'no'} embeddings for ${expected} texts`,
      false,
    );
  }
  for (const [i, v] of vectors.entries()) {
    if (!Array.isArray(v) || v.length !== EMBEDDING_DIMENSIONS || !v.every((x) => Number.isFinite(x))) {
      throw new EmbeddingError(
        'internal',
        `${model} returned an invalid embedding at index ${i} (expected ${EMBEDDING_DIMENSIONS} finite numbers)`,
        false,
      );
    }
  }
}

/** Cosine similarity of two equal-length vectors (0 when either is all zeros). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
