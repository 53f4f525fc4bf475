import { join, resolve } from 'node:path';
import { AUTH_PROVIDERS, envSchema, type AuthProvider, type Env } from './env-schema.js';

export type DatabaseConfig =
  | { readonly kind: 'pglite'; readonly dir: string }
  | { readonly kind: 'pg'; readonly url: string; readonly poolMax: number }
  | {
      readonly kind: 'supabase';
      readonly url: string;
      readonly anonKey: string;
      readonly serviceRoleKey: string;
      readonly jwtSecret?: string;
    };

export type EmbeddingsConfig =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'vertex';
      readonly project: string;
      readonly location: string;
      readonly model: Env['VERTEX_EMBEDDINGS_MODEL'];
      readonly accessToken?: string;
    };

export interface AppConfig {
  /** The parsed variables, defaults applied. */
  readonly env: Env;
  readonly production: boolean;
  readonly transport: 'http' | 'stdio';
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly mcpPath: string;
  readonly mcpEndpoint: string;
  /** Absolute paths under ATOMS_DATA_DIR. */
  readonly dataDir: string;
  readonly devKeysFile: string;
  readonly database: DatabaseConfig;
  readonly redisUrl?: string;
  readonly auth: {
    readonly providers: readonly AuthProvider[];
    readonly requiredScopes: readonly string[];
    readonly authkit?: { readonly domain: string; readonly clientId: string };
    readonly supabase?: { readonly url: string; readonly jwtSecret?: string };
    /** How long a verified token's result is reused (0: every request verifies the signature). */
    readonly verificationCacheMs: number;
  };
  readonly embeddings: EmbeddingsConfig;
  /** Sessions: idle and absolute timeouts, and how stale `lastSeenAt` may get before a request rewrites it. */
  readonly sessions: {
    readonly idleTimeoutMs: number;
    readonly absoluteTimeoutMs: number;
    readonly touchThrottleMs: number;
    readonly maxPerUser: number;
  };
  /** Per (user, tool): `perMinute` sustained; up to `burst` at once (see `createBurstyRateLimiter`). */
  readonly rateLimit: {
    readonly enabled: boolean;
    readonly perMinute: number;
    readonly burst: number;
    readonly failPolicy: Env['RATE_LIMIT_FAIL_POLICY'];
  };
}

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: AppConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

type Source = Readonly<Record<string, string | undefined>>;

/** Empty strings count as unset (a `FOO=` line in a .env file means "use the default"). */
function present(source: Source): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}

/**
 * Reads the configuration. Every problem is collected (field by field, then the rules that tie fields together),
 * so one failed start lists all of them.
 */
export function loadConfig(source: Source, options: { transport?: 'http' | 'stdio'; cwd?: string } = {}): ConfigResult {
  const raw = present(source);
  const problems: ConfigProblem[] = [];
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const variable = String(issue.path[0] ?? '(environment)');
      problems.push({ variable, message: issue.message });
    }
  }
  // Cross-field rules run on the fields that parsed, so a bad PORT does not hide a missing WORKOS_CLIENT_ID.
  const fields: Partial<Env> = {};
  const shape = envSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>;
  for (const [key, schema] of Object.entries(shape)) {
    const r = schema.safeParse(raw[key]);
    if (r.success) (fields as Record<string, unknown>)[key] = r.data;
  }
  const built = build(fields, raw, options, problems);
  if (problems.length > 0 || !parsed.success || !built) return { ok: false, problems };
  return { ok: true, config: built };
}

