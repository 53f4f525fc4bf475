import { AuditEmitter, type AuditOptions } from './audit.js';
import { randomToken, seal, sha256Hex, unseal } from './crypto.js';
import { SessionError, invalidArgument } from './errors.js';
import type { SecurityRateLimiter } from './rate-rules.js';
import type { SessionManager } from './session-manager.js';
import { assertId, type RecordRef, type StateStore, type VersionedRecord } from './stores/state-store.js';

export const REFRESH_NS = 'refresh';
export const FAMILY_NS = 'family';

export interface RefreshTokenServiceOptions {
  readonly store: StateStore;
  /** Life of one refresh token; default 30 days. */
  readonly tokenTtlMs?: number;
  /** Life of a family from its first token, however often it rotates; default 90 days. */
  readonly familyTtlMs?: number;
  /**
   * How long the immediately previous token still works after its rotation, returning the same successor
   * (concurrent tabs, a retried request whose response was lost). Default 30 s; 0 disables it.
   */
  readonly overlapMs?: number;
  /**
   * Sessions the families are bound to: a family whose session ended stops rotating, and revoking a family
   * (reuse, explicit revocation) ends its session.
   */
  readonly sessions?: SessionManager;
  /** When given, each real rotation counts against the `token_refresh` rule (10 per minute per user). */
  readonly rateLimiter?: SecurityRateLimiter;
  readonly audit?: AuditOptions | AuditEmitter;
  readonly now?: () => number;
}

export interface IssueRefreshTokenInput {
  readonly userId: string;
  /** Bind the family to this session (the raw id, as `SessionManager.create` returned it). */
  readonly sessionId?: string;
}

export interface IssuedRefreshToken {
  /** Opaque `rt_…` token (256 random bits). Give it to the client; only its SHA-256 is stored. */
  readonly token: string;
  readonly familyId: string;
  readonly userId: string;
  readonly sessionHandle?: string;
  readonly expiresAt: number;
}

export interface RotatedRefreshToken extends IssuedRefreshToken {
  /** True when this call was answered by the overlap rule (the successor another call already created). */
  readonly fromOverlap: boolean;
  readonly generation: number;
}

interface RefreshRecord {
  readonly familyId: string;
  readonly userId: string;
  readonly generation: number;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly usedAt?: number;
  readonly successorHash?: string;
  /** The successor token, AES-GCM sealed under a key only the holder of this token can derive. */
  readonly successorSealed?: string;
}

export interface FamilyRecord {
  readonly userId: string;
  readonly sessionHandle?: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt?: number;
  readonly revokedReason?: string;
}

const TOKEN = /^rt_[A-Za-z0-9_-]{43}$/;
const REVOKED_FAMILY_RETENTION_MS = 24 * 3_600_000;

/**
 * Refresh-token rotation with families and reuse detection.
 *
 * Each token is single use. Rotating it creates the successor and then claims the token with one
 * compare-and-set; when several rotations of one token race, exactly one claim wins, the losers discard their
 * candidates and are answered by the overlap rule: within `overlapMs` of its rotation the immediately previous
 * token (and only it: its successor must still be unused) returns the same successor, unsealed from the record.
 * Any other reuse revokes the whole family and ends its session. Atomic on every store because it only relies on
 * the store's `create` and `replace`.
 */
export class RefreshTokenService {
  readonly #store: StateStore;
  readonly #tokenTtlMs: number;
  readonly #familyTtlMs: number;
  readonly #overlapMs: number;
  readonly #sessions: SessionManager | undefined;
  readonly #rateLimiter: SecurityRateLimiter | undefined;
  readonly #audit: AuditEmitter;
  readonly #now: () => number;

