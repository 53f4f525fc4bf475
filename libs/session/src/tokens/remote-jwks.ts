import {
  createLocalJWKSet,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWTHeaderParameters,
} from 'jose';
import { TokenConfigError, TokenVerificationError } from './errors.js';
import { MemoryJwksCache, type JwksCache, type JwksCacheEntry } from './jwks-cache.js';

/** What happened inside a key source, for metrics and logs (never contains key material or tokens). */
export type JwksEvent =
  | { type: 'fetched'; uri: string; keys: number; durationMs: number }
  | { type: 'fetch_failed'; uri: string; error: string; servingStale: boolean }
  | { type: 'shared_cache_hit'; uri: string; ageMs: number }
  | { type: 'cache_error'; uri: string; operation: 'get' | 'set'; error: string }
  | { type: 'refresh_throttled'; uri: string; kid: string };

export interface RemoteJwksOptions {
  /** The issuer's JWKS endpoint. https, or http on a loopback host (local development). */
  uri: string;
  /** Shared key-set cache. Default: one process-wide {@link MemoryJwksCache}. */
  cache?: JwksCache;
  /** How long a fetched key set is used without refetching. Default 10 minutes. */
  maxAgeMs?: number;
  /** How long a key set may still be served when the issuer cannot be reached. Default 6 hours. */
  maxStaleMs?: number;
  /** Minimum time between fetches, whatever triggers them (unknown `kid`, failures). Default 30 s. */
  cooldownMs?: number;
  /** Whole-request timeout (connect, headers and body). Default 5 s. */
  timeoutMs?: number;
  /** Largest accepted JWKS document. Default 256 KiB. */
  maxResponseBytes?: number;
  /** Refuse tokens without a `kid` header. Default true (every mainstream issuer sets one). */
  requireKid?: boolean;
  fetch?: typeof fetch;
  clock?: () => number;
  onEvent?: (event: JwksEvent) => void;
}

/** Shared by every key source of the process that was not given its own cache. */
const processCache = new MemoryJwksCache();

/** RFC 7515 leaves `kid` free-form; we accept printable ASCII without spaces, up to 256 characters. */
const KID_PATTERN = /^[\x21-\x7e]{1,256}$/;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth', 'priv'];

