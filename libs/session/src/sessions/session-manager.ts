import { AuditEmitter, type AuditOptions } from './audit.js';
import { randomToken, recentSha256Hex, sha256Hex } from './crypto.js';
import type { DeviceSnapshot } from './device.js';
import { invalidArgument } from './errors.js';
import type { SecurityRateLimiter } from './rate-rules.js';
import { assertId, type RecordRef, type StateStore } from './stores/state-store.js';

export const SESSION_NS = 'session';

export interface SessionManagerOptions {
  readonly store: StateStore;
  /** Inactivity after which a session ends; default 30 minutes. */
  readonly idleTimeoutMs?: number;
  /** Hard limit from creation (`MCP_SESSION_TTL_HOURS`); default 24 hours. */
  readonly absoluteTimeoutMs?: number;
  /** `MAX_SESSIONS_PER_USER`; default 10. Creating one more ends the oldest. */
  readonly maxSessionsPerUser?: number;
  /**
   * Skip the write of `touch` when the session was seen less than this long ago (fewer writes, idle timeout
   * precise to this much). Default 0: every touch writes.
   */
  readonly touchThrottleMs?: number;
  /** When given, `create` enforces the `session_create` rule per user (5 per 5 minutes, with back-off). */
  readonly rateLimiter?: SecurityRateLimiter;
  readonly audit?: AuditOptions | AuditEmitter;
  readonly now?: () => number;
}

/** Application data kept with a session (client name, MCP client id, ...): flat, small, JSON. */
export type SessionAttributes = Readonly<Record<string, string | number | boolean>>;

/** What is stored per session, under `<user_id>:<sha256(session id)>`. */
export interface SessionRecord {
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly absoluteExpiresAt: number;
  /** The device the session was created on: the baseline for risk scoring. */
  readonly device?: DeviceSnapshot;
  /** IP prefix and user agent of the latest request, for listings. */
  readonly lastIpPrefix?: string;
  readonly lastUserAgent?: string;
  readonly attributes?: SessionAttributes;
}

/** A session as callers see it. `handle` (SHA-256 of the id) names it in listings without revealing the id. */
export interface SessionInfo extends SessionRecord {
  readonly handle: string;
  readonly idleExpiresAt: number;
  /** The earlier of the idle and absolute deadlines. */
  readonly expiresAt: number;
}

export interface CreateSessionInput {
  readonly device?: DeviceSnapshot;
  readonly attributes?: SessionAttributes;
}

export interface CreatedSession {
  /** The secret session id: returned once, never stored (only its hash is). */
  readonly sessionId: string;
  readonly session: SessionInfo;
  /** Handles of sessions ended to respect `maxSessionsPerUser`. */
  readonly evicted: readonly string[];
}

export interface TouchInput {
  readonly device?: DeviceSnapshot;
  /**
   * Called with the live session before it is written (possibly more than once if concurrent touches race);
   * return false to leave it untouched — `touch` then returns the session as stored. Lets a caller inspect and
   * update a session in two store round trips instead of three (`get`, then `touch`).
   */
  readonly guard?: (session: SessionInfo) => boolean | Promise<boolean>;
}

const SESSION_ID = /^[A-Za-z0-9_-]{22,256}$/;
const HANDLE = /^[0-9a-f]{64}$/;
const MAX_ATTRIBUTES_JSON = 4096;
// Records outlive their deadline by this much so a late request learns "expired" rather than "unknown".
const EXPIRED_GRACE_MS = 60_000;
const TOUCH_ATTEMPTS = 4;

/**
 * Server-side sessions: create, get, touch, list, terminate (one, all, all others), idle and absolute timeouts,
 * a per-user maximum that evicts the oldest, and cleanup of expired records. Session ids are 256-bit CSPRNG
 * values; the store only ever sees their SHA-256, scoped by user, so a leaked store does not yield usable ids and
 * an id presented under another user finds nothing.
 */
export class SessionManager {
  readonly store: StateStore;
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  readonly maxSessionsPerUser: number;
  readonly #touchThrottleMs: number;
  readonly #rateLimiter: SecurityRateLimiter | undefined;
  readonly #audit: AuditEmitter;
  readonly #now: () => number;

  constructor(options: SessionManagerOptions) {
    this.store = options.store;
    this.idleTimeoutMs = positive('idleTimeoutMs', options.idleTimeoutMs ?? 30 * 60_000);
    this.absoluteTimeoutMs = positive('absoluteTimeoutMs', options.absoluteTimeoutMs ?? 24 * 3_600_000);
    this.maxSessionsPerUser = options.maxSessionsPerUser ?? 10;
    if (!Number.isInteger(this.maxSessionsPerUser) || this.maxSessionsPerUser < 1) {
      throw invalidArgument('maxSessionsPerUser must be an integer >= 1');
    }
    this.#touchThrottleMs = options.touchThrottleMs ?? 0;
    this.#rateLimiter = options.rateLimiter;
    this.#audit = options.audit instanceof AuditEmitter ? options.audit : new AuditEmitter(options.audit);
    this.#now = options.now ?? Date.now;
  }

