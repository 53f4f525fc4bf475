import { createInsuredRateLimiter } from './insured-rate-limiter.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { RateLimiterUnavailableError, type RateLimiter } from './rate-limiter.js';

describe('MemoryRateLimiter', () => {
  it('allows `limit` requests per window per key, then refuses with the time to reset', async () => {
    let now = 1_000_000 * 60_000; // a window boundary
    const limiter = new MemoryRateLimiter({ limit: 3, windowMs: 60_000, now: () => now });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.consume('u1:tool'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect((await limiter.consume('u2:tool')).allowed).toBe(true);
    now += 30_000;
    expect(results[3]?.resetMs).toBe(60_000);
    // Half-way into the next window the previous window still weighs 50%: 1.5 used of 3 after one more.
    now += 60_000;
    expect((await limiter.consume('u1:tool')).allowed).toBe(true);
    expect((await limiter.consume('u1:tool')).allowed).toBe(false);
  });

  it('headers follow the IETF draft and add Retry-After only on refusal', () => {
    expect(rateLimitHeaders({ allowed: true, limit: 60, remaining: 59, resetMs: 30_500 }, 60_000)).toEqual([
      ['RateLimit-Policy', '"user-tool";q=60;w=60'],
      ['RateLimit', '"user-tool";r=59;t=31'],
    ]);
    expect(rateLimitHeaders({ allowed: false, limit: 60, remaining: 0, resetMs: 200 }, 60_000)).toContainEqual([
      'Retry-After',
      '1',
    ]);
  });
});

describe('createInsuredRateLimiter', () => {
  const broken: RateLimiter = {
    limit: 2,
    windowMs: 60_000,
    consume: () => Promise.reject(new Error('ECONNREFUSED')),
  };

  it('falls back to the insurance limiter (still limiting) under the insurance policy', async () => {
    const errors: unknown[] = [];
    const limiter = createInsuredRateLimiter({
      primary: broken,
      insurance: new MemoryRateLimiter({ limit: 2 }),
      failPolicy: 'insurance',
      onStoreError: (e) => errors.push(e),
    });
    const answers = [await limiter.consume('k'), await limiter.consume('k'), await limiter.consume('k')];
    expect(answers.map((a) => [a.allowed, a.degraded])).toEqual([
      [true, true],
      [true, true],
      [false, true],
    ]);
    expect(errors).toHaveLength(3);
  });

  it('refuses under the closed policy and allows under the open one', async () => {
    const closed = createInsuredRateLimiter({ primary: broken, failPolicy: 'closed' });
    await expect(closed.consume('k')).rejects.toBeInstanceOf(RateLimiterUnavailableError);
    const open = createInsuredRateLimiter({ primary: broken, failPolicy: 'open' });
    expect(await open.consume('k')).toMatchObject({ allowed: true, degraded: true });
  });

  it('treats a store slower than the timeout as down', async () => {
    const slow: RateLimiter = { limit: 1, windowMs: 1000, consume: () => new Promise(() => undefined) };
    const limiter = createInsuredRateLimiter({ primary: slow, failPolicy: 'closed', timeoutMs: 20 });
    await expect(limiter.consume('k')).rejects.toBeInstanceOf(RateLimiterUnavailableError);
  });
});
