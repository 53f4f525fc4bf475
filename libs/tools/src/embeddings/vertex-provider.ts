import { assertEmbeddings, EMBEDDING_DIMENSIONS, EmbeddingError, type EmbeddingProvider } from './provider.js';

export const VERTEX_MODELS = ['text-embedding-004', 'gemini-embedding-001'] as const;
export type VertexModel = (typeof VERTEX_MODELS)[number];

export interface VertexEmbeddingOptions {
  project: string;
  /** Region, e.g. `us-central1`. */
  location: string;
  model?: VertexModel;
  /**
   * Returns an OAuth2 access token for the Vertex AI API (e.g. from google-auth-library, the metadata server or
   * workload identity federation). Asked before every request, so a refreshing source plugs in; never logged.
   */
  accessToken: () => Promise<string> | string;
  fetch?: typeof fetch;
  /** Default `https://{location}-aiplatform.googleapis.com` (tests point it at a local server). */
  baseUrl?: string;
  /** Texts per request. gemini-embedding-001 takes one; text-embedding-004 up to 250 (default 16). */
  batchSize?: number;
  /** Retries of one request on 429/5xx/network failure, with exponential backoff (default 2). */
  maxRetries?: number;
  /** First backoff delay in ms (doubled per retry; a `Retry-After` header wins). Default 500. */
  retryDelayMs?: number;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
}

interface PredictResponse {
  predictions?: { embeddings?: { values?: unknown } }[];
}

/** Reads the adapter's configuration from environment-like variables; null when Vertex is not configured. */
export function vertexConfigFromEnv(
  env: Record<string, string | undefined>,
): Pick<VertexEmbeddingOptions, 'project' | 'location' | 'model'> | null {
  const project = env['GOOGLE_CLOUD_PROJECT']?.trim();
  if (!project) return null;
  const location = env['GOOGLE_CLOUD_LOCATION']?.trim() || 'us-central1';
  const model = (env['VERTEX_EMBEDDINGS_MODEL']?.trim() || 'gemini-embedding-001') as VertexModel;
  if (!VERTEX_MODELS.includes(model)) {
    throw new EmbeddingError(
      'validation_error',
      `VERTEX_EMBEDDINGS_MODEL must be one of ${VERTEX_MODELS.join(', ')} (got "${model}")`,
      false,
    );
  }
  if (!/^[a-z0-9-]+$/.test(location)) {
    throw new EmbeddingError('validation_error', `GOOGLE_CLOUD_LOCATION is not a region name: "${location}"`, false);
  }
  return { project, location, model };
}

/**
 * Vertex AI text embeddings over REST (`:predict`), 768 dimensions (`outputDimensionality`), isomorphic (fetch
 * only). Queries use task type RETRIEVAL_QUERY, stored texts RETRIEVAL_DOCUMENT.
 */
export function vertexEmbeddingProvider(options: VertexEmbeddingOptions): EmbeddingProvider {
  const model = options.model ?? 'gemini-embedding-001';
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = (options.baseUrl ?? `https://${options.location}-aiplatform.googleapis.com`).replace(/\/$/, '');
  const url =
    `${base}/v1/projects/${encodeURIComponent(options.project)}/locations/${encodeURIComponent(options.location)}` +
    `/publishers/google/models/${model}:predict`;
  const batchSize = model === 'gemini-embedding-001' ? 1 : Math.min(Math.max(options.batchSize ?? 16, 1), 250);
  const maxRetries = options.maxRetries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const id = `vertex:${model}`;

  async function predict(texts: readonly string[], taskType: string, signal?: AbortSignal): Promise<number[][]> {
    const body = JSON.stringify({
      instances: texts.map((content) => ({ content, task_type: taskType })),
      parameters: { outputDimensionality: EMBEDDING_DIMENSIONS, autoTruncate: true },
    });
    for (let attempt = 0; ; attempt++) {
      const token = await options.accessToken();
      let response: Response;
      const timeout = AbortSignal.timeout(timeoutMs);
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (error) {
        if (signal?.aborted) throw error;
        if (attempt < maxRetries) {
          await delay(retryDelayMs * 2 ** attempt, signal);
          continue;
        }
        throw new EmbeddingError('unavailable', `Vertex AI request failed: ${(error as Error).message}`, true, {
          cause: error,
        });
      }
      if (response.ok) {
        const json = (await response.json()) as PredictResponse;
        const vectors = (json.predictions ?? []).map((p) => p.embeddings?.values);
        assertEmbeddings(vectors, texts.length, id);
        return vectors;
      }
      const status = response.status;
      const retryable = status === 429 || status >= 500;
      if (retryable && attempt < maxRetries) {
        const retryAfter = Number(response.headers.get('retry-after'));
        await response.body?.cancel();
        await delay(
          Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : retryDelayMs * 2 ** attempt,
          signal,
        );
        continue;
      }
      throw new EmbeddingError(codeFor(status), `Vertex AI ${status}: ${await errorMessage(response)}`, retryable, {
        status,
      });
    }
  }

  return {
    name: id,
    dimensions: EMBEDDING_DIMENSIONS,
    async embed(texts, embedOptions) {
      const taskType = embedOptions?.task === 'query' ? 'RETRIEVAL_QUERY' : 'RETRIEVAL_DOCUMENT';
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        out.push(...(await predict(texts.slice(i, i + batchSize), taskType, embedOptions?.signal)));
      }
      return out;
    },
  };
}

function codeFor(status: number): EmbeddingError['code'] {
  if (status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'permission_denied';
  if (status === 400 || status === 404) return 'validation_error';
  return status >= 500 ? 'unavailable' : 'internal';
}

// Google's error body is {error: {code, message, status}}; only its message is kept (no request echo).
async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message.slice(0, 500);
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 500) || response.statusText;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
