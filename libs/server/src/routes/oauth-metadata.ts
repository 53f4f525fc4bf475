import { jsonResponse } from '../http/pipeline.js';

export interface ProtectedResourceMetadataOptions {
  /** The protected resource: `<public url><mcp path>`. */
  readonly resource: string;
  readonly authorizationServers: readonly string[];
  readonly scopesSupported: readonly string[];
  readonly resourceName?: string;
  readonly documentation?: string;
}

/** RFC 9728 metadata; bearer tokens in the `Authorization` header only. */
export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): () => Promise<Response> {
  const body = {
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    scopes_supported: [...options.scopesSupported],
    bearer_methods_supported: ['header'],
    ...(options.resourceName ? { resource_name: options.resourceName } : {}),
    ...(options.documentation ? { resource_documentation: options.documentation } : {}),
  };
  return async () => jsonResponse(200, body, { 'cache-control': 'public, max-age=3600' });
}

export interface AuthorizationServerMetadataOptions {
  /** The authorization server's RFC 8414 / OIDC discovery document URL (AuthKit, Supabase...). */
  readonly url: string;
  readonly fetch?: typeof fetch;
  /** Default 1 h. */
  readonly cacheTtlMs?: number;
  /** Default 5 s. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/**
 * The configured authorization server's metadata, fetched once per TTL (single-flight) and served from cache; the
 * last good document is kept when a refresh fails, and a 502 is returned only if none was ever fetched.
 */
export function proxiedAuthorizationServerMetadata(
  options: AuthorizationServerMetadataOptions,
): () => Promise<Response> {
  const ttl = options.cacheTtlMs ?? 3_600_000;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  let cached: { body: string; until: number } | undefined;
  let inflight: Promise<string> | undefined;

  const refresh = async (): Promise<string> => {
    const response = await doFetch(options.url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    if (!response.ok) throw new Error(`authorization server metadata answered ${response.status}`);
    const document = (await response.json()) as unknown;
    if (
      typeof document !== 'object' ||
      document === null ||
      typeof (document as { issuer?: unknown }).issuer !== 'string'
    ) {
      throw new Error('authorization server metadata has no issuer');
    }
    const body = JSON.stringify(document);
    cached = { body, until: now() + ttl };
    return body;
  };

  return async () => {
    let body = cached && cached.until > now() ? cached.body : undefined;
    if (body === undefined) {
      inflight ??= refresh().finally(() => (inflight = undefined));
      try {
        body = await inflight;
      } catch (error) {
        if (!cached) {
          return jsonResponse(502, {
            error: 'bad_gateway',
            error_description: `authorization server metadata unavailable: ${(error as Error).message}`,
          });
        }
        body = cached.body;
      }
    }
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=3600' },
    });
  };
}
