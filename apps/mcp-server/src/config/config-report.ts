import { envSchema, SECRET_VARIABLES, URL_WITH_CREDENTIALS } from './env-schema.js';
import type { AppConfig, ConfigProblem } from './load-config.js';

/** `postgres://user:pw@host/db` -> `postgres://user:****@host/db`; the password never leaves the process. */
export function maskUrlCredentials(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '****';
    return url.toString();
  } catch {
    return '****';
  }
}

export function displayValue(name: string, value: unknown): string {
  if (value === undefined) return '(unset)';
  if (SECRET_VARIABLES.has(name)) return '**** (set)';
  if (URL_WITH_CREDENTIALS.has(name) && typeof value === 'string') return maskUrlCredentials(value);
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(',');
  return String(value);
}

function rateLimitSummary({ rateLimit, redisUrl }: AppConfig): string {
  if (!rateLimit.enabled) return 'off';
  const burst = rateLimit.burst > rateLimit.perMinute ? `, bursts up to ${rateLimit.burst}` : '';
  const failure = redisUrl ? ` (if Redis fails: ${rateLimit.failPolicy})` : '';
  return `${rateLimit.perMinute}/min per user and tool${burst}${failure}`;
}

function sessionsSummary({ sessions }: AppConfig): string {
  const throttle =
    sessions.touchThrottleMs === 0 ? 'every request' : `at most every ${sessions.touchThrottleMs / 1000} s`;
  return (
    `idle ${sessions.idleTimeoutMs / 60_000} min (last seen written ${throttle}), ` +
    `absolute ${sessions.absoluteTimeoutMs / 3_600_000} h, ${sessions.maxPerUser} per user`
  );
}

/** Multi-line report of the effective configuration, secrets masked; written to stderr at start. */
export function configReport(config: AppConfig, source: Readonly<Record<string, string | undefined>>): string {
  const db = config.database;
  const lines = [
    `Atoms MCP configuration (${config.production ? 'production' : 'development'}, ${config.transport})`,
    `  database:    ${db.kind === 'pglite' ? `PGlite at ${db.dir}` : db.kind === 'pg' ? `PostgreSQL ${maskUrlCredentials(db.url)}` : `Supabase ${db.url}`}`,
    `  state:       ${config.redisUrl ? `Redis ${maskUrlCredentials(config.redisUrl)}` : 'in memory (this process only)'}`,
    `  auth:        ${config.auth.providers.join(', ')}${config.auth.requiredScopes.length ? ` (scopes: ${config.auth.requiredScopes.join(' ')})` : ''}; ${config.auth.verificationCacheMs > 0 ? `verified tokens reused ${config.auth.verificationCacheMs / 1000} s` : 'every request verified'}`,
    `  embeddings:  ${config.embeddings.kind === 'vertex' ? `Vertex AI ${config.embeddings.model} (${config.embeddings.project}/${config.embeddings.location})` : 'local deterministic'}`,
    `  sessions:    ${sessionsSummary(config)}`,
    `  rate limit:  ${rateLimitSummary(config)}`,
    `  endpoint:    ${config.mcpEndpoint}`,
    '  variables (value, or default):',
  ];
  for (const name of Object.keys(envSchema.shape)) {
    const value = (config.env as Record<string, unknown>)[name];
    const isSet = source[name] !== undefined && source[name]?.trim() !== '';
    if (value === undefined && !isSet) continue;
    lines.push(`    ${name}=${displayValue(name, value)}${isSet ? '' : '  (default)'}`);
  }
  return lines.join('\n');
}

/** The refusal printed when the configuration is unusable: every problem, one per line, no stack trace. */
export function problemsReport(problems: readonly ConfigProblem[]): string {
  const lines = [`Atoms MCP cannot start: ${problems.length} configuration problem${problems.length === 1 ? '' : 's'}`];
  for (const p of problems) lines.push(`  - ${p.variable}: ${p.message}`);
  lines.push('See apps/mcp-server/README.md ("Configuration") for every variable.');
  return lines.join('\n');
}
