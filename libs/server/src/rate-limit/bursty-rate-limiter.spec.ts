import { createBurstyRateLimiter } from './bursty-rate-limiter.js';
import { createInsuredRateLimiter } from './insured-rate-limiter.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';

describe('createBurstyRateLimiter', () => {
  const MINUTE = 60_000;

  function limiter(now: () => number, sustained = 3, burstSize = 5): RateLimiter {
    return createBurstyRateLimiter({
      sustained: new MemoryRateLimiter({ limit: sustained, windowMs: MINUTE, now }),
      burst: new MemoryRateLimiter({ limit: burstSize - sustained, windowMs: 10 * MINUTE, now }),
    });
  }

  it('allows the burst size at once, then only the sustained rate until the burst window refills', async () => {
    let now = 1_000_000 * 10 * MINUTE; // a boundary of both windows
    const rl = limiter(() => now);
    const first = [];
    for (let i = 0; i < 6; i++) first.push(await rl.consume('u:tool'));
    expect(first.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(first.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0, 0]);
    expect(first.every((d) => d.limit === 3)).toBe(true);
    // Refused: capacity returns when the sustained window turns, the sooner of the two.
    expect(first[5]?.resetMs).toBe(MINUTE);

    // Two windows later the sustained budget is whole again but the burst allowance is spent for 10 minutes.
    now += 2 * MINUTE;
    const later = [];
    for (let i = 0; i < 4; i++) later.push((await rl.consume('u:tool')).allowed);
    expect(later).toEqual([true, true, true, false]);

    // Sliding windows: the allowance is whole again once a full burst window has passed without bursting.
    now += 20 * MINUTE;
    const refilled = [];
    for (let i = 0; i < 6; i++) refilled.push((await rl.consume('u:tool')).allowed);
    expect(refilled).toEqual([true, true, true, true, true, false]);
    // Keys are independent.
    expect((await rl.consume('other:tool')).allowed).toBe(true);
  });

  it('composes under the insurance wrapper: a failing shared store falls back to the bursty memory pair', async () => {
    const now = () => 1_000_000 * 10 * MINUTE;
    const down: RateLimiter = {
      limit: 3,
      windowMs: MINUTE,
      consume: () => Promise.reject(new Error('ECONNREFUSED')),
      ping: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const rl = createInsuredRateLimiter({
      primary: createBurstyRateLimiter({ sustained: down, burst: down }),
      insurance: limiter(now),
      failPolicy: 'insurance',
    });
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await rl.consume('u:tool'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    expect(decisions.every((d) => d.degraded)).toBe(true);
    await expect(rl.ping?.()).rejects.toThrow('ECONNREFUSED');
  });
});
