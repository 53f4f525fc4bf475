/** @jest-environment @edge-runtime/jest-environment */
// Runs inside the `edge-runtime` VM (the Vercel Edge runtime's primitives, no Node built-ins): the core entry's
// SessionManager, rotation and request decision on the memory store.
import {
  MemoryStore,
  RefreshTokenService,
  SessionManager,
  createRequestAuthenticator,
  deviceFromHeaders,
  SessionError,
} from '../../src/index.js';

describe('core entry in the Edge runtime (@edge-runtime/jest-environment)', () => {
  it('really runs in the edge-runtime VM', () => {
    expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe('string');
    expect(() => new Function('return 1')()).toThrow();
  });

  it('creates, touches, lists and terminates sessions', async () => {
    const sessions = new SessionManager({ store: new MemoryStore(), maxSessionsPerUser: 2 });
    const device = await deviceFromHeaders(new Headers({ 'user-agent': 'edge-test' }), '2001:db8:1:2::9');
    const a = await sessions.create('user', { device });
    const b = await sessions.create('user');
    const c = await sessions.create('user');
    expect(c.evicted).toEqual([a.session.handle]);
    expect((await sessions.touch('user', b.sessionId, { device }))?.lastIpPrefix).toBe('2001:db8:1:0::/56');
    expect((await sessions.list('user')).map((s) => s.handle).sort()).toEqual(
      [b.session.handle, c.session.handle].sort(),
    );
    expect(await sessions.terminateOthers('user', c.sessionId)).toBe(1);
  });

  it('rotates refresh tokens with the overlap rule and detects reuse', async () => {
    const store = new MemoryStore();
    const clock = { t: Date.now() };
    const refresh = new RefreshTokenService({ store, now: () => clock.t });
    const { token } = await refresh.issue({ userId: 'user' });
    const results = await Promise.all(Array.from({ length: 50 }, () => refresh.rotate(token)));
    expect(new Set(results.map((r) => r.token)).size).toBe(1);
    clock.t += 60_000;
    const reuse = await refresh.rotate(token).catch((e: unknown) => e);
    expect(reuse).toBeInstanceOf(SessionError);
    expect((reuse as SessionError).code).toBe('refresh_token_reused');
  });

  it('decides on a web Request', async () => {
    const sessions = new SessionManager({ store: new MemoryStore() });
    const { sessionId } = await sessions.create('user');
    const authenticate = createRequestAuthenticator({
      verify: async (token) => {
        if (token !== 'good') throw Object.assign(new Error('refused'), { reason: 'bad_signature' });
        return { iss: 'https://issuer', sub: 'user' };
      },
      sessions,
    });
    const allowed = await authenticate(
      new Request('https://x/api', { headers: { authorization: 'Bearer good', 'x-atoms-session-id': sessionId } }),
    );
    expect(allowed).toMatchObject({ ok: true, session: { userId: 'user' } });
    expect(
      await authenticate(new Request('https://x/api', { headers: { authorization: 'Bearer bad' } })),
    ).toMatchObject({ ok: false, tokenReason: 'bad_signature' });
  });
});