  async create(userId: string, input: CreateSessionInput = {}): Promise<CreatedSession> {
    assertId('userId', userId);
    const attributes = input.attributes;
    if (attributes !== undefined) checkAttributes(attributes);
    await this.#rateLimiter?.enforce('session_create', userId);
    const now = this.#now();
    const record: SessionRecord = {
      userId,
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.absoluteTimeoutMs,
      ...(input.device ? { device: input.device, lastUserAgent: input.device.userAgent } : {}),
      ...(input.device?.ipPrefix ? { lastIpPrefix: input.device.ipPrefix } : {}),
      ...(attributes ? { attributes } : {}),
    };
    let sessionId: string;
    let handle: string;
    // 256 random bits never collide in practice; the loop only makes `create`'s insert-if-absent explicit.
    do {
      sessionId = randomToken(32);
      handle = await sha256Hex(sessionId);
    } while (!(await this.store.create(this.#ref(userId, handle), record, this.#ttl(record, now))));
    const session = this.#info(handle, record);
    await this.#audit.emit({
      type: 'session.created',
      at: now,
      userId,
      sessionHandle: handle,
      ...(record.lastIpPrefix ? { ipPrefix: record.lastIpPrefix } : {}),
    });
    const evicted = await this.#evictBeyondLimit(userId, handle, now);
    return { sessionId, session, evicted };
  }

  /** The live session, or null when unknown, ended or expired (an expired one is removed and audited). */
  async get(userId: string, sessionId: string): Promise<SessionInfo | null> {
    const handle = await this.#handleOf(userId, sessionId);
    return handle ? this.getByHandle(userId, handle) : null;
  }

  async getByHandle(userId: string, handle: string): Promise<SessionInfo | null> {
    assertId('userId', userId);
    if (!HANDLE.test(handle)) return null;
    const stored = await this.store.get<SessionRecord>(this.#ref(userId, handle));
    if (!stored) return null;
    return (await this.#expireIfDue(handle, stored.value)) ? null : this.#info(handle, stored.value);
  }

  /**
   * Records activity: moves the idle deadline and remembers the latest IP prefix and user agent. Returns the
   * session as updated, or null when it is not live. Concurrent touches of one session are safe (compare-and-set).
   */
  async touch(userId: string, sessionId: string, input: TouchInput = {}): Promise<SessionInfo | null> {
    const handle = await this.#handleOf(userId, sessionId);
    return handle ? this.touchByHandle(userId, handle, input) : null;
  }

  async touchByHandle(userId: string, handle: string, input: TouchInput = {}): Promise<SessionInfo | null> {
    assertId('userId', userId);
    if (!HANDLE.test(handle)) return null;
    const ref = this.#ref(userId, handle);
    for (let attempt = 0; attempt < TOUCH_ATTEMPTS; attempt++) {
      const stored = await this.store.get<SessionRecord>(ref);
      if (!stored) return null;
      if (await this.#expireIfDue(handle, stored.value)) return null;
      const now = this.#now();
      const current = stored.value;
      if (input.guard && !(await input.guard(this.#info(handle, current)))) return this.#info(handle, current);
      const sameDevice =
        input.device === undefined ||
        (input.device.ipPrefix === current.lastIpPrefix && input.device.userAgent === current.lastUserAgent);
      if (sameDevice && now - current.lastSeenAt < this.#touchThrottleMs) return this.#info(handle, current);
      const next: SessionRecord = {
        ...current,
        lastSeenAt: Math.max(now, current.lastSeenAt),
        ...(input.device ? { lastUserAgent: input.device.userAgent } : {}),
        ...(input.device?.ipPrefix ? { lastIpPrefix: input.device.ipPrefix } : {}),
      };
      if (await this.store.replace(ref, stored.version, next, this.#ttl(next, now))) return this.#info(handle, next);
    }
    // Every attempt lost to a concurrent touch: the session is live and was just seen by someone else.
    return this.getByHandle(userId, handle);
  }

  /** The user's live sessions, most recently seen first. */
  async list(userId: string): Promise<SessionInfo[]> {
    assertId('userId', userId);
    const records = await this.store.list<SessionRecord>(SESSION_NS, userId);
    const live: SessionInfo[] = [];
    for (const { id, value } of records) {
      if (!(await this.#expireIfDue(id, value))) live.push(this.#info(id, value));
    }
    return live.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  async terminate(userId: string, sessionId: string, reason = 'terminated'): Promise<boolean> {
    const handle = await this.#handleOf(userId, sessionId);
    return handle ? this.terminateByHandle(userId, handle, reason) : false;
  }

  async terminateByHandle(userId: string, handle: string, reason = 'terminated'): Promise<boolean> {
    assertId('userId', userId);
    if (!HANDLE.test(handle)) return false;
    const removed = await this.store.delete(this.#ref(userId, handle));
    if (removed) {
      await this.#audit.emit({ type: 'session.terminated', at: this.#now(), userId, sessionHandle: handle, reason });
    }
    return removed;
  }

  /** Ends every session of the user; returns how many were live. */
  async terminateAll(userId: string, reason = 'terminate_all'): Promise<number> {
    assertId('userId', userId);
    const count = await this.store.deleteAll(SESSION_NS, userId);
    await this.#audit.emit({ type: 'session.terminated', at: this.#now(), userId, reason, detail: { count } });
    return count;
  }

  /** Ends every session of the user except `keepSessionId` ("sign out everywhere else"). */
  async terminateOthers(userId: string, keepSessionId: string, reason = 'terminate_others'): Promise<number> {
    const keep = await this.#handleOf(userId, keepSessionId);
    // A malformed id must not turn "all others" into "all".
    if (!keep) throw invalidArgument('keepSessionId is not a session id');
    let count = 0;
    for (const session of await this.list(userId)) {
      if (session.handle !== keep && (await this.terminateByHandle(userId, session.handle, reason))) count++;
    }
    return count;
  }

  /** Physically removes expired records (sessions and everything else in the store). */
  cleanupExpired(): Promise<number> {
    return this.store.purgeExpired();
  }

  /**
   * Runs `cleanupExpired` every `intervalMs` (`SESSION_CLEANUP_INTERVAL_MINUTES`; default 15 minutes). Failures go
   * to `onError` (default: rethrown as an unhandled rejection, so they are never silent). Returns a stop function.
   */
  startCleanup(intervalMs = 15 * 60_000, onError?: (error: unknown) => void): () => void {
    positive('intervalMs', intervalMs);
    const timer = setInterval(() => {
      this.cleanupExpired().catch((error: unknown) => {
        if (onError) onError(error);
        else throw error;
      });
    }, intervalMs);
    (timer as { unref?: () => void }).unref?.();
    return () => clearInterval(timer);
  }

  /** The handle (SHA-256) of a well-formed session id, or null for anything that cannot be one. */
  async #handleOf(userId: string, sessionId: string): Promise<string | null> {
    assertId('userId', userId);
    return typeof sessionId === 'string' && SESSION_ID.test(sessionId) ? recentSha256Hex(sessionId) : null;
  }

  async #expireIfDue(handle: string, record: SessionRecord): Promise<boolean> {
    const now = this.#now();
    const idleDue = now >= record.lastSeenAt + this.idleTimeoutMs;
    if (!idleDue && now < record.absoluteExpiresAt) return false;
    if (await this.store.delete(this.#ref(record.userId, handle))) {
      await this.#audit.emit({
        type: 'session.expired',
        at: now,
        userId: record.userId,
        sessionHandle: handle,
        reason: idleDue ? 'idle_timeout' : 'absolute_timeout',
      });
    }
    return true;
  }

  async #evictBeyondLimit(userId: string, keepHandle: string, now: number): Promise<string[]> {
    const sessions = await this.list(userId);
    const excess = sessions.length - this.maxSessionsPerUser;
    if (excess <= 0) return [];
    const oldest = sessions
      .filter((s) => s.handle !== keepHandle)
      .sort((a, b) => a.createdAt - b.createdAt || a.handle.localeCompare(b.handle))
      .slice(0, excess);
    const evicted: string[] = [];
    for (const session of oldest) {
      if (await this.store.delete(this.#ref(userId, session.handle))) {
        evicted.push(session.handle);
        await this.#audit.emit({
          type: 'session.evicted',
          at: now,
          userId,
          sessionHandle: session.handle,
          reason: 'max_sessions',
        });
      }
    }
    return evicted;
  }

  #ref(userId: string, handle: string): RecordRef {
    return { ns: SESSION_NS, id: handle, owner: userId };
  }

  #ttl(record: SessionRecord, now: number): number {
    const deadline = Math.min(record.lastSeenAt + this.idleTimeoutMs, record.absoluteExpiresAt);
    return Math.max(1, deadline - now) + EXPIRED_GRACE_MS;
  }

  #info(handle: string, record: SessionRecord): SessionInfo {
    const idleExpiresAt = record.lastSeenAt + this.idleTimeoutMs;
    return { ...record, handle, idleExpiresAt, expiresAt: Math.min(idleExpiresAt, record.absoluteExpiresAt) };
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw invalidArgument(`${name} must be a positive number of ms`);
  return value;
}

function checkAttributes(attributes: SessionAttributes): void {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw invalidArgument('session attributes must be a flat object');
  }
  for (const value of Object.values(attributes)) {
    if (!['string', 'number', 'boolean'].includes(typeof value)) {
      throw invalidArgument('session attribute values must be strings, numbers or booleans');
    }
  }
  if (JSON.stringify(attributes).length > MAX_ATTRIBUTES_JSON) {
    throw invalidArgument(`session attributes must serialize to at most ${MAX_ATTRIBUTES_JSON} characters`);
  }
}
