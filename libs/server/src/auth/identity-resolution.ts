/** A verified subject from some issuer, before it is mapped to a profile id. */
export interface ExternalIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly email?: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * Maps a non-UUID subject (WorkOS AuthKit `user_…`, any OIDC `sub`) to a profile UUID through `user_id_mappings`,
 * creating the profile and mapping on first sight when the token carries an email (domain.md "Identity"). Injected
 * so the database specifics stay in the app; resolve to the profile id, or throw
 * {@link IdentityResolutionError} when the subject cannot be provisioned.
 */
export type ExternalIdentityResolver = (identity: ExternalIdentity) => Promise<string>;

export class IdentityResolutionError extends Error {
  constructor(
    readonly reason: 'unmapped_subject' | 'provisioning_refused',
    message: string,
  ) {
    super(message);
    this.name = 'IdentityResolutionError';
  }
}

export interface IdentityResolutionOptions {
  readonly resolveExternal?: ExternalIdentityResolver;
  /** How long a resolved mapping is reused without asking again; default 5 minutes. */
  readonly cacheTtlMs?: number;
  readonly maxCacheEntries?: number;
  readonly now?: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The profile id of a verified token: a UUID subject is the profile id (Supabase), anything else goes through the
 * injected resolver, cached per (issuer, subject) and single-flight so a burst of first requests provisions once.
 */
export function createIdentityResolution(
  options: IdentityResolutionOptions = {},
): (identity: ExternalIdentity) => Promise<string> {
  const ttl = options.cacheTtlMs ?? 300_000;
  const max = options.maxCacheEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { userId: string; until: number }>();
  const inflight = new Map<string, Promise<string>>();
  return async (identity) => {
    if (UUID.test(identity.subject)) return identity.subject.toLowerCase();
    const resolve = options.resolveExternal;
    if (!resolve) {
      throw new IdentityResolutionError('unmapped_subject', 'this server accepts only profile (UUID) subjects');
    }
    const key = `${identity.issuer}\n${identity.subject}`;
    const hit = cache.get(key);
    if (hit && hit.until > now()) return hit.userId;
    const pending = inflight.get(key);
    if (pending) return pending;
    const lookup = resolve(identity)
      .then((userId) => {
        if (!UUID.test(userId)) throw new TypeError('the identity resolver must return a profile UUID');
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(key, { userId, until: now() + ttl });
        return userId;
      })
      .finally(() => inflight.delete(key));
    inflight.set(key, lookup);
    return lookup;
  };
}
