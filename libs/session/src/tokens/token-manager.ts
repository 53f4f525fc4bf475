import { decodeJwt } from 'jose';
import { TokenConfigError } from './errors.js';

/** The tokens a client holds. `expiresAt` is epoch milliseconds. */
export interface TokenSet {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt: number;
  readonly scope?: string;
}

export type TokenRefreshReason =
  /** The refresh token is expired, revoked or reused: sign in again. */
  | 'invalid_grant'
  /** Client authentication failed: a configuration problem. */
  | 'invalid_client'
  /** Another OAuth error from the token endpoint (4xx). */
  | 'rejected'
  | 'rate_limited'
  | 'server_error'
  | 'network'
  | 'timeout'
  | 'invalid_response'
  | 'no_refresh_token';

const RETRYABLE: ReadonlySet<TokenRefreshReason> = new Set(['rate_limited', 'server_error', 'network', 'timeout']);

/** A refresh that failed. Messages carry OAuth error codes and HTTP statuses, never tokens. */
export class TokenRefreshError extends Error {
  override readonly name = 'TokenRefreshError';
  readonly reason: TokenRefreshReason;
  /** HTTP status of the last attempt, when there was a response. */
  readonly status: number | undefined;
  /** OAuth `error` code from the token endpoint, when it sent one. */
  readonly oauthError: string | undefined;
  /** How many requests were made. */
  attempts = 1;
  /** Server-requested delay (429/503 `Retry-After`), milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    reason: TokenRefreshReason,
    message: string,
    details: { status?: number; oauthError?: string; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    this.status = details.status;
    this.oauthError = details.oauthError;
    this.retryAfterMs = details.retryAfterMs;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.reason);
  }
}

export type TokenManagerEvent =
  | { type: 'refresh_started' }
  | { type: 'refresh_succeeded'; attempts: number; expiresAt: number; rotated: boolean }
  | { type: 'refresh_retry'; attempt: number; delayMs: number; reason: TokenRefreshReason; status?: number }
  | { type: 'refresh_failed'; reason: TokenRefreshReason; attempts: number; usingCurrentToken: boolean };

export interface TokenManagerOptions {
  /** OAuth 2.0 token endpoint (`grant_type=refresh_token`, form-encoded, RFC 6749 section 6). */
  tokenEndpoint: string;
  /** Public clients send `client_id` in the body; with `clientSecret`, HTTP Basic (client_secret_basic). */
  clientId?: string;
  clientSecret?: string;
  /** Optional `scope` and RFC 8707 `resource` parameters sent with each refresh. */
  scope?: string;
  resource?: string;
  /** The tokens to start from. */
  tokens: TokenSet;
  /** Refresh this long before expiry. Default 5 minutes. */
  refreshBeforeMs?: number;
  /** Total tries per refresh. Default 3. */
  maxAttempts?: number;
  /** First retry delay; it doubles per retry, plus up to 50 % jitter, capped by `maxDelayMs`. Default 1 s. */
  baseDelayMs?: number;
  /** Default 30 s. */
  maxDelayMs?: number;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Called with every new token set (persist rotated refresh tokens here). A throw fails the refresh. */
  onTokens?: (tokens: TokenSet) => void | Promise<void>;
  onEvent?: (event: TokenManagerEvent) => void;
  fetch?: typeof fetch;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps provider text short and free of anything token-like before it reaches an error message. */
function sanitize(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  return text.replace(/[A-Za-z0-9_-]{20,}(\.[A-Za-z0-9_-]+)*/g, '[redacted]').slice(0, 200);
}

function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Client-side access-token keeper: hands out a valid access token, refreshing it proactively (5 minutes before
 * expiry by default) against an OAuth token endpoint. Concurrent callers share one refresh; transient failures are
 * retried with exponential backoff and jitter; if the refresh fails while the current token is still valid, callers
 * keep getting that token (and an event says so). Tokens are held in private fields and never appear in errors,
 * events or `JSON.stringify(manager)`.
 */
export class TokenManager {
  readonly #endpoint: string;
  readonly #options: TokenManagerOptions;
  readonly #refreshBeforeMs: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  #tokens: TokenSet;
  #inflight: Promise<TokenSet> | undefined;

