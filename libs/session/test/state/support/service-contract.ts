/**
 * The services (sessions, rotation, revocation, rate rules) run against every store: the same behaviour, and the
 * same atomicity under races, whatever the backend.
 */
import type { AuditEvent } from '../../../src/sessions/audit.js';
import { SessionError } from '../../../src/sessions/errors.js';
import { RefreshTokenService } from '../../../src/sessions/refresh-token-service.js';
import { RevocationService } from '../../../src/sessions/revocation.js';
import { SecurityRateLimiter } from '../../../src/sessions/rate-rules.js';
import { SessionManager } from '../../../src/sessions/session-manager.js';
import { StateStoreJwksCache } from '../../../src/sessions/jwks-store-cache.js';
import type { StoreFixture } from './store-contract.js';

const MIN = 60_000;

function setup(
  fixture: StoreFixture,
  options: { overlapMs?: number; maxSessionsPerUser?: number; touchThrottleMs?: number } = {},
) {
  const clock = { t: Date.now() };
  const now = () => clock.t;
  const events: AuditEvent[] = [];
  const audit = { sink: (e: AuditEvent) => void events.push(e) };
  const sessions = new SessionManager({
    store: fixture.store,
    now,
    audit,
    ...(options.maxSessionsPerUser ? { maxSessionsPerUser: options.maxSessionsPerUser } : {}),
    ...(options.touchThrottleMs ? { touchThrottleMs: options.touchThrottleMs } : {}),
  });
  const refresh = new RefreshTokenService({
    store: fixture.store,
    sessions,
    now,
    audit,
    ...(options.overlapMs === undefined ? {} : { overlapMs: options.overlapMs }),
  });
  const revocation = new RevocationService({ store: fixture.store, sessions, refreshTokens: refresh, now, audit });
  return { clock, events, sessions, refresh, revocation, types: () => events.map((e) => e.type) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (error instanceof SessionError) return error.code;
    throw error;
  }
}

