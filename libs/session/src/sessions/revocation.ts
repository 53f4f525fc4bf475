import { AuditEmitter, type AuditOptions } from './audit.js';
import { recentSha256Hex } from './crypto.js';
import { invalidArgument } from './errors.js';
import type { RefreshTokenService } from './refresh-token-service.js';
import type { SessionManager } from './session-manager.js';
import { assertId, type StateStore } from './stores/state-store.js';

/**
 * A superset of the verifiers' `RevocationQuery` (tokens half), so `check` fits their `isRevoked` hook: `iat` is optional there;
 * when present, a user-wide revocation ("sign out everywhere") also refuses tokens issued before it.
 */
export interface RevocationLookup {
  readonly iss: string;
  /** Absent for tokens without one (Supabase access tokens): then only the user-wide check applies. */
  readonly jti?: string;
  readonly sub?: string;
  readonly exp?: number;
  readonly iat?: number;
}

export interface RevokeTokenInput {
  readonly iss: string;
  readonly jti: string;
  /** The token's `exp` (epoch seconds): the entry lives as long as the token could still be accepted. */
  readonly exp: number;
}

export interface RevocationServiceOptions {
  readonly store: StateStore;
  readonly sessions?: SessionManager;
  readonly refreshTokens?: RefreshTokenService;
  /** Clock leeway the verifiers grant on `exp`; revocation entries outlive the token by this much. Default 30 s. */
  readonly leewayMs?: number;
  /** Longest life of an access token (the verifiers' max age); a user-wide revocation lasts this long. Default 24 h. */
  readonly maxTokenAgeMs?: number;
  readonly audit?: AuditOptions | AuditEmitter;
  readonly now?: () => number;
}

interface UserRevocation {
  readonly revokedAt: number;
}

const JTI_NS = 'revoked-jti';
const USER_NS = 'revoked-user';

/**
 * Revocation of access tokens by `(iss, jti)` with a TTL equal to the token's remaining life, of sessions, and of
 * everything a user holds (sessions, refresh families, and access tokens issued before the revocation instant).
 * Revoking a refresh token cascades to its session (through `RefreshTokenService`).
 */
export class RevocationService {
  readonly #store: StateStore;
  readonly #sessions: SessionManager | undefined;
  readonly #refreshTokens: RefreshTokenService | undefined;
  readonly #leewayMs: number;
  readonly #maxTokenAgeMs: number;
  readonly #audit: AuditEmitter;
  readonly #now: () => number;

  constructor(options: RevocationServiceOptions) {
    this.#store = options.store;
    this.#sessions = options.sessions;
    this.#refreshTokens = options.refreshTokens;
    this.#leewayMs = options.leewayMs ?? 30_000;
    this.#maxTokenAgeMs = options.maxTokenAgeMs ?? 24 * 3_600_000;
    this.#audit = options.audit instanceof AuditEmitter ? options.audit : new AuditEmitter(options.audit);
    this.#now = options.now ?? Date.now;
  }

  /** Revokes one access token until it would have expired anyway. Returns false when it already has. */
  async revokeToken(input: RevokeTokenInput): Promise<boolean> {
    assertId('iss', input.iss);
    assertId('jti', input.jti);
    if (!Number.isFinite(input.exp)) throw invalidArgument('exp must be the token expiry in epoch seconds');
    const now = this.#now();
    const ttlMs = input.exp * 1000 + this.#leewayMs - now;
    if (ttlMs <= 0) return false;
    const ref = { ns: JTI_NS, id: await jtiKey(input.iss, input.jti) };
    await this.#store.create(ref, { revokedAt: now }, ttlMs);
    await this.#audit.emit({ type: 'token.revoked', at: now, reason: 'jti', detail: { iss: input.iss } });
    return true;
  }

  /** The verifiers' `isRevoked` hook: true for a revoked `(iss, jti)` or a token issued before a user-wide revocation. */
  async isRevoked(query: RevocationLookup): Promise<boolean> {
    // Both lookups at once: one round trip instead of two on a pipelining store client.
    const [byJti, byUser] = await Promise.all([
      query.jti !== undefined && query.jti !== ''
        ? jtiKey(query.iss, query.jti).then(async (id) => (await this.#store.get({ ns: JTI_NS, id })) !== null)
        : false,
      query.sub !== undefined && query.iat !== undefined ? this.isRevokedForUser(query.sub, query.iat) : false,
    ]);
    return byJti || byUser;
  }

  /** True when `sub` was revoked user-wide at or after `iat` (epoch seconds). */
  async isRevokedForUser(sub: string, iat: number): Promise<boolean> {
    const stored = await this.#store.get<UserRevocation>({ ns: USER_NS, id: sub });
    return stored !== null && iat * 1000 <= stored.value.revokedAt;
  }

  /** `isRevoked` bound to this service, to pass as the verifiers' hook. */
  get check(): (query: RevocationLookup) => Promise<boolean> {
    return (query) => this.isRevoked(query);
  }

  async revokeSession(userId: string, sessionId: string, reason = 'revoked'): Promise<boolean> {
    return this.#requireSessions().terminate(userId, sessionId, reason);
  }

  /** Revoking a refresh token revokes its family and ends the session it belongs to. */
  async revokeRefreshToken(token: string, reason = 'revoked'): Promise<boolean> {
    if (!this.#refreshTokens) throw invalidArgument('RevocationService needs `refreshTokens` to revoke refresh tokens');
    return this.#refreshTokens.revoke(token, reason);
  }

  /**
   * Signs the user out everywhere: ends every session, revokes every refresh family, and refuses every access
   * token issued up to now (for the longest time such a token can live).
   */
  async revokeUser(userId: string, reason = 'user_revoked'): Promise<{ sessions: number; families: number }> {
    assertId('userId', userId);
    const now = this.#now();
    // Not owner-scoped: subjects that are not profile UUIDs (WorkOS `user_…`) must work on the Postgres store too.
    const ref = { ns: USER_NS, id: userId };
    const ttl = this.#maxTokenAgeMs + this.#leewayMs;
    for (;;) {
      const existing = await this.#store.get<UserRevocation>(ref);
      const written = existing
        ? await this.#store.replace(ref, existing.version, { revokedAt: Math.max(now, existing.value.revokedAt) }, ttl)
        : await this.#store.create(ref, { revokedAt: now }, ttl);
      if (written) break;
    }
    // Sessions first: the family revocations that follow then find no session left to cascade to.
    const sessions = (await this.#sessions?.terminateAll(userId, reason)) ?? 0;
    const families = (await this.#refreshTokens?.revokeAllForUser(userId, reason)) ?? 0;
    await this.#audit.emit({ type: 'user.revoked', at: now, userId, reason, detail: { sessions, families } });
    return { sessions, families };
  }

  #requireSessions(): SessionManager {
    if (!this.#sessions) throw invalidArgument('RevocationService needs `sessions` to revoke sessions');
    return this.#sessions;
  }
}

// (iss, jti) pairs are hashed so the store key has a bounded length and no issuer URL characters.
function jtiKey(iss: string, jti: string): Promise<string> {
  return recentSha256Hex(`${iss}\u0000${jti}`);
}
