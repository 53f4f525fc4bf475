import { z } from 'zod';

/**
 * Every environment variable the server reads, with the seed checklist's names and the embedded defaults
 * (`npm start` on a fresh clone needs none of them). Values are strings in the environment; empty strings count
 * as unset, so `FOO=` in a .env file falls back to the default instead of failing.
 */
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((v) => v.replace(/\/+$/, ''));

const list = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .optional();

export const AUTH_PROVIDERS = ['dev', 'supabase_jwt', 'authkit'] as const;
export type AuthProvider = (typeof AUTH_PROVIDERS)[number];

export const envSchema = z.object({
  // Core
  PRODUCTION: flag(false),
  ATOMS_FASTMCP_TRANSPORT: z.enum(['http', 'stdio'], { error: 'must be http or stdio' }).default('http'),
  ATOMS_FASTMCP_HTTP_PATH: z
    .string()
    .regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, { error: 'must be a path like /api/mcp' })
    .default('/api/mcp'),
  ATOMS_FASTMCP_HTTP_AUTH_MODE: z
    .enum(['required'], { error: 'must be "required" (every MCP request needs a bearer token)' })
    .default('required'),
  ATOMS_FASTMCP_AUTH_MODE: z
    .string()
    .transform((v, ctx) => {
      const modes = v
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      const bad = modes.filter((m) => !(AUTH_PROVIDERS as readonly string[]).includes(m));
      if (bad.length > 0 || modes.length === 0) {
        ctx.addIssue({ code: 'custom', message: `must be a comma list of ${AUTH_PROVIDERS.join(', ')}` });
        return z.NEVER;
      }
      return [...new Set(modes)] as AuthProvider[];
    })
    .optional(),
  LOG_LEVEL: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(
      z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
        error: 'must be trace, debug, info, warn, error, fatal or silent',
      }),
    )
    .default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(8000, 0, 65535),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 300_000),
  /** Readiness answers 503 this long before the listener closes, so load balancers stop routing first. */
  SHUTDOWN_DRAIN_DELAY_MS: z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(0, { error: 'must be at least 0' })
    .max(120_000, { error: 'must be at most 120000' })
    .optional(),
  ATOMS_DATA_DIR: z.string().min(1).default('.atoms'),
  ATOMS_READ_ONLY: flag(false),
  ATOMS_SEED_DEMO: flag(true),

  // Public URLs
  PUBLIC_URL: httpUrl.optional(),
  FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_BASE_URL: httpUrl.optional(),
  MCP_ENDPOINT: httpUrl.optional(),
  CORS_ALLOWED_ORIGINS: list,
  ALLOWED_HOSTS: list,
  MAX_BODY_BYTES: int(1_048_576, 1024, 100 * 1_048_576),
  METRICS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),

  // WorkOS AuthKit
  FASTMCP_SERVER_AUTH: z.string().optional(),
  FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_AUTHKIT_DOMAIN: httpUrl.optional(),
  FASTMCP_SERVER_AUTH_AUTHKITPROVIDER_REQUIRED_SCOPES: list,
  AUTH_VERIFICATION_CACHE_SECONDS: int(30, 0, 300),
  WORKOS_API_KEY: z.string().min(1).optional(),
  WORKOS_CLIENT_ID: z.string().min(1).optional(),

  // Supabase
  NEXT_PUBLIC_SUPABASE_URL: httpUrl.optional(),
  SUPABASE_URL: httpUrl.optional(),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: z.string().min(1).optional(),
  SUPABASE_KEY: z.string().min(1).optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(1).optional(),
  SUPABASE_JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),

  // Database and shared state
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//i, { error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  DATABASE_POOL_MAX: int(10, 1, 500),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//i, { error: 'must be a redis:// or rediss:// URL' })
    .optional(),
  REDIS_KEY_PREFIX: z.string().min(1).default('atoms:'),

  // Google Cloud (embeddings)
  GOOGLE_CLOUD_PROJECT: z.string().min(1).optional(),
  GOOGLE_CLOUD_LOCATION: z
    .string()
    .regex(/^[a-z0-9-]+$/, { error: 'must be a region name like us-central1' })
    .default('us-central1'),
  VERTEX_EMBEDDINGS_MODEL: z
    .enum(['text-embedding-004', 'gemini-embedding-001'], {
      error: 'must be text-embedding-004 or gemini-embedding-001',
    })
    .default('gemini-embedding-001'),
  GOOGLE_CLOUD_ACCESS_TOKEN: z.string().min(1).optional(),

  // Sessions
  MCP_SESSION_TTL_HOURS: int(24, 1, 24 * 30),
  SESSION_IDLE_TIMEOUT_MINUTES: int(30, 1, 24 * 60),
  SESSION_TOUCH_THROTTLE_SECONDS: int(30, 0, 12 * 60 * 60),
  SESSION_CLEANUP_INTERVAL_MINUTES: int(30, 1, 24 * 60),
  MAX_SESSIONS_PER_USER: int(10, 1, 1000),
  ATOMS_MCP_STATEFUL: flag(false),

  // Rate limiting
  RATE_LIMIT_ENABLED: flag(true),
  RATE_LIMIT_REQUESTS_PER_MINUTE: int(60, 1, 1_000_000),
  RATE_LIMIT_BURST_SIZE: int(100, 1, 1_000_000),
  RATE_LIMIT_FAIL_POLICY: z
    .enum(['insurance', 'open', 'closed'], { error: 'must be insurance, open or closed' })
    .default('insurance'),

  // Cache
  CACHE_ENABLED: flag(true),
  CACHE_TTL_SECONDS: int(300, 1, 86_400),
  CACHE_MAX_SIZE_MB: int(100, 1, 100_000),

  // Local development issuer and stdio
  ATOMS_DEV_USER_EMAIL: z.email({ error: 'must be an e-mail address' }).default('dev@atoms.local'),
  ATOMS_DEV_TOKEN_TTL_SECONDS: int(43_200, 60, 86_400),
  ATOMS_ACCESS_TOKEN: z.string().min(1).optional(),
});

export type Env = z.output<typeof envSchema>;
export type EnvName = keyof Env;

/** Variables whose values never appear in reports or logs. URLs with credentials are shown without them. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'METRICS_TOKEN',
  'WORKOS_API_KEY',
  'NEXT_PUBLIC_SUPABASE_ANON_KEY',
  'SUPABASE_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
  'SUPABASE_JWT_SECRET',
  'GOOGLE_CLOUD_ACCESS_TOKEN',
  'ATOMS_ACCESS_TOKEN',
]);
export const URL_WITH_CREDENTIALS: ReadonlySet<string> = new Set(['DATABASE_URL', 'REDIS_URL']);