  constructor(options: RefreshTokenServiceOptions) {
    this.#store = options.store;
    this.#tokenTtlMs = options.tokenTtlMs ?? 30 * 86_400_000;
    this.#familyTtlMs = options.familyTtlMs ?? 90 * 86_400_000;
    this.#overlapMs = options.overlapMs ?? 30_000;
    if (!(this.#tokenTtlMs > 0 && this.#familyTtlMs > 0 && this.#overlapMs >= 0)) {
      throw invalidArgument('tokenTtlMs and familyTtlMs must be > 0, overlapMs >= 0');
    }
    this.#sessions = options.sessions;
    this.#rateLimiter = options.rateLimiter;
    this.#audit = options.audit instanceof AuditEmitter ? options.audit : new AuditEmitter(options.audit);
    this.#now = options.now ?? Date.now;
  }

  /** Starts a new family (at sign-in) and returns its first token. */
  async issue(input: IssueRefreshTokenInput): Promise<IssuedRefreshToken> {
    assertId('userId', input.userId);
    const now = this.#now();
    let sessionHandle: string | undefined;
    if (input.sessionId !== undefined) {
      if (!this.#sessions) throw invalidArgument('binding a family to a session needs the `sessions` option');
      const session = await this.#sessions.get(input.userId, input.sessionId);
      if (!session) throw new SessionError('session_not_found', 'the session to bind the refresh token to is not live');
      sessionHandle = session.handle;
    }
    const familyId = randomToken(16);
    const family: FamilyRecord = {
      userId: input.userId,
      createdAt: now,
      expiresAt: now + this.#familyTtlMs,
      ...(sessionHandle ? { sessionHandle } : {}),
    };
    if (!(await this.#store.create(familyRef(input.userId, familyId), family, this.#familyTtlMs))) {
      throw new SessionError('store_conflict', 'refresh family id collision');
    }
    const { token, expiresAt } = await this.#mint(family, familyId, 1, now);
    await this.#audit.emit({
      type: 'token.issued',
      at: now,
      userId: input.userId,
      familyId,
      ...(sessionHandle ? { sessionHandle } : {}),
    });
    return { token, familyId, userId: input.userId, expiresAt, ...(sessionHandle ? { sessionHandle } : {}) };
  }

  /**
   * Exchanges a refresh token for its successor. Throws `SessionError` with `invalid_refresh_token` (unknown,
   * malformed or expired), `family_revoked`, `session_ended`, `refresh_token_reused` (the family is now revoked)
   * or `rate_limited`.
   */
  async rotate(token: string): Promise<RotatedRefreshToken> {
    if (typeof token !== 'string' || !TOKEN.test(token)) {
      throw new SessionError('invalid_refresh_token', 'malformed refresh token');
    }
    const hash = await sha256Hex(token);
    let stored = await this.#store.get<RefreshRecord>(refreshRef(hash));
    if (!stored || stored.value.expiresAt <= this.#now()) {
      throw new SessionError('invalid_refresh_token', 'unknown or expired refresh token');
    }
    const family = await this.#liveFamily(stored.value);

    if (stored.value.usedAt === undefined) {
      await this.#rateLimiter?.enforce('token_refresh', stored.value.userId);
      const won = await this.#claim(token, hash, stored, family);
      if (won) return won;
      stored = await this.#store.get<RefreshRecord>(refreshRef(hash));
      if (!stored) throw new SessionError('invalid_refresh_token', 'refresh token vanished during rotation');
    }
    return this.#answerReuse(token, stored.value, family);
  }

  /** Revokes the family of `token` (logout) and ends its session. False when the token is unknown. */
  async revoke(token: string, reason = 'revoked'): Promise<boolean> {
    if (typeof token !== 'string' || !TOKEN.test(token)) return false;
    const stored = await this.#store.get<RefreshRecord>(refreshRef(await sha256Hex(token)));
    if (!stored) return false;
    await this.revokeFamily(stored.value.userId, stored.value.familyId, reason);
    return true;
  }

  /** Marks a family revoked (kept a while so late uses are recognised) and ends the session it is bound to. */
  async revokeFamily(userId: string, familyId: string, reason: string): Promise<boolean> {
    assertId('userId', userId);
    assertId('familyId', familyId);
    const ref = familyRef(userId, familyId);
    for (;;) {
      const stored = await this.#store.get<FamilyRecord>(ref);
      if (!stored) return false;
      if (stored.value.revokedAt !== undefined) return false;
      const now = this.#now();
      const revoked: FamilyRecord = { ...stored.value, revokedAt: now, revokedReason: reason };
      if (await this.#store.replace(ref, stored.version, revoked, REVOKED_FAMILY_RETENTION_MS)) {
        await this.#audit.emit({
          type: 'token.family_revoked',
          at: now,
          userId,
          familyId,
          reason,
          ...(stored.value.sessionHandle ? { sessionHandle: stored.value.sessionHandle } : {}),
        });
        if (stored.value.sessionHandle && this.#sessions) {
          await this.#sessions.terminateByHandle(userId, stored.value.sessionHandle, `refresh_${reason}`);
        }
        return true;
      }
    }
  }

  /** Revokes every live family of the user; returns how many. */
  async revokeAllForUser(userId: string, reason = 'user_revoked'): Promise<number> {
    assertId('userId', userId);
    let count = 0;
    for (const { id } of await this.#store.list<FamilyRecord>(FAMILY_NS, userId)) {
      if (await this.revokeFamily(userId, id, reason)) count++;
    }
    return count;
  }

  async #liveFamily(record: RefreshRecord): Promise<FamilyRecord> {
    const family = await this.#store.get<FamilyRecord>(familyRef(record.userId, record.familyId));
    if (!family || family.value.expiresAt <= this.#now()) {
      throw new SessionError('family_revoked', 'the refresh token family has expired');
    }
    if (family.value.revokedAt !== undefined) {
      throw new SessionError('family_revoked', 'the refresh token family was revoked');
    }
    if (family.value.sessionHandle && this.#sessions) {
      // A refresh is activity: it moves the session's idle deadline (and fails if the session has ended).
      const session = await this.#sessions.touchByHandle(record.userId, family.value.sessionHandle);
      if (!session) {
        await this.revokeFamily(record.userId, record.familyId, 'session_ended');
        throw new SessionError('session_ended', 'the session of this refresh token has ended');
      }
    }
    return family.value;
  }

  async #claim(
    token: string,
    hash: string,
    stored: VersionedRecord<RefreshRecord>,
    family: FamilyRecord,
  ): Promise<RotatedRefreshToken | null> {
    const now = this.#now();
    const record = stored.value;
    const generation = record.generation + 1;
    const successor = await this.#mint(family, record.familyId, generation, now);
    const claimed: RefreshRecord = {
      ...record,
      usedAt: now,
      successorHash: successor.hash,
      successorSealed: await seal(successor.token, token),
    };
    if (!(await this.#store.replace(refreshRef(hash), stored.version, claimed, remaining(record, now)))) {
      // Another rotation claimed the token first: our candidate was never handed out.
      await this.#store.delete(refreshRef(successor.hash));
      return null;
    }
    await this.#audit.emit({
      type: 'token.refreshed',
      at: now,
      userId: record.userId,
      familyId: record.familyId,
      detail: { generation },
      ...(family.sessionHandle ? { sessionHandle: family.sessionHandle } : {}),
    });
    return this.#result(successor.token, record, family, successor.expiresAt, generation, false);
  }

  async #answerReuse(token: string, record: RefreshRecord, family: FamilyRecord): Promise<RotatedRefreshToken> {
    const now = this.#now();
    if (
      record.usedAt !== undefined &&
      record.successorHash !== undefined &&
      record.successorSealed !== undefined &&
      this.#overlapMs > 0 &&
      now - record.usedAt <= this.#overlapMs
    ) {
      const successor = await this.#store.get<RefreshRecord>(refreshRef(record.successorHash));
      if (successor && successor.value.usedAt === undefined) {
        const successorToken = await unseal(record.successorSealed, token);
        return this.#result(
          successorToken,
          record,
          family,
          successor.value.expiresAt,
          successor.value.generation,
          true,
        );
      }
    }
    await this.#audit.emit({
      type: 'token.reuse_detected',
      at: now,
      userId: record.userId,
      familyId: record.familyId,
      detail: { generation: record.generation },
      ...(family.sessionHandle ? { sessionHandle: family.sessionHandle } : {}),
    });
    await this.revokeFamily(record.userId, record.familyId, 'reuse_detected');
    throw new SessionError('refresh_token_reused', 'refresh token reuse detected; the token family is revoked');
  }

  async #mint(
    family: FamilyRecord,
    familyId: string,
    generation: number,
    now: number,
  ): Promise<{ token: string; hash: string; expiresAt: number }> {
    const expiresAt = Math.min(now + this.#tokenTtlMs, family.expiresAt);
    if (expiresAt <= now) throw new SessionError('family_revoked', 'the refresh token family has expired');
    for (;;) {
      const token = `rt_${randomToken(32)}`;
      const hash = await sha256Hex(token);
      const record: RefreshRecord = { familyId, userId: family.userId, generation, issuedAt: now, expiresAt };
      if (await this.#store.create(refreshRef(hash), record, expiresAt - now)) return { token, hash, expiresAt };
    }
  }

  #result(
    token: string,
    record: RefreshRecord,
    family: FamilyRecord,
    expiresAt: number,
    generation: number,
    fromOverlap: boolean,
  ): RotatedRefreshToken {
    return {
      token,
      familyId: record.familyId,
      userId: record.userId,
      expiresAt,
      generation,
      fromOverlap,
      ...(family.sessionHandle ? { sessionHandle: family.sessionHandle } : {}),
    };
  }
}

function refreshRef(hash: string): RecordRef {
  return { ns: REFRESH_NS, id: hash };
}

function familyRef(userId: string, familyId: string): RecordRef {
  return { ns: FAMILY_NS, id: familyId, owner: userId };
}

// A used token is kept until its own expiry, so its later reuse is still recognised and revokes the family.
function remaining(record: RefreshRecord, now: number): number {
  return Math.max(1, record.expiresAt - now);
}
