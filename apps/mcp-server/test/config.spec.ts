import { configReport, loadConfig, problemsReport } from '../src/config/index.js';

describe('configuration', () => {
  it('needs nothing for the embedded mode: PGlite under .atoms, dev issuer, memory state, port 8000', () => {
    const result = loadConfig({}, { cwd: '/srv/app' });
    if (!result.ok) throw new Error(problemsReport(result.problems));
    const c = result.config;
    expect(c.database).toEqual({ kind: 'pglite', dir: '/srv/app/.atoms/data' });
    expect(c.auth.providers).toEqual(['dev']);
    expect(c.redisUrl).toBeUndefined();
    expect(c.port).toBe(8000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.mcpEndpoint).toBe('http://127.0.0.1:8000/api/mcp');
    expect(c.rateLimit).toEqual({ enabled: true, perMinute: 60, burst: 100, failPolicy: 'insurance' });
    expect(c.embeddings).toEqual({ kind: 'local' });
  });

  it('reports every invalid or missing value at once, each with its variable name', () => {
    const result = loadConfig({
      PRODUCTION: 'true',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      RATE_LIMIT_ENABLED: 'maybe',
      RATE_LIMIT_REQUESTS_PER_MINUTE: '0',
      ATOMS_FASTMCP_AUTH_MODE: 'authkit,dev',
      ATOMS_FASTMCP_HTTP_AUTH_MODE: 'optional',
      REDIS_URL: 'localhost:6379',
      SUPABASE_JWT_SECRET: 'short',
      MCP_ENDPOINT: 'https://elsewhere.example.com/mcp',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byVariable = new Map(result.problems.map((p) => [p.variable, p.message]));
    for (const variable of [
      'PORT',
      'LOG_LEVEL',
      'RATE_LIMIT_ENABLED',
      'RATE_LIMIT_REQUESTS_PER_MINUTE',
      'ATOMS_FASTMCP_HTTP_AUTH_MODE',
      'REDIS_URL',
      'SUPABASE_JWT_SECRET',
      'PUBLIC_URL', // production needs the external URL
      'DATABASE_URL', // production needs a real database
      'FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN', // authkit needs its domain
      'WORKOS_CLIENT_ID', // ... and its client id
      'ATOMS_FASTMCP_AUTH_MODE', // dev issuer refused in production
      'MCP_ENDPOINT',
    ]) {
      expect([variable, byVariable.has(variable)]).toEqual([variable, true]);
    }
    expect(byVariable.get('ATOMS_FASTMCP_AUTH_MODE')).toMatch(/development issuer/);
    const report = problemsReport(result.problems);
    expect(report).toMatch(/^Atoms MCP cannot start: \d+ configuration problems/);
    expect(report.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(result.problems.length);
  });

  it('builds the production configuration from the seed checklist variables', () => {
    const result = loadConfig({
      PRODUCTION: 'true',
      ATOMS_FASTMCP_TRANSPORT: 'http',
      ATOMS_FASTMCP_HTTP_PATH: '/api/mcp',
      ATOMS_FASTMCP_AUTH_MODE: 'supabase_jwt,authkit',
      PUBLIC_URL: 'https://mcp.example.com/',
      MCP_ENDPOINT: 'https://mcp.example.com/api/mcp',
      FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN: 'https://decent-hymn-17.authkit.app',
      FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_REQUIRED_SCOPES: 'openid, profile,email',
      WORKOS_CLIENT_ID: 'client_123',
      WORKOS_API_KEY: 'sk_live_abcdef',
      NEXT_PUBLIC_SUPABASE_URL: 'https://abcd.supabase.co',
      SUPABASE_JWT_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'postgres://atoms:hunter2@db.example.com:5432/atoms',
      REDIS_URL: 'redis://:redispw@cache.example.com:6379',
      LOG_LEVEL: 'INFO',
      GOOGLE_CLOUD_PROJECT: 'atoms-prod',
    });
    if (!result.ok) throw new Error(problemsReport(result.problems));
    const c = result.config;
    expect(c.publicUrl).toBe('https://mcp.example.com');
    expect(c.database).toEqual({ kind: 'pg', url: 'postgres://atoms:hunter2@db.example.com:5432/atoms', poolMax: 10 });
    expect(c.auth.providers).toEqual(['supabase_jwt', 'authkit']);
    expect(c.auth.requiredScopes).toEqual(['openid', 'profile', 'email']);
    expect(c.auth.authkit).toEqual({ domain: 'https://decent-hymn-17.authkit.app', clientId: 'client_123' });
    expect(c.env.LOG_LEVEL).toBe('info');
    expect(c.embeddings).toMatchObject({ kind: 'vertex', project: 'atoms-prod', location: 'us-central1' });
  });

  it('masks secrets and URL passwords in the startup report', () => {
    const source = {
      DATABASE_URL: 'postgres://atoms:hunter2@db.example.com:5432/atoms',
      REDIS_URL: 'redis://:redispw@cache.example.com:6379',
      WORKOS_API_KEY: 'sk_live_abcdef',
      SUPABASE_SERVICE_ROLE_KEY: 'service-role-secret',
      METRICS_TOKEN: 'metrics-token-0123456789',
      ATOMS_ACCESS_TOKEN: 'a.b.c',
    };
    const result = loadConfig(source);
    if (!result.ok) throw new Error(problemsReport(result.problems));
    const report = configReport(result.config, source);
    for (const secret of [
      'hunter2',
      'redispw',
      'sk_live_abcdef',
      'service-role-secret',
      'metrics-token-0123456789',
      'a.b.c',
    ]) {
      expect(report).not.toContain(secret);
    }
    expect(report).toContain('postgres://atoms:****@db.example.com:5432/atoms');
    expect(report).toContain('WORKOS_API_KEY=**** (set)');
    expect(report).toContain('PORT=8000  (default)');
  });

  it('treats empty values as unset and refuses conflicting URLs', () => {
    const ok = loadConfig({ PORT: '', LOG_LEVEL: ' ' });
    expect(ok.ok && ok.config.port).toBe(8000);
    const bad = loadConfig({
      PUBLIC_URL: 'https://a.example.com',
      FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL: 'https://b.example.com',
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((p) => p.variable)).toEqual(['FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL']);
  });

  it('applies the burst size: at least the per-minute limit, an explicit smaller one refused', () => {
    const follows = loadConfig({ RATE_LIMIT_REQUESTS_PER_MINUTE: '600' });
    expect(follows.ok && follows.config.rateLimit).toMatchObject({ perMinute: 600, burst: 600 });
    const explicit = loadConfig({ RATE_LIMIT_REQUESTS_PER_MINUTE: '30', RATE_LIMIT_BURST_SIZE: '45' });
    if (!explicit.ok) throw new Error(problemsReport(explicit.problems));
    expect(explicit.config.rateLimit).toMatchObject({ perMinute: 30, burst: 45 });
    expect(configReport(explicit.config, {})).toContain('rate limit:  30/min per user and tool, bursts up to 45');
    const smaller = loadConfig({ RATE_LIMIT_REQUESTS_PER_MINUTE: '60', RATE_LIMIT_BURST_SIZE: '10' });
    expect(smaller.ok).toBe(false);
    if (!smaller.ok) {
      expect(smaller.problems).toEqual([
        {
          variable: 'RATE_LIMIT_BURST_SIZE',
          message: expect.stringContaining('at least RATE_LIMIT_REQUESTS_PER_MINUTE (60)'),
        },
      ]);
    }
  });
  it('throttles session touches: 30 s by default, a tenth of a short idle timeout, at most half of it when set', () => {
    const defaults = loadConfig({});
    expect(defaults.ok && defaults.config.sessions).toEqual({
      idleTimeoutMs: 30 * 60_000,
      absoluteTimeoutMs: 24 * 3_600_000,
      touchThrottleMs: 30_000,
      maxPerUser: 10,
    });
    if (defaults.ok) {
      expect(configReport(defaults.config, {})).toContain(
        'sessions:    idle 30 min (last seen written at most every 30 s), absolute 24 h, 10 per user',
      );
    }
    const shortIdle = loadConfig({ SESSION_IDLE_TIMEOUT_MINUTES: '2' });
    expect(shortIdle.ok && shortIdle.config.sessions.touchThrottleMs).toBe(12_000);
    const off = loadConfig({ SESSION_TOUCH_THROTTLE_SECONDS: '0' });
    expect(off.ok && off.config.sessions.touchThrottleMs).toBe(0);
    const half = loadConfig({ SESSION_IDLE_TIMEOUT_MINUTES: '2', SESSION_TOUCH_THROTTLE_SECONDS: '60' });
    expect(half.ok && half.config.sessions.touchThrottleMs).toBe(60_000);
    const tooLong = loadConfig({ SESSION_IDLE_TIMEOUT_MINUTES: '2', SESSION_TOUCH_THROTTLE_SECONDS: '61' });
    expect(tooLong.ok).toBe(false);
    if (!tooLong.ok) {
      expect(tooLong.problems).toEqual([
        { variable: 'SESSION_TOUCH_THROTTLE_SECONDS', message: expect.stringContaining('at most half') },
      ]);
    }
    const negative = loadConfig({ SESSION_TOUCH_THROTTLE_SECONDS: '-1' });
    expect(negative.ok).toBe(false);
  });
  it('reuses verified tokens for AUTH_VERIFICATION_CACHE_SECONDS (30 by default, 0 turns it off, at most 300)', () => {
    const defaults = loadConfig({});
    if (!defaults.ok) throw new Error(problemsReport(defaults.problems));
    expect(defaults.config.auth.verificationCacheMs).toBe(30_000);
    expect(configReport(defaults.config, {})).toContain('auth:        dev; verified tokens reused 30 s');
    const off = loadConfig({ AUTH_VERIFICATION_CACHE_SECONDS: '0' });
    if (!off.ok) throw new Error(problemsReport(off.problems));
    expect(off.config.auth.verificationCacheMs).toBe(0);
    expect(configReport(off.config, {})).toContain('auth:        dev; every request verified');
    const tooLong = loadConfig({ AUTH_VERIFICATION_CACHE_SECONDS: '301' });
    expect(tooLong.ok ? [] : tooLong.problems.map((p) => p.variable)).toEqual(['AUTH_VERIFICATION_CACHE_SECONDS']);
  });
});
