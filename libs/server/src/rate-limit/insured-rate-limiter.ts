import { RateLimiterUnavailableError, type RateLimitDecision, type RateLimiter } from './rate-limiter.js';

/**
 * What to do when the shared store fails: `insurance` keeps limiting per instance with the in-memory limiter,
 * `open` lets the request through (marked degraded), `closed` refuses it (the handler answers 503).
 */
export type RateLimitFailPolicy = 'insurance' | 'open' | 'closed';

export interface InsuredRateLimiterOptions {
  readonly primary: RateLimiter;
  /** Used under the `insurance` policy; required for it. */
  readonly insurance?: RateLimiter;
  readonly failPolicy: RateLimitFailPolicy;
  /** A slower store answer counts as a failure; default 250 ms. */
  readonly timeoutMs?: number;
  /** Told about every store failure (log it; the handler passes its logger). */
  readonly onStoreError?: (error: unknown) => void;
}

/** Wraps a shared-store limiter with an explicit policy for store failures and a timeout on every call. */
export function createInsuredRateLimiter(options: InsuredRateLimiterOptions): RateLimiter {
  const { primary, insurance, failPolicy } = options;
  if (failPolicy === 'insurance' && !insurance) throw new TypeError('the insurance policy needs an insurance limiter');
  const timeoutMs = options.timeoutMs ?? 250;
  return {
    limit: primary.limit,
    windowMs: primary.windowMs,
    ...(primary.ping ? { ping: () => primary.ping?.() as Promise<void> } : {}),
    async consume(key) {
      try {
        return await withTimeout(primary.consume(key), timeoutMs);
      } catch (error) {
        options.onStoreError?.(error);
        if (failPolicy === 'closed') throw new RateLimiterUnavailableError(error);
        if (failPolicy === 'open') {
          return {
            allowed: true,
            limit: primary.limit,
            remaining: primary.limit,
            resetMs: primary.windowMs,
            degraded: true,
          };
        }
        const decision: RateLimitDecision = await (insurance as RateLimiter).consume(key);
        return { ...decision, degraded: true };
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`rate limiter store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
