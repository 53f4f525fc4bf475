import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { Redis } from 'ioredis';
import { deviceFromHeaders, SessionManager } from '@atoms/session';
import { createRedisStore } from '@atoms/session/redis';

/** The Supabase project the app is configured for; never contacted (HS256 tokens verify with the shared secret). */
export const SUPABASE_URL = 'https://atoms-bench.supabase.co';

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * An access token as Supabase Auth issues it with the project's legacy HS256 JWT secret: the app verifies it with
 * `SUPABASE_JWT_SECRET` (issuer `<url>/auth/v1`, audience `authenticated`, a UUID `sub` = the profile id).
 */
export async function supabaseAccessToken(input: {
  readonly secret: string;
  readonly profileId: string;
  readonly email: string;
  readonly ttlSeconds: number;
}): Promise<string> {
  return new SignJWT({ email: input.email, role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`${SUPABASE_URL}/auth/v1`)
    .setAudience('authenticated')
    .setSubject(input.profileId)
    .setIssuedAt()
    .setExpirationTime(`${input.ttlSeconds}s`)
    .sign(new TextEncoder().encode(input.secret));
}

/**
 * Tracked sessions of the user in the app's own session store (Redis, the app's `<REDIS_KEY_PREFIX>state:`
 * namespace, see apps/mcp-server/src/runtime/state-stores.ts), created with the device the load generator presents,
 * so every request runs the real session gate: a read and the device risk score, and a compare-and-set touch when
 * the app's `SESSION_TOUCH_THROTTLE_SECONDS` has passed since the last one.
 * Returns the raw session ids for `X-Atoms-Session-Id`.
 */
export async function createTrackedSessions(input: {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  readonly userId: string;
  readonly count: number;
  /** The headers every benchmark request carries, and the client address the app sees. */
  readonly headers: Readonly<Record<string, string>>;
  readonly clientIp: string;
}): Promise<string[]> {
  const redis = new Redis(input.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const sessions = new SessionManager({
      store: createRedisStore(redis, { prefix: `${input.keyPrefix}state:` }),
      maxSessionsPerUser: input.count,
    });
    const device = await deviceFromHeaders(new Headers(input.headers), input.clientIp);
    const ids: string[] = [];
    for (let i = 0; i < input.count; i++) {
      const created = await sessions.create(input.userId, { device, attributes: { client: `bench-${i}` } });
      ids.push(created.sessionId);
    }
    return ids;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key of the run's prefix (never FLUSHDB: the Redis is shared). */
export async function deleteRedisPrefix(redisUrl: string, keyPrefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
