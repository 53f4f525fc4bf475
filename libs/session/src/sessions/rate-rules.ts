import type { AuditEmitter } from './audit.js';
import { SessionError, invalidArgument } from './errors.js';
import { assertId, type StateStore } from './stores/state-store.js';

export type SecurityRateRuleName = 'token_refresh' | 'session_create';

export interface RateRule {
  readonly limit: number;
  readonly windowMs: number;
}

/** The spec's security rules: 10 token refreshes per minute, 5 session creations per 5 minutes. */
export const DEFAULT_SECURITY_RATE_RULES: Readonly<Record<SecurityRateRuleName, RateRule>> = {
  token_refresh: { limit: 10, windowMs: 60_000 },
  session_create: { limit: 5, windowMs: 300_000 },
};

export interface BackoffOptions {
  /** First lock-out after a refusal; default `windowMs / limit` of the rule (6 s for refresh, 60 s for create). */
  readonly baseMs?: number;
  /** Longest lock-out; default 1 hour. Each consecutive refusal doubles the lock-out up to this. */
  readonly maxMs?: number;
}

export interface SecurityRateLimiterOptions {
  readonly store: StateStore;
  readonly rules?: Partial<Record<SecurityRateRuleName, RateRule>>;
  readonly backoff?: BackoffOptions;
  readonly now?: () => number;
  readonly audit?: AuditEmitter;
}

export interface RateDecision {
  readonly allowed: boolean;
  readonly limit: number;
  /** Attempts left in the current sliding window (0 when refused). */
  readonly remaining: number;
  /** When refused: how long the subject is locked out. */
  readonly retryAfterMs: number;
}

interface BlockRecord {
  readonly until: number;
}

/**
 * Sliding-window limits (a weighted previous window plus the current one, so a burst across a window boundary
 * still counts) on the store's atomic counters, with exponential back-off: every refusal locks the subject out
 * for twice as long as the previous one, up to `maxMs`; the strike count decays after `2 × maxMs` of good
 * behaviour. Works on every store, so limits hold across instances.
 */
export class SecurityRateLimiter {
  readonly #store: StateStore;
  readonly #rules: Record<SecurityRateRuleName, RateRule>;
  readonly #backoff: Required<Omit<BackoffOptions, 'baseMs'>> & { baseMs?: number };
  readonly #now: () => number;
  readonly #audit: AuditEmitter | undefined;

  constructor(options: SecurityRateLimiterOptions) {
    this.#store = options.store;
    this.#rules = { ...DEFAULT_SECURITY_RATE_RULES, ...options.rules };
    for (const [name, rule] of Object.entries(this.#rules)) {
      if (!Number.isInteger(rule.limit) || rule.limit < 1 || !Number.isFinite(rule.windowMs) || rule.windowMs < 1) {
        throw invalidArgument(`rate rule ${name} needs an integer limit >= 1 and windowMs >= 1`);
      }
    }
    this.#backoff = {
      maxMs: options.backoff?.maxMs ?? 3_600_000,
      ...(options.backoff?.baseMs === undefined ? {} : { baseMs: options.backoff.baseMs }),
    };
    this.#now = options.now ?? Date.now;
    this.#audit = options.audit;
  }

  /** Counts one attempt of `subject` (a user id, or an IP prefix before sign-in) against `rule`. */
  async consume(rule: SecurityRateRuleName, subject: string): Promise<RateDecision> {
    assertId('rate subject', subject);
    const { limit, windowMs } = this.#rule(rule);
    const now = this.#now();
    const blockRef = { ns: 'rate-block', id: `${rule}:${subject}` };
    const block = await this.#store.get<BlockRecord>(blockRef);
    if (block && block.value.until > now) {
      return { allowed: false, limit, remaining: 0, retryAfterMs: block.value.until - now };
    }
    const window = Math.floor(now / windowMs);
    const count = await this.#store.increment(`rate:${rule}:${subject}:${window}`, 2 * windowMs);
    const previous = await this.#store.counter(`rate:${rule}:${subject}:${window - 1}`);
    const weight = 1 - (now - window * windowMs) / windowMs;
    const estimate = Math.floor(previous * weight) + count;
    if (estimate <= limit) return { allowed: true, limit, remaining: limit - estimate, retryAfterMs: 0 };

    const strikes = await this.#store.increment(`rate-strike:${rule}:${subject}`, 2 * this.#backoff.maxMs);
    const base = this.#backoff.baseMs ?? windowMs / limit;
    const retryAfterMs = Math.ceil(Math.min(this.#backoff.maxMs, base * 2 ** Math.min(strikes - 1, 30)));
    // If another instance blocked first, its block stands; either way the subject is locked out.
    if (block) await this.#store.delete(blockRef);
    await this.#store.create<BlockRecord>(blockRef, { until: now + retryAfterMs }, retryAfterMs);
    await this.#audit?.emit({
      type: 'rate.limited',
      at: now,
      reason: rule,
      detail: { retryAfterMs, strikes },
      ...(subject.includes('/') ? { ipPrefix: subject } : { userId: subject }),
    });
    return { allowed: false, limit, remaining: 0, retryAfterMs };
  }

  /** `consume`, throwing `SessionError('rate_limited')` (with `retryAfterMs`) when refused. */
  async enforce(rule: SecurityRateRuleName, subject: string): Promise<RateDecision> {
    const decision = await this.consume(rule, subject);
    if (!decision.allowed) {
      throw new SessionError(
        'rate_limited',
        `${rule} limit reached; retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`,
        {
          retryAfterMs: decision.retryAfterMs,
        },
      );
    }
    return decision;
  }

  #rule(name: SecurityRateRuleName): RateRule {
    const rule = this.#rules[name];
    if (!rule) throw invalidArgument(`unknown rate rule ${String(name)}`);
    return rule;
  }
}