export function describeServiceContract(getFixture: () => StoreFixture): void {
  describe('SessionManager on this store', () => {
    it('creates, gets, touches, lists and terminates sessions; ids are stored only as hashes', async () => {
      const fixture = getFixture();
      const { sessions, clock, types } = setup(fixture);
      const user = await fixture.newOwner();
      const { sessionId, session } = await sessions.create(user, { attributes: { client: 'claude' } });
      expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(session.handle).toMatch(/^[0-9a-f]{64}$/);
      expect(session.handle).not.toContain(sessionId);
      expect(session.expiresAt).toBe(clock.t + 30 * MIN);
      expect(session.absoluteExpiresAt).toBe(clock.t + 24 * 60 * MIN);
      const listedRaw = await fixture.store.list('session', user);
      expect(JSON.stringify(listedRaw)).not.toContain(sessionId);

      clock.t += 10 * MIN;
      const touched = await sessions.touch(user, sessionId);
      expect(touched?.lastSeenAt).toBe(clock.t);
      expect((await sessions.get(user, sessionId))?.attributes).toEqual({ client: 'claude' });

      const other = await fixture.newOwner();
      expect(await sessions.get(other, sessionId)).toBeNull();
      expect(await sessions.get(user, 'not-a-session-id')).toBeNull();

      expect((await sessions.list(user)).map((s) => s.handle)).toEqual([session.handle]);
      expect(await sessions.terminate(user, sessionId)).toBe(true);
      expect(await sessions.get(user, sessionId)).toBeNull();
      expect(await sessions.terminate(user, sessionId)).toBe(false);
      expect(types()).toEqual(['session.created', 'session.terminated']);
    });

    it('ends sessions at the idle timeout and at the absolute timeout despite activity', async () => {
      const fixture = getFixture();
      const { sessions, clock, events } = setup(fixture);
      const user = await fixture.newOwner();
      const idle = await sessions.create(user);
      clock.t += 29 * MIN;
      expect(await sessions.get(user, idle.sessionId)).not.toBeNull();
      clock.t += 2 * MIN;
      expect(await sessions.touch(user, idle.sessionId)).toBeNull();
      expect(events.at(-1)).toMatchObject({ type: 'session.expired', reason: 'idle_timeout' });

      const busy = await sessions.create(user);
      for (let hour = 0; hour < 24; hour++) {
        clock.t += 20 * MIN;
        expect(await sessions.touch(user, busy.sessionId)).not.toBeNull();
        clock.t += 20 * MIN;
        expect(await sessions.touch(user, busy.sessionId)).not.toBeNull();
        clock.t += 20 * MIN;
        if (hour < 23) expect(await sessions.touch(user, busy.sessionId)).not.toBeNull();
      }
      expect(await sessions.get(user, busy.sessionId)).toBeNull();
      expect(events.at(-1)).toMatchObject({ type: 'session.expired', reason: 'absolute_timeout' });
      expect(await sessions.list(user)).toEqual([]);
    });

    it('evicts the oldest sessions beyond the per-user maximum', async () => {
      const fixture = getFixture();
      const { sessions, clock, events } = setup(fixture, { maxSessionsPerUser: 3 });
      const user = await fixture.newOwner();
      const created = [];
      for (let i = 0; i < 3; i++) {
        created.push(await sessions.create(user));
        clock.t += 1000;
      }
      const fourth = await sessions.create(user);
      expect(fourth.evicted).toEqual([created[0]!.session.handle]);
      expect(await sessions.get(user, created[0]!.sessionId)).toBeNull();
      expect((await sessions.list(user)).map((s) => s.handle).sort()).toEqual(
        [created[1]!, created[2]!, fourth].map((c) => c.session.handle).sort(),
      );
      expect(events.filter((e) => e.type === 'session.evicted')).toHaveLength(1);
    });

    it('terminates all sessions, or all but the current one', async () => {
      const fixture = getFixture();
      const { sessions } = setup(fixture);
      const [user, bystander] = [await fixture.newOwner(), await fixture.newOwner()];
      const mine = await Promise.all([1, 2, 3].map(() => sessions.create(user)));
      const theirs = await sessions.create(bystander);
      expect(await codeOf(sessions.terminateOthers(user, 'not an id'))).toBe('invalid_argument');
      expect(await sessions.terminateOthers(user, mine[0]!.sessionId)).toBe(2);
      expect((await sessions.list(user)).map((s) => s.handle)).toEqual([mine[0]!.session.handle]);
      expect(await sessions.terminateAll(user)).toBe(1);
      expect(await sessions.list(user)).toEqual([]);
      expect(await sessions.get(bystander, theirs.sessionId)).not.toBeNull();
    });

    it('keeps a session consistent under 20 concurrent touches', async () => {
      const fixture = getFixture();
      const { sessions, clock } = setup(fixture);
      const user = await fixture.newOwner();
      const { sessionId } = await sessions.create(user);
      clock.t += MIN;
      const results = await Promise.all(Array.from({ length: 20 }, () => sessions.touch(user, sessionId)));
      expect(results.every((s) => s?.lastSeenAt === clock.t)).toBe(true);
      expect((await sessions.get(user, sessionId))?.lastSeenAt).toBe(clock.t);
    });

    it('with a touch throttle, rewrites a session only once it is that stale or seen from another device', async () => {
      const fixture = getFixture();
      const { sessions, clock } = setup(fixture, { touchThrottleMs: 30_000 });
      const user = await fixture.newOwner();
      const device = { ipPrefix: '203.0.113.0/24', userAgent: 'agent/1', fingerprint: 'f'.repeat(64) };
      const { sessionId, session } = await sessions.create(user, { device });
      const ref = { ns: 'session', id: session.handle, owner: user };
      const version = async () => (await fixture.store.get(ref))?.version;
      const created = await version();

      clock.t += 29_000;
      expect((await sessions.touch(user, sessionId, { device }))?.lastSeenAt).toBe(session.lastSeenAt);
      expect(await version()).toBe(created);

      const moved = { ...device, ipPrefix: '198.51.100.0/24' };
      expect(await sessions.touch(user, sessionId, { device: moved })).toMatchObject({
        lastSeenAt: clock.t,
        lastIpPrefix: '198.51.100.0/24',
      });
      const afterMove = await version();
      expect(afterMove).not.toBe(created);

      clock.t += 29_000;
      expect((await sessions.touch(user, sessionId, { device: moved }))?.lastSeenAt).toBe(clock.t - 29_000);
      expect(await version()).toBe(afterMove);
      clock.t += 1_000;
      expect((await sessions.touch(user, sessionId, { device: moved }))?.lastSeenAt).toBe(clock.t);
      expect(await version()).not.toBe(afterMove);

      // The idle timeout still counts from the last write: at most the throttle late.
      clock.t += 30 * MIN - 1;
      expect(await sessions.touch(user, sessionId, { device: moved })).not.toBeNull();
      clock.t += 30 * MIN;
      expect(await sessions.touch(user, sessionId, { device: moved })).toBeNull();
    });
  });

  describe('RefreshTokenService on this store', () => {
    it('rotates single-use tokens along a family', async () => {
      const fixture = getFixture();
      const { refresh, sessions } = setup(fixture);
      const user = await fixture.newOwner();
      const { sessionId, session } = await sessions.create(user);
      const first = await refresh.issue({ userId: user, sessionId });
      expect(first.token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
      expect(first.sessionHandle).toBe(session.handle);
      const second = await refresh.rotate(first.token);
      expect(second).toMatchObject({ familyId: first.familyId, userId: user, generation: 2, fromOverlap: false });
      const third = await refresh.rotate(second.token);
      expect(third.generation).toBe(3);
      expect(new Set([first.token, second.token, third.token]).size).toBe(3);
      expect(await codeOf(refresh.rotate('rt_' + 'A'.repeat(43)))).toBe('invalid_refresh_token');
      expect(await codeOf(refresh.rotate('garbage'))).toBe('invalid_refresh_token');
    });

    it('50 concurrent rotations of one token: one successor, given to every caller by the overlap rule', async () => {
      const fixture = getFixture();
      const { refresh, events } = setup(fixture);
      const user = await fixture.newOwner();
      const { token } = await refresh.issue({ userId: user });
      const results = await Promise.all(Array.from({ length: 50 }, () => refresh.rotate(token)));
      expect(new Set(results.map((r) => r.token)).size).toBe(1);
      expect(results.filter((r) => !r.fromOverlap)).toHaveLength(1);
      expect(events.filter((e) => e.type === 'token.refreshed')).toHaveLength(1);
      expect(events.some((e) => e.type === 'token.reuse_detected')).toBe(false);
      // The single successor continues the family.
      expect((await refresh.rotate(results[0]!.token)).generation).toBe(3);
    });

    it('50 concurrent rotations without an overlap window: exactly one wins, the rest are reuse and kill the family', async () => {
      const fixture = getFixture();
      const { refresh } = setup(fixture, { overlapMs: 0 });
      const user = await fixture.newOwner();
      const { token } = await refresh.issue({ userId: user });
      const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => refresh.rotate(token)));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const codes = outcomes
        .filter((o): o is PromiseRejectedResult => o.status === 'rejected')
        .map((o) => (o.reason as SessionError).code);
      expect(codes.every((c) => c === 'refresh_token_reused' || c === 'family_revoked')).toBe(true);
      expect(codes).toContain('refresh_token_reused');
      expect(await codeOf(refresh.rotate((won[0] as PromiseFulfilledResult<{ token: string }>).value.token))).toBe(
        'family_revoked',
      );
    });

    it('reuse outside the overlap window revokes the family and ends its session (refresh -> session cascade)', async () => {
      const fixture = getFixture();
      const { refresh, sessions, clock, types } = setup(fixture);
      const user = await fixture.newOwner();
      const { sessionId } = await sessions.create(user);
      const first = await refresh.issue({ userId: user, sessionId });
      const second = await refresh.rotate(first.token);
      clock.t += 10_000;
      expect((await refresh.rotate(first.token)).token).toBe(second.token);
      clock.t += 25_000;
      expect(await codeOf(refresh.rotate(first.token))).toBe('refresh_token_reused');
      expect(await codeOf(refresh.rotate(second.token))).toBe('family_revoked');
      expect(await sessions.get(user, sessionId)).toBeNull();
      expect(types()).toEqual(
        expect.arrayContaining(['token.reuse_detected', 'token.family_revoked', 'session.terminated']),
      );
    });

    it('the previous token is not honoured once its successor was used (not "immediately previous")', async () => {
      const fixture = getFixture();
      const { refresh } = setup(fixture);
      const user = await fixture.newOwner();
      const first = await refresh.issue({ userId: user });
      const second = await refresh.rotate(first.token);
      await refresh.rotate(second.token);
      expect(await codeOf(refresh.rotate(first.token))).toBe('refresh_token_reused');
    });

    it('a rotation counts as session activity', async () => {
      const fixture = getFixture();
      const { refresh, sessions, clock } = setup(fixture);
      const user = await fixture.newOwner();
      const { sessionId } = await sessions.create(user);
      let { token } = await refresh.issue({ userId: user, sessionId });
      for (let i = 0; i < 3; i++) {
        clock.t += 20 * MIN;
        token = (await refresh.rotate(token)).token;
      }
      expect((await sessions.get(user, sessionId))?.lastSeenAt).toBe(clock.t);
    });

    it('a family stops when its session ends; explicit revocation of a refresh token ends the session', async () => {
      const fixture = getFixture();
      const { refresh, sessions, revocation } = setup(fixture);
      const user = await fixture.newOwner();
      const a = await sessions.create(user);
      const fa = await refresh.issue({ userId: user, sessionId: a.sessionId });
      await sessions.terminate(user, a.sessionId);
      expect(await codeOf(refresh.rotate(fa.token))).toBe('session_ended');

      const b = await sessions.create(user);
      const fb = await refresh.issue({ userId: user, sessionId: b.sessionId });
      expect(await revocation.revokeRefreshToken(fb.token)).toBe(true);
      expect(await sessions.get(user, b.sessionId)).toBeNull();
      expect(await codeOf(refresh.rotate(fb.token))).toBe('family_revoked');
    });
  });

  describe('RevocationService on this store', () => {
    it('revokes (iss, jti) for the rest of the token life and users everywhere', async () => {
      const fixture = getFixture();
      const { revocation, sessions, refresh, clock } = setup(fixture);
      const user = await fixture.newOwner();
      const iss = 'https://issuer.example';
      const exp = Math.floor(clock.t / 1000) + 600;
      expect(await revocation.isRevoked({ iss, jti: 'j1', sub: user, exp })).toBe(false);
      expect(await revocation.revokeToken({ iss, jti: 'j1', exp })).toBe(true);
      expect(await revocation.check({ iss, jti: 'j1', sub: user, exp })).toBe(true);
      expect(await revocation.isRevoked({ iss: 'https://other.example', jti: 'j1', sub: user, exp })).toBe(false);
      expect(await revocation.revokeToken({ iss, jti: 'old', exp: Math.floor(clock.t / 1000) - 60 })).toBe(false);

      const { sessionId } = await sessions.create(user);
      const family = await refresh.issue({ userId: user, sessionId });
      const issuedBefore = Math.floor(clock.t / 1000);
      clock.t += 1000;
      expect(await revocation.revokeUser(user)).toEqual({ sessions: 1, families: 1 });
      expect(await revocation.isRevoked({ iss, jti: 'j2', sub: user, exp, iat: issuedBefore })).toBe(true);
      expect(await revocation.isRevokedForUser(user, issuedBefore + 5)).toBe(false);
      expect(await sessions.get(user, sessionId)).toBeNull();
      expect(await codeOf(refresh.rotate(family.token))).toBe('family_revoked');
    });
  });

  describe('SecurityRateLimiter on this store', () => {
    it('allows 5 session creations per 5 minutes, then backs off exponentially', async () => {
      const fixture = getFixture();
      const clock = { t: Date.now() };
      const limiter = new SecurityRateLimiter({ store: fixture.store, now: () => clock.t });
      const sessions = new SessionManager({ store: fixture.store, now: () => clock.t, rateLimiter: limiter });
      const user = await fixture.newOwner();
      for (let i = 0; i < 5; i++) await sessions.create(user);
      const refused = await sessions.create(user).then(
        () => undefined,
        (e: unknown) => e as SessionError,
      );
      expect(refused?.code).toBe('rate_limited');
      expect(refused?.retryAfterMs).toBe(60_000);
      clock.t += 30_000;
      expect((await limiter.consume('session_create', user)).retryAfterMs).toBe(30_000);
      clock.t += 31_000;
      const second = await limiter.consume('session_create', user);
      expect(second).toMatchObject({ allowed: false, retryAfterMs: 120_000 });
    });
  });
}

export function describeJwksCacheContract(getFixture: () => StoreFixture): void {
  it('shares JWKS key sets through the store, newest fetch wins', async () => {
    const cache = new StateStoreJwksCache(getFixture().store);
    const uri = `https://issuer.example/${crypto.randomUUID()}/jwks.json`;
    expect(await cache.get(uri)).toBeUndefined();
    const keys = { keys: [{ kty: 'RSA', kid: 'k1', n: 'abc', e: 'AQAB' }] };
    await cache.set(uri, { jwks: keys, fetchedAt: 2000 }, 60_000);
    await cache.set(uri, { jwks: { keys: [] }, fetchedAt: 1000 }, 60_000);
    expect(await cache.get(uri)).toEqual({ jwks: keys, fetchedAt: 2000 });
    await cache.set(uri, { jwks: { keys: [] }, fetchedAt: 3000 }, 60_000);
    expect(await cache.get(uri)).toEqual({ jwks: { keys: [] }, fetchedAt: 3000 });
  });
}