interface LoadedSet {
  readonly entry: JwksCacheEntry;
  readonly lookup: ReturnType<typeof createLocalJWKSet>;
  /** Keys already resolved from this set, by `alg kid`: the hot path skips jose's candidate filtering. */
  readonly resolved: Map<string, CryptoKey>;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Keeps only public signing keys: symmetric (`oct`) and private members never belong in a published key set, and
 * would let a compromised or misconfigured endpoint turn HMAC into a forgery channel.
 */
export function publicSigningKeys(document: unknown): JSONWebKeySet {
  if (typeof document !== 'object' || document === null || !Array.isArray((document as { keys?: unknown }).keys)) {
    throw new Error('JWKS document has no "keys" array');
  }
  const keys = ((document as { keys: unknown[] }).keys as unknown[]).filter(
    (key): key is JWK =>
      typeof key === 'object' &&
      key !== null &&
      typeof (key as JWK).kty === 'string' &&
      (key as JWK).kty !== 'oct' &&
      ((key as JWK).use === undefined || (key as JWK).use === 'sig') &&
      !PRIVATE_MEMBERS.some((member) => member in key),
  );
  if (keys.length === 0) throw new Error('JWKS document has no usable public signing key');
  return { keys };
}

async function readBounded(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw new Error(`JWKS document exceeds ${limit} bytes`);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`JWKS document exceeds ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/**
 * A remote JWKS with the behaviour a busy resource server needs: cached across requests (and instances, through a
 * shared {@link JwksCache}), one fetch at a time however many requests miss (single-flight), a refetch on an unknown
 * `kid` at most once per cooldown (so forged kids cannot hammer the issuer), timeouts, a size limit, and the last
 * good key set served while the issuer is unreachable (up to `maxStaleMs`).
 */
export class RemoteJwks {
  readonly uri: string;
  readonly #cache: JwksCache;
  readonly #maxAgeMs: number;
  readonly #maxStaleMs: number;
  readonly #cooldownMs: number;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #requireKid: boolean;
  readonly #fetch: typeof fetch;
  readonly #clock: () => number;
  readonly #onEvent: ((event: JwksEvent) => void) | undefined;
  #current: LoadedSet | undefined;
  #inflight: Promise<LoadedSet> | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;

  constructor(options: RemoteJwksOptions) {
    let url: URL;
    try {
      url = new URL(options.uri);
    } catch {
      throw new TokenConfigError(`JWKS uri is not a URL: ${options.uri}`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new TokenConfigError('JWKS uri must use https (http is allowed only on loopback hosts)');
    }
    this.uri = url.href;
    this.#cache = options.cache ?? processCache;
    this.#maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.#maxStaleMs = Math.max(options.maxStaleMs ?? 6 * 3_600_000, this.#maxAgeMs);
    this.#cooldownMs = options.cooldownMs ?? 30_000;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#maxResponseBytes = options.maxResponseBytes ?? 256 * 1024;
    this.#requireKid = options.requireKid ?? true;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#clock = options.clock ?? Date.now;
    this.#onEvent = options.onEvent;
  }

  /** The current key set (fetching it if needed), e.g. for a health check or to re-publish it. */
  async keySet(): Promise<JSONWebKeySet> {
    return (await this.#ensure()).entry.jwks;
  }

  /** Fetches now, ignoring freshness but not the cooldown (used by readiness probes and tests). */
  async refresh(): Promise<void> {
    await this.#load(true);
  }

  /** jose key resolver: `jwtVerify(token, jwks.getKey, ...)`. */
  readonly getKey = (header: JWTHeaderParameters, token: FlattenedJWSInput): CryptoKey | Promise<CryptoKey> => {
    const kid = header.kid;
    if (kid === undefined) {
      if (this.#requireKid) throw new TokenVerificationError('missing_kid', 'token has no kid header');
    } else if (typeof kid !== 'string' || !KID_PATTERN.test(kid)) {
      throw new TokenVerificationError('malformed', 'token kid header is invalid');
    }
    // Hot path, synchronous (no promise per request): a fresh key set and a key already resolved from it.
    const current = this.#current;
    if (kid !== undefined && current && this.#clock() - current.entry.fetchedAt < this.#maxAgeMs) {
      const memo = current.resolved.get(`${header.alg} ${kid}`);
      if (memo) return memo;
    }
    return this.#resolve(header, token, kid);
  };

  async #resolve(header: JWTHeaderParameters, token: FlattenedJWSInput, kid: string | undefined): Promise<CryptoKey> {
    const loaded = await this.#ensure();
    const memoKey = kid === undefined ? undefined : `${header.alg} ${kid}`;
    const memo = memoKey === undefined ? undefined : loaded.resolved.get(memoKey);
    if (memo) return memo;
    try {
      const key = (await loaded.lookup(header, token)) as CryptoKey;
      if (memoKey !== undefined) loaded.resolved.set(memoKey, key);
      return key;
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
    }
    // Unknown kid: the issuer may have rotated keys. Refetch, but at most once per cooldown.
    if (!this.#mayFetch()) {
      this.#emit({ type: 'refresh_throttled', uri: this.uri, kid: String(kid) });
      throw new TokenVerificationError('unknown_kid', 'no key in the issuer key set matches the token kid');
    }
    const refreshed = await this.#load(true);
    try {
      return (await refreshed.lookup(header, token)) as CryptoKey;
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) {
        throw new TokenVerificationError('unknown_kid', 'no key in the issuer key set matches the token kid');
      }
      throw error;
    }
  }

  #mayFetch(): boolean {
    const newest = Math.max(this.#lastAttemptAt, this.#current?.entry.fetchedAt ?? Number.NEGATIVE_INFINITY);
    return this.#clock() - newest >= this.#cooldownMs;
  }

  async #ensure(): Promise<LoadedSet> {
    const current = this.#current;
    if (current) {
      const age = this.#clock() - current.entry.fetchedAt;
      if (age < this.#maxAgeMs) return current;
      // Right after a failed refetch: keep serving the stale set without even asking the shared cache again.
      if (!this.#mayFetch() && age < this.#maxStaleMs) return current;
    }
    return this.#load(false);
  }

  /** Single-flight: every caller that arrives while a load runs shares its result. */
  #load(force: boolean): Promise<LoadedSet> {
    this.#inflight ??= this.#loadOnce(force).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #loadOnce(force: boolean): Promise<LoadedSet> {
    const now = this.#clock();
    const shared = await this.#sharedEntry();
    if (shared && shared.fetchedAt > (this.#current?.entry.fetchedAt ?? Number.NEGATIVE_INFINITY)) {
      const age = now - shared.fetchedAt;
      // Another instance fetched: use it when fresh, or (forced) when it is as recent as our cooldown would allow.
      if (force ? age < this.#cooldownMs : age < this.#maxAgeMs) {
        this.#emit({ type: 'shared_cache_hit', uri: this.uri, ageMs: age });
        return this.#adopt(shared);
      }
    }
    const fallback = [this.#current?.entry, shared]
      .filter((e): e is JwksCacheEntry => e !== undefined && now - e.fetchedAt < this.#maxStaleMs)
      .sort((a, b) => b.fetchedAt - a.fetchedAt)[0];
    if (!this.#mayFetch()) {
      // Still in the cooldown after a failed attempt: do not hit the issuer again yet.
      if (!force && fallback) return this.#current?.entry === fallback ? this.#current : this.#adopt(fallback);
      throw new TokenVerificationError('jwks_unavailable', 'issuer key set unavailable (retry after cooldown)');
    }
    this.#lastAttemptAt = now;
    const started = this.#clock();
    let jwks: JSONWebKeySet;
    try {
      jwks = await this.#fetchDocument();
    } catch (error) {
      const servingStale = !force && fallback !== undefined;
      this.#emit({ type: 'fetch_failed', uri: this.uri, error: describe(error), servingStale });
      if (servingStale) return this.#current?.entry === fallback ? this.#current : this.#adopt(fallback);
      throw new TokenVerificationError('jwks_unavailable', `issuer key set unavailable: ${describe(error)}`, {
        cause: error,
      });
    }
    const entry: JwksCacheEntry = { jwks, fetchedAt: this.#clock() };
    const loaded = this.#adopt(entry);
    this.#emit({ type: 'fetched', uri: this.uri, keys: jwks.keys.length, durationMs: this.#clock() - started });
    try {
      await this.#cache.set(this.uri, entry, this.#maxStaleMs);
    } catch (error) {
      this.#emit({ type: 'cache_error', uri: this.uri, operation: 'set', error: describe(error) });
    }
    return loaded;
  }

  #adopt(entry: JwksCacheEntry): LoadedSet {
    const loaded = { entry, lookup: createLocalJWKSet(entry.jwks), resolved: new Map<string, CryptoKey>() };
    this.#current = loaded;
    return loaded;
  }

  async #sharedEntry(): Promise<JwksCacheEntry | undefined> {
    try {
      const entry = await this.#cache.get(this.uri);
      if (!entry || typeof entry.fetchedAt !== 'number') return undefined;
      return { jwks: publicSigningKeys(entry.jwks), fetchedAt: entry.fetchedAt };
    } catch (error) {
      this.#emit({ type: 'cache_error', uri: this.uri, operation: 'get', error: describe(error) });
      return undefined;
    }
  }

  async #fetchDocument(): Promise<JSONWebKeySet> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${this.#timeoutMs} ms`)),
      this.#timeoutMs,
    );
    try {
      const response = await this.#fetch(this.uri, {
        headers: { accept: 'application/jwk-set+json, application/json' },
        signal: controller.signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      const text = await readBounded(response, this.#maxResponseBytes);
      const jwks = publicSigningKeys(JSON.parse(text));
      createLocalJWKSet(jwks); // validates the structure now rather than on the first token
      return jwks;
    } catch (error) {
      if (controller.signal.aborted) throw new Error(`timed out after ${this.#timeoutMs} ms`, { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #emit(event: JwksEvent): void {
    if (!this.#onEvent) return;
    try {
      this.#onEvent(event);
    } catch {
      // An observer's bug must not turn into a refused token.
    }
  }
}
