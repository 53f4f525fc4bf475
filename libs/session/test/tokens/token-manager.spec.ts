import {
  TokenConfigError,
  TokenManager,
  TokenRefreshError,
  type TokenManagerEvent,
  type TokenManagerOptions,
} from '../../src/index.js';
import { sendJson, startHttpFixture, type HttpFixture, type Handler } from './http-fixture.js';

const NOW = 1_800_000_000_000;
const MINUTE = 60_000;
const REFRESH = 'rt-0123456789abcdefghijklmnopqrstuvwxyz';

describe('TokenManager against a real HTTP token endpoint', () => {
  let server: HttpFixture;
  let issued = 0;
  const tokenRequests = () => server.requests.filter((r) => r.url === '/oauth/token');
  /** A well-behaved endpoint: rotates the refresh token, 1 h access tokens. */
  const rotating: Handler = async (request, response) => {
    await new Promise((resolve) => setTimeout(resolve, 20)); // long enough for every concurrent caller to pile up
    issued += 1;
    sendJson(response, 200, {
      access_token: `at-${issued}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `rt-${issued}-rotated-0123456789abcdefghijkl`,
    });
  };

  beforeAll(async () => {
    server = await startHttpFixture(rotating);
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.handler = rotating;
    issued = 0;
  });
  afterAll(() => server.close());

  function manager(overrides: Partial<TokenManagerOptions> = {}) {
    let now = NOW;
    const sleeps: number[] = [];
    const events: TokenManagerEvent[] = [];
    const instance = new TokenManager({
      tokenEndpoint: `${server.origin}/oauth/token`,
      clientId: 'mcp-client',
      tokens: { accessToken: 'at-initial', refreshToken: REFRESH, expiresAt: NOW + 2 * MINUTE },
      clock: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      onEvent: (e) => events.push(e),
      ...overrides,
    });
    return { instance, sleeps, events, advance: (ms: number) => (now += ms) };
  }

  it('100 concurrent callers inside the refresh window share exactly one refresh', async () => {
    const { instance } = manager();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => instance.getAccessToken()));
    expect(new Set(tokens)).toEqual(new Set(['at-1']));
    expect(tokenRequests()).toHaveLength(1);
    const [request] = tokenRequests();
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: REFRESH,
      client_id: 'mcp-client',
    });
  });

  it('refreshes proactively 5 minutes before expiry, not earlier, and uses the rotated refresh token', async () => {
    const persisted: string[] = [];
    const { instance, advance } = manager({
      tokens: { accessToken: 'at-initial', refreshToken: REFRESH, expiresAt: NOW + 10 * MINUTE },
      onTokens: (t) => {
        persisted.push(t.refreshToken ?? '');
      },
    });
    expect(await instance.getAccessToken()).toBe('at-initial');
    advance(5 * MINUTE - 1);
    expect(await instance.getAccessToken()).toBe('at-initial');
    expect(tokenRequests()).toHaveLength(0);
    advance(1);
    expect(await instance.getAccessToken()).toBe('at-1');
    expect(instance.expiresAt).toBe(NOW + 5 * MINUTE + 3600_000);
    advance(3600_000);
    expect(await instance.authorization()).toBe('Bearer at-2');
    const second = new URLSearchParams(tokenRequests()[1]?.body);
    expect(second.get('refresh_token')).toBe(persisted[0]);
    expect(persisted).toHaveLength(2);
  });

  it('retries transient failures with exponential backoff and jitter, then succeeds', async () => {
    let calls = 0;
    server.handler = (request, response) => {
      calls += 1;
      if (calls < 3) return sendJson(response, 503, { error: 'temporarily_unavailable' });
      return rotating(request, response);
    };
    const { instance, sleeps, events } = manager();
    expect(await instance.getAccessToken()).toBe('at-1');
    expect(tokenRequests()).toHaveLength(3);
    // random() = 0.5 -> 25 % jitter: 1 s * 1.25, then 2 s * 1.25.
    expect(sleeps).toEqual([1250, 2500]);
    expect(events.filter((e) => e.type === 'refresh_retry')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'refresh_succeeded', attempts: 3, rotated: true });
  });

  it('gives up after 3 tries: typed error when the token is expired, the current token while it still works', async () => {
    server.handler = (_request, response) => sendJson(response, 502, {});
    const stillValid = manager();
    expect(await stillValid.instance.getAccessToken()).toBe('at-initial');
    expect(stillValid.events.at(-1)).toMatchObject({ type: 'refresh_failed', usingCurrentToken: true, attempts: 3 });
    // An explicit refresh (e.g. after a 401) never falls back to the current token.
    await expect(stillValid.instance.refresh()).rejects.toMatchObject({ reason: 'server_error', status: 502 });

    server.requests.length = 0;
    const expired = manager({ tokens: { accessToken: 'at-old', refreshToken: REFRESH, expiresAt: NOW - 1 } });
    const error = await expired.instance.getAccessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect(error).toMatchObject({ reason: 'server_error', attempts: 3, retryable: true });
    expect(tokenRequests()).toHaveLength(3);
  });

  it('invalid_grant is final: no retry, and the error never contains a token', async () => {
    server.handler = (request, response) =>
      sendJson(response, 400, {
        error: 'invalid_grant',
        error_description: `refresh token ${new URLSearchParams(request.body).get('refresh_token')} was reused`,
      });
    const { instance, sleeps } = manager();
    const error = (await instance.getAccessToken().catch((e: unknown) => e)) as TokenRefreshError;
    expect(error).toMatchObject({
      reason: 'invalid_grant',
      oauthError: 'invalid_grant',
      status: 400,
      retryable: false,
    });
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(REFRESH);
    expect(sleeps).toEqual([]);
    expect(tokenRequests()).toHaveLength(1);
  });

  it('honours Retry-After on 429 within the 30 s cap', async () => {
    let calls = 0;
    server.handler = (request, response) => {
      calls += 1;
      if (calls === 1) return sendJson(response, 429, { error: 'slow_down' }, { 'retry-after': '7' });
      if (calls === 2) return sendJson(response, 429, {}, { 'retry-after': '120' });
      return rotating(request, response);
    };
    const { instance, sleeps } = manager();
    expect(await instance.getAccessToken()).toBe('at-1');
    expect(sleeps).toEqual([7000, 30000]);
  });

  it('times out a hanging endpoint and reports unreachable ones as network errors', async () => {
    server.handler = () => undefined; // never answers
    const hanging = manager({ timeoutMs: 50, tokens: { accessToken: 'a', refreshToken: REFRESH, expiresAt: NOW } });
    await expect(hanging.instance.getAccessToken()).rejects.toMatchObject({ reason: 'timeout', attempts: 3 });

    const closed = await startHttpFixture(() => undefined);
    const origin = closed.origin;
    await closed.close();
    const unreachable = manager({
      tokenEndpoint: `${origin}/oauth/token`,
      tokens: { accessToken: 'a', refreshToken: REFRESH, expiresAt: NOW },
    });
    await expect(unreachable.instance.getAccessToken()).rejects.toMatchObject({ reason: 'network', attempts: 3 });
  });

  it('refuses malformed token responses without retrying', async () => {
    for (const body of [
      { token_type: 'Bearer', expires_in: 60 },
      { access_token: 'x', token_type: 'DPoP', expires_in: 60 },
      { access_token: 'x' },
      [],
    ]) {
      server.handler = (_request, response) => sendJson(response, 200, body);
      server.requests.length = 0;
      const { instance } = manager({ tokens: { accessToken: 'a', refreshToken: REFRESH, expiresAt: NOW } });
      await expect(instance.getAccessToken()).rejects.toMatchObject({ reason: 'invalid_response' });
      expect(tokenRequests()).toHaveLength(1);
    }
  });

  it('keeps the refresh token when the server does not rotate, and authenticates confidential clients with Basic', async () => {
    server.handler = (_request, response) =>
      sendJson(response, 200, { access_token: 'at-x', token_type: 'bearer', expires_in: '600' });
    const { instance } = manager({
      clientSecret: 's3cr:t',
      tokens: { accessToken: 'a', refreshToken: REFRESH, expiresAt: NOW },
    });
    expect(await instance.refresh()).toBe('at-x');
    expect(await instance.refresh()).toBe('at-x');
    const [first, second] = tokenRequests();
    expect(new URLSearchParams(second?.body).get('refresh_token')).toBe(REFRESH);
    expect(first?.headers.authorization).toBe(`Basic ${Buffer.from('mcp-client:s3cr%3At').toString('base64')}`);
    expect(new URLSearchParams(first?.body).has('client_id')).toBe(false);
  });

  it('never exposes tokens through JSON or errors; no refresh token is a typed error', async () => {
    const { instance } = manager({ tokens: { accessToken: 'at-secret-value', expiresAt: NOW } });
    expect(JSON.stringify(instance)).not.toContain('at-secret-value');
    expect(JSON.stringify(instance)).toBe(JSON.stringify({ expiresAt: NOW, hasRefreshToken: false }));
    await expect(instance.getAccessToken()).rejects.toMatchObject({ reason: 'no_refresh_token' });
    expect(tokenRequests()).toHaveLength(0);
  });

  it('refuses bad configuration at construction', () => {
    const tokens = { accessToken: 'a', expiresAt: NOW };
    expect(() => new TokenManager({ tokenEndpoint: 'http://auth.example.com/token', tokens })).toThrow(
      TokenConfigError,
    );
    expect(() => new TokenManager({ tokenEndpoint: 'https://auth.example.com/token', tokens, maxAttempts: 0 })).toThrow(
      /maxAttempts/,
    );
    expect(
      () =>
        new TokenManager({ tokenEndpoint: 'https://auth.example.com/token', tokens: { accessToken: 'a' } as never }),
    ).toThrow(/expiresAt/);
  });
});
