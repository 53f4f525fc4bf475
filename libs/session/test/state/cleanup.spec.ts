import { SessionManager } from '../../src/sessions/session-manager.js';
import { MemoryStore } from '../../src/sessions/stores/memory-store.js';

// Polls instead of sleeping a fixed time: timers run late on a loaded machine.
async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('expired-session cleanup', () => {
  it('startCleanup purges expired records periodically until stopped', async () => {
    const clock = { t: Date.now() };
    const store = new MemoryStore({ now: () => clock.t });
    const sessions = new SessionManager({ store, now: () => clock.t, idleTimeoutMs: 1000 });
    await sessions.create('u1');
    await sessions.create('u2');
    expect(store.size).toBe(2);
    clock.t += 2000 + 60_000; // past the idle deadline and the store grace period
    const stop = sessions.startCleanup(20);
    await eventually(() => store.size === 0);
    stop();
    await sessions.create('u3');
    clock.t += 2000 + 60_000;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(store.size).toBe(1);
    expect(await sessions.cleanupExpired()).toBe(1);
  });

  it('reports cleanup failures to onError instead of losing them', async () => {
    const store = new MemoryStore();
    store.purgeExpired = () => Promise.reject(new Error('store down'));
    const sessions = new SessionManager({ store });
    const errors: unknown[] = [];
    const stop = sessions.startCleanup(20, (error) => errors.push(error));
    await eventually(() => errors.length > 0);
    stop();
    expect(errors.length).toBeGreaterThan(0);
    expect((errors[0] as Error).message).toBe('store down');
  });
});
