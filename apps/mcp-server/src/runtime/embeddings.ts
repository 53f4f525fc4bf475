import { localEmbeddingProvider, vertexEmbeddingProvider, type EmbeddingProvider } from '@atoms/tools';
import type { AppConfig } from '../config/index.js';

const METADATA_TOKEN_URL = 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token';

/**
 * Local deterministic embeddings by default; Vertex AI when GOOGLE_CLOUD_PROJECT is set, authenticated by
 * GOOGLE_CLOUD_ACCESS_TOKEN or, on Google Cloud, the metadata server's service-account token (cached until a
 * minute before it expires).
 */
export function buildEmbeddings(config: AppConfig): EmbeddingProvider {
  const e = config.embeddings;
  if (e.kind === 'local') return localEmbeddingProvider();
  const fixed = e.accessToken;
  let cached: { token: string; until: number } | undefined;
  const accessToken = async (): Promise<string> => {
    if (fixed) return fixed;
    if (cached && cached.until > Date.now()) return cached.token;
    const response = await fetch(METADATA_TOKEN_URL, { headers: { 'Metadata-Flavor': 'Google' } });
    if (!response.ok) throw new Error(`metadata server token request failed: ${response.status}`);
    const body = (await response.json()) as { access_token: string; expires_in: number };
    cached = { token: body.access_token, until: Date.now() + (body.expires_in - 60) * 1000 };
    return body.access_token;
  };
  return vertexEmbeddingProvider({ project: e.project, location: e.location, model: e.model, accessToken });
}