function build(
  env: Partial<Env>,
  raw: Record<string, string>,
  options: { transport?: 'http' | 'stdio'; cwd?: string },
  problems: ConfigProblem[],
): AppConfig | undefined {
  const fail = (variable: string, message: string): void => void problems.push({ variable, message });
  const production = env.PRODUCTION ?? false;
  const transport = options.transport ?? env.ATOMS_FASTMCP_TRANSPORT ?? 'http';
  const host = env.HOST ?? '127.0.0.1';
  const port = env.PORT ?? 8000;
  const mcpPath = env.ATOMS_FASTMCP_HTTP_PATH ?? '/api/mcp';

  if (env.PUBLIC_URL && env.FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL) {
    if (env.PUBLIC_URL !== env.FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL) {
      fail('FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL', `differs from PUBLIC_URL (${env.PUBLIC_URL}); set one`);
    }
  }
  const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const publicUrl = env.PUBLIC_URL ?? env.FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL ?? `http://${localHost}:${port}`;
  if (production && transport === 'http' && !env.PUBLIC_URL && !env.FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL) {
    fail('PUBLIC_URL', 'required in production (the external https URL clients connect to)');
  }
  const mcpEndpoint = `${publicUrl}${mcpPath}`;
  if (env.MCP_ENDPOINT && env.MCP_ENDPOINT !== mcpEndpoint) {
    fail('MCP_ENDPOINT', `must equal PUBLIC_URL + ATOMS_FASTMCP_HTTP_PATH (${mcpEndpoint}), got ${env.MCP_ENDPOINT}`);
  }

  const supabaseUrl = env.NEXT_PUBLIC_SUPABASE_URL ?? env.SUPABASE_URL;
  if (env.NEXT_PUBLIC_SUPABASE_URL && env.SUPABASE_URL && env.NEXT_PUBLIC_SUPABASE_URL !== env.SUPABASE_URL) {
    fail('SUPABASE_URL', 'differs from NEXT_PUBLIC_SUPABASE_URL; set one');
  }
  const anonKey = env.NEXT_PUBLIC_SUPABASE_ANON_KEY ?? env.SUPABASE_KEY;
  const authkitDomain = env.FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN;

  // Auth providers: explicit, else the embedded dev issuer, else (production) whatever is configured.
  let providers: AuthProvider[] | undefined = env.ATOMS_FASTMCP_AUTH_MODE;
  if (!providers && raw['ATOMS_FASTMCP_AUTH_MODE'] === undefined) {
    if (!production) providers = ['dev'];
    else {
      providers = [];
      if (supabaseUrl) providers.push('supabase_jwt');
      if (authkitDomain || env.FASTMCP_SERVER_AUTH?.includes('AuthKit')) providers.push('authkit');
      if (providers.length === 0) {
        fail(
          'ATOMS_FASTMCP_AUTH_MODE',
          `required in production: ${AUTH_PROVIDERS.filter((p) => p !== 'dev').join(' and/or ')}`,
        );
      }
    }
  }
  providers ??= [];
  if (production && providers.includes('dev')) {
    fail('ATOMS_FASTMCP_AUTH_MODE', 'the local development issuer (dev) cannot be used with PRODUCTION=true');
  }
  let authkit: AppConfig['auth']['authkit'];
  if (providers.includes('authkit')) {
    if (!authkitDomain) fail('FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN', 'required for authkit auth');
    if (!env.WORKOS_CLIENT_ID) fail('WORKOS_CLIENT_ID', 'required for authkit auth (the audience of AuthKit tokens)');
    if (authkitDomain && env.WORKOS_CLIENT_ID) authkit = { domain: authkitDomain, clientId: env.WORKOS_CLIENT_ID };
  }
  let supabaseAuth: AppConfig['auth']['supabase'];
  if (providers.includes('supabase_jwt')) {
    if (!supabaseUrl) fail('NEXT_PUBLIC_SUPABASE_URL', 'required for supabase_jwt auth');
    else
      supabaseAuth = {
        url: supabaseUrl,
        ...(env.SUPABASE_JWT_SECRET ? { jwtSecret: env.SUPABASE_JWT_SECRET } : {}),
      };
  }

  // Database: DATABASE_URL (pg), else Supabase over PostgREST when its service key is given, else PGlite.
  const cwd = options.cwd ?? process.cwd();
  const dataDir = resolve(cwd, env.ATOMS_DATA_DIR ?? '.atoms');
  let database: DatabaseConfig;
  if (env.DATABASE_URL) {
    database = { kind: 'pg', url: env.DATABASE_URL, poolMax: env.DATABASE_POOL_MAX ?? 10 };
  } else if (supabaseUrl && (env.SUPABASE_SERVICE_ROLE_KEY || production)) {
    if (!anonKey) fail('NEXT_PUBLIC_SUPABASE_ANON_KEY', 'required for the Supabase database (or set DATABASE_URL)');
    if (!env.SUPABASE_SERVICE_ROLE_KEY) {
      fail('SUPABASE_SERVICE_ROLE_KEY', 'required for the Supabase database (or set DATABASE_URL)');
    }
    if (providers.some((p) => p !== 'supabase_jwt') && !env.SUPABASE_JWT_SECRET) {
      fail(
        'SUPABASE_JWT_SECRET',
        'required when non-Supabase tokens reach the Supabase database (tokens are re-signed)',
      );
    }
    database = {
      kind: 'supabase',
      url: supabaseUrl,
      anonKey: anonKey ?? '',
      serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY ?? '',
      ...(env.SUPABASE_JWT_SECRET ? { jwtSecret: env.SUPABASE_JWT_SECRET } : {}),
    };
  } else {
    if (production) fail('DATABASE_URL', 'required in production (or NEXT_PUBLIC_SUPABASE_URL with its keys)');
    database = { kind: 'pglite', dir: join(dataDir, 'data') };
  }
  if (production && transport === 'http' && !env.REDIS_URL) {
    fail('REDIS_URL', 'required in production (sessions, rate limits and MCP sessions are shared through Redis)');
  }

  const embeddings: EmbeddingsConfig = env.GOOGLE_CLOUD_PROJECT
    ? {
        kind: 'vertex',
        project: env.GOOGLE_CLOUD_PROJECT,
        location: env.GOOGLE_CLOUD_LOCATION ?? 'us-central1',
        model: env.VERTEX_EMBEDDINGS_MODEL ?? 'gemini-embedding-001',
        ...(env.GOOGLE_CLOUD_ACCESS_TOKEN ? { accessToken: env.GOOGLE_CLOUD_ACCESS_TOKEN } : {}),
      }
    : { kind: 'local' };

  // The burst is the most requests allowed at once, so it is at least the per-minute limit: an explicit smaller
  // value is a mistake worth refusing; the default (100) simply follows a larger per-minute limit.
  const perMinute = env.RATE_LIMIT_REQUESTS_PER_MINUTE ?? 60;
  const burstSet = raw['RATE_LIMIT_BURST_SIZE'] !== undefined;
  if (burstSet && env.RATE_LIMIT_BURST_SIZE !== undefined && env.RATE_LIMIT_BURST_SIZE < perMinute) {
    fail(
      'RATE_LIMIT_BURST_SIZE',
      `must be at least RATE_LIMIT_REQUESTS_PER_MINUTE (${perMinute}): it is the most requests allowed at once`,
    );
  }
  const burst = Math.max(env.RATE_LIMIT_BURST_SIZE ?? 100, perMinute);

  // Rewriting a session on every request is a store write per request; skipping it while the session was seen
  // recently makes the idle timeout precise to the throttle, which must stay well below the timeout itself.
  const idleTimeoutSeconds = (env.SESSION_IDLE_TIMEOUT_MINUTES ?? 30) * 60;
  const throttleSet = raw['SESSION_TOUCH_THROTTLE_SECONDS'] !== undefined;
  const throttle = env.SESSION_TOUCH_THROTTLE_SECONDS ?? 30;
  if (throttleSet && throttle * 2 > idleTimeoutSeconds) {
    fail(
      'SESSION_TOUCH_THROTTLE_SECONDS',
      `must be at most half of SESSION_IDLE_TIMEOUT_MINUTES (${idleTimeoutSeconds / 2} s): it is how late the idle timeout may end a session`,
    );
  }
  const touchThrottleSeconds = throttleSet ? throttle : Math.min(throttle, idleTimeoutSeconds / 10);

  if (problems.length > 0) return undefined;
  return {
    env: env as Env,
    production,
    transport,
    host,
    port,
    publicUrl,
    mcpPath,
    mcpEndpoint,
    dataDir,
    devKeysFile: join(dataDir, 'dev-issuer-keys.json'),
    database,
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    auth: {
      providers,
      requiredScopes: env.FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_REQUIRED_SCOPES ?? [],
      verificationCacheMs: (env.AUTH_VERIFICATION_CACHE_SECONDS ?? 30) * 1000,
      ...(authkit ? { authkit } : {}),
      ...(supabaseAuth ? { supabase: supabaseAuth } : {}),
    },
    embeddings,
    sessions: {
      idleTimeoutMs: idleTimeoutSeconds * 1000,
      absoluteTimeoutMs: (env.MCP_SESSION_TTL_HOURS ?? 24) * 3_600_000,
      touchThrottleMs: touchThrottleSeconds * 1000,
      maxPerUser: env.MAX_SESSIONS_PER_USER ?? 10,
    },
    rateLimit: {
      enabled: env.RATE_LIMIT_ENABLED ?? true,
      perMinute,
      burst,
      failPolicy: env.RATE_LIMIT_FAIL_POLICY ?? 'insurance',
    },
  };
}