  constructor(options: TokenManagerOptions) {
    let url: URL;
    try {
      url = new URL(options.tokenEndpoint);
    } catch {
      throw new TokenConfigError('tokenEndpoint must be a URL');
    }
    const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || url.hostname.startsWith('127.');
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new TokenConfigError('tokenEndpoint must use https (http is allowed only on loopback hosts)');
    }
    this.#endpoint = url.href;
    this.#options = options;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#baseDelayMs = options.baseDelayMs ?? 1_000;
    this.#maxDelayMs = options.maxDelayMs ?? 30_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1) {
      throw new TokenConfigError('maxAttempts must be an integer >= 1');
    }
    if (this.#baseDelayMs < 0 || this.#maxDelayMs < this.#baseDelayMs) {
      throw new TokenConfigError('need 0 <= baseDelayMs <= maxDelayMs');
    }
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
    this.#random = options.random ?? Math.random;
    this.#tokens = TokenManager.#checked(options.tokens);
  }

  static #checked(tokens: TokenSet): TokenSet {
    if (typeof tokens?.accessToken !== 'string' || !Number.isFinite(tokens.expiresAt)) {
      throw new TokenConfigError('tokens need an accessToken and a numeric expiresAt (epoch ms)');
    }
    return { ...tokens };
  }

  /** Epoch milliseconds at which the current access token expires. */
  get expiresAt(): number {
    return this.#tokens.expiresAt;
  }

  /** A valid access token, refreshed first if it expires within `refreshBeforeMs`. */
  async getAccessToken(): Promise<string> {
    if (this.#clock() < this.#tokens.expiresAt - this.#refreshBeforeMs) return this.#tokens.accessToken;
    return (await this.#refreshShared(false)).accessToken;
  }

  /** `Bearer <token>`, for an `Authorization` header. */
  async authorization(): Promise<string> {
    return `Bearer ${await this.getAccessToken()}`;
  }

  /** Refreshes now (e.g. after a 401), sharing any refresh already running. Resolves to the new access token. */
  async refresh(): Promise<string> {
    return (await this.#refreshShared(true)).accessToken;
  }

  /** Replaces the tokens (e.g. after a new sign-in). */
  setTokens(tokens: TokenSet): void {
    this.#tokens = TokenManager.#checked(tokens);
  }

  toJSON(): { expiresAt: number; hasRefreshToken: boolean } {
    return { expiresAt: this.#tokens.expiresAt, hasRefreshToken: this.#tokens.refreshToken !== undefined };
  }

  #refreshShared(forced: boolean): Promise<TokenSet> {
    this.#inflight ??= this.#refreshWithRetries(forced).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #refreshWithRetries(forced: boolean): Promise<TokenSet> {
    const started = this.#tokens;
    this.#emit({ type: 'refresh_started' });
    let attempt = 0;
    for (;;) {
      attempt += 1;
      try {
        const next = await this.#requestOnce(started);
        await this.#options.onTokens?.(next);
        this.#tokens = next;
        this.#emit({
          type: 'refresh_succeeded',
          attempts: attempt,
          expiresAt: next.expiresAt,
          rotated: next.refreshToken !== started.refreshToken,
        });
        return next;
      } catch (error) {
        const failure =
          error instanceof TokenRefreshError
            ? error
            : new TokenRefreshError('invalid_response', 'could not store the refreshed tokens', { cause: error });
        failure.attempts = attempt;
        if (failure.retryable && attempt < this.#maxAttempts) {
          const delayMs = this.#delay(attempt, failure.retryAfterMs);
          this.#emit({
            type: 'refresh_retry',
            attempt,
            delayMs,
            reason: failure.reason,
            ...(failure.status === undefined ? {} : { status: failure.status }),
          });
          await this.#sleep(delayMs);
          continue;
        }
        // A transient failure while the current token still works: keep serving it (not for explicit refreshes,
        // whose caller was told the token is bad).
        const usable = !forced && failure.retryable && this.#clock() < started.expiresAt;
        this.#emit({ type: 'refresh_failed', reason: failure.reason, attempts: attempt, usingCurrentToken: usable });
        if (usable) return started;
        throw failure;
      }
    }
  }

  /** Exponential backoff with up to 50 % jitter: retry n waits base * 2^(n-1) .. 1.5x that, capped at maxDelay. */
  #delay(attempt: number, serverDelayMs: number | undefined): number {
    const exponential = this.#baseDelayMs * 2 ** (attempt - 1);
    const jittered = exponential * (1 + 0.5 * this.#random());
    const wanted = Math.max(jittered, serverDelayMs ?? 0);
    return Math.round(Math.min(this.#maxDelayMs, Math.max(this.#baseDelayMs, wanted)));
  }

  async #requestOnce(current: TokenSet): Promise<TokenSet> {
    const refreshToken = current.refreshToken;
    if (refreshToken === undefined) {
      throw new TokenRefreshError('no_refresh_token', 'no refresh token to refresh with');
    }
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    const { clientId, clientSecret, scope, resource } = this.#options;
    if (clientSecret !== undefined) {
      // RFC 6749 section 2.3.1: form-urlencode id and secret before base64.
      const id = encodeURIComponent(clientId ?? '');
      headers['authorization'] = `Basic ${btoa(`${id}:${encodeURIComponent(clientSecret)}`)}`;
    } else if (clientId !== undefined) {
      body.set('client_id', clientId);
    }
    if (scope !== undefined) body.set('scope', scope);
    if (resource !== undefined) body.set('resource', resource);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body: body.toString(),
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      if (controller.signal.aborted) {
        throw new TokenRefreshError('timeout', `token endpoint timed out after ${this.#timeoutMs} ms`);
      }
      throw new TokenRefreshError('network', `token endpoint unreachable: ${sanitize((error as Error)?.message)}`);
    } finally {
      clearTimeout(timer);
    }
    let json: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        json = parsed as Record<string, unknown>;
      }
    } catch {
      json = undefined;
    }
    const status = response.status;
    if (!response.ok) {
      const oauthError = typeof json?.['error'] === 'string' ? (json['error'] as string) : undefined;
      const description = sanitize(json?.['error_description']);
      const message = `token endpoint answered ${status}${oauthError ? ` ${oauthError}` : ''}${description ? `: ${description}` : ''}`;
      const retryAfter = retryAfterMs(response.headers.get('retry-after'), this.#clock());
      const details = {
        status,
        ...(oauthError === undefined ? {} : { oauthError }),
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
      };
      if (oauthError === 'invalid_grant') throw new TokenRefreshError('invalid_grant', message, details);
      if (oauthError === 'invalid_client' || oauthError === 'unauthorized_client' || status === 401) {
        throw new TokenRefreshError('invalid_client', message, details);
      }
      if (status === 429) throw new TokenRefreshError('rate_limited', message, details);
      if (status >= 500) throw new TokenRefreshError('server_error', message, details);
      throw new TokenRefreshError('rejected', message, details);
    }
    if (!json)
      throw new TokenRefreshError('invalid_response', `token endpoint answered ${status} without a JSON object`, {
        status,
      });
    return this.#tokenSetFrom(json, current, status);
  }

  #tokenSetFrom(json: Record<string, unknown>, current: TokenSet, status: number): TokenSet {
    const accessToken = json['access_token'];
    if (typeof accessToken !== 'string' || accessToken.length === 0) {
      throw new TokenRefreshError('invalid_response', 'token response has no access_token', { status });
    }
    const tokenType = json['token_type'];
    if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
      throw new TokenRefreshError('invalid_response', `unsupported token_type ${sanitize(String(tokenType))}`, {
        status,
      });
    }
    const now = this.#clock();
    const expiresIn = Number(json['expires_in']);
    let expiresAt: number;
    if (json['expires_in'] !== undefined && Number.isFinite(expiresIn) && expiresIn > 0) {
      expiresAt = now + expiresIn * 1000;
    } else {
      // expires_in is only RECOMMENDED (RFC 6749 5.1): fall back to the JWT's own exp, read for scheduling only.
      let exp: unknown;
      try {
        exp = decodeJwt(accessToken).exp;
      } catch {
        exp = undefined;
      }
      if (typeof exp !== 'number') {
        throw new TokenRefreshError('invalid_response', 'token response has no usable expires_in', { status });
      }
      expiresAt = exp * 1000;
    }
    const refreshToken = json['refresh_token'];
    if (refreshToken !== undefined && (typeof refreshToken !== 'string' || refreshToken.length === 0)) {
      throw new TokenRefreshError('invalid_response', 'token response has an invalid refresh_token', { status });
    }
    const scope = typeof json['scope'] === 'string' ? (json['scope'] as string) : current.scope;
    // Without a new refresh token the server did not rotate: keep using the current one (RFC 6749 section 6).
    const nextRefresh = (refreshToken as string | undefined) ?? current.refreshToken;
    return {
      accessToken,
      expiresAt,
      ...(nextRefresh === undefined ? {} : { refreshToken: nextRefresh }),
      ...(scope === undefined ? {} : { scope }),
    };
  }

  #emit(event: TokenManagerEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch {
      // An observer's bug must not break token refresh.
    }
  }
}
