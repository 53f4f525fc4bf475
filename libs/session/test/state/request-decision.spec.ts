import { SignJWT } from 'jose';
import type { AuditEvent } from '../../src/sessions/audit.js';
import { extractBearer } from '../../src/sessions/bearer.js';
import { deviceFromHeaders } from '../../src/sessions/device.js';
import { RevocationService } from '../../src/sessions/revocation.js';
import { SessionManager } from '../../src/sessions/session-manager.js';
import { MemoryStore } from '../../src/sessions/stores/memory-store.js';
import { bearerChallenge, createRequestAuthenticator, type DenyDecision } from '../../src/sessions/request-decision.js';
import { createHmacVerifier } from '../../src/tokens/hmac-verifier.js';

const secret = 'decision-test-secret-with-at-least-32-bytes!';
const issuer = 'https://project.supabase.co/auth/v1';
const key = new TextEncoder().encode(secret);

function mint(sub: string, extra: Record<string, unknown> = {}, expiresIn = '10m') {
  return new SignJWT({ ...extra })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(issuer)
    .setAudience('authenticated')
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

const browser = { 'user-agent': 'Mozilla/5.0 Firefox/132.0', 'accept-language': 'en-US' };

function setup() {
  const store = new MemoryStore();
  const events: AuditEvent[] = [];
  const audit = { sink: (e: AuditEvent) => void events.push(e) };
  const sessions = new SessionManager({ store, audit });
  const revocation = new RevocationService({ store, sessions, audit });
  const verifier = createHmacVerifier({ secret, issuer, audience: 'authenticated', isRevoked: revocation.check });
  const authenticate = createRequestAuthenticator({
    verify: (token) => verifier.verify(token),
    sessions,
    isRevoked: revocation.check,
    audit,
  });
  return { store, sessions, revocation, authenticate, events };
}

function request(headers: Record<string, string>): Request {
  return new Request('https://mcp.example/api/mcp', { method: 'POST', headers });
}

describe('extractBearer', () => {
  it('accepts exactly one RFC 6750 bearer credential', () => {
    expect(extractBearer({ authorization: 'Bearer abc.def-ghi_jkl~+/==' })).toEqual({
      kind: 'token',
      token: 'abc.def-ghi_jkl~+/==',
    });
    expect(extractBearer({ Authorization: 'bearer abc' })).toEqual({ kind: 'token', token: 'abc' });
    expect(extractBearer({})).toEqual({ kind: 'missing' });
    expect(extractBearer({ authorization: 'Basic dXNlcjpwYXNz' }).kind).toBe('malformed');
    expect(extractBearer({ authorization: 'Bearer a b' }).kind).toBe('malformed');
    expect(extractBearer({ authorization: 'Bearer a,b' }).kind).toBe('malformed');
    expect(extractBearer({ authorization: 'Bearer ' + 'a'.repeat(9000) }).kind).toBe('malformed');
  });
});

describe('createRequestAuthenticator (real HS256 verifier from the tokens half)', () => {
  it('allows a verified token without a session and refuses missing, malformed and bad tokens with reasons', async () => {
    const { authenticate } = setup();
    const ok = await authenticate(request({ authorization: `Bearer ${await mint('user-1')}` }));
    expect(ok).toMatchObject({ ok: true, identity: { subject: 'user-1', issuer, userId: 'user-1' }, session: null });

    expect(await authenticate(request({}))).toMatchObject({
      ok: false,
      status: 401,
      error: null,
      reason: 'missing_token',
    });
    expect(await authenticate(request({ authorization: 'Token x' }))).toMatchObject({
      status: 400,
      error: 'invalid_request',
      reason: 'malformed_authorization',
    });
    const expired = await mint('user-1', {}, '-5m');
    expect(await authenticate(request({ authorization: `Bearer ${expired}` }))).toMatchObject({
      status: 401,
      error: 'invalid_token',
      reason: 'invalid_token',
      tokenReason: 'expired',
    });
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer)
      .setAudience('authenticated')
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('another-secret-that-is-at-least-32-bytes'));
    const refused = (await authenticate({ headers: { authorization: `Bearer ${forged}` } })) as DenyDecision;
    expect(refused).toMatchObject({ reason: 'invalid_token', tokenReason: 'bad_signature' });
    expect(refused.description).not.toContain(forged);
    expect(
      bearerChallenge(refused, { resourceMetadata: 'https://mcp.example/.well-known/oauth-protected-resource' }),
    ).toBe(
      'Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource", error="invalid_token", error_description="the token was refused (bad_signature)"',
    );
  });

  it('refuses a revoked jti and tokens issued before a user-wide revocation', async () => {
    const { authenticate, revocation } = setup();
    const token = await mint('user-2', { jti: 'jti-1' });
    expect((await authenticate({ headers: { authorization: `Bearer ${token}` } })).ok).toBe(true);
    await revocation.revokeToken({ iss: issuer, jti: 'jti-1', exp: Math.floor(Date.now() / 1000) + 600 });
    expect(await authenticate({ headers: { authorization: `Bearer ${token}` } })).toMatchObject({
      ok: false,
      reason: 'revoked',
    });

    const older = await mint('user-3'); // no jti (like Supabase access tokens): the user-wide check still applies
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await revocation.revokeUser('user-3');
    expect(await authenticate({ headers: { authorization: `Bearer ${older}` } })).toMatchObject({ reason: 'revoked' });
  });

  it('tracks the session: touch on success, refusal once it ended, and the device risk policy', async () => {
    const { authenticate, sessions, events } = setup();
    const token = await mint('user-4');
    const device = await deviceFromHeaders(browser, '203.0.113.10');
    const { sessionId } = await sessions.create('user-4', { device });
    const headers = { ...browser, authorization: `Bearer ${token}`, 'x-atoms-session-id': sessionId };

    const same = await authenticate({ headers, ip: '203.0.113.99' });
    expect(same).toMatchObject({ ok: true, riskAction: 'allow', risk: { score: 0, signals: [] } });

    const movedNetwork = await authenticate(request(headers), '198.51.100.1');
    expect(movedNetwork).toMatchObject({
      ok: true,
      riskAction: 'record',
      session: { lastIpPrefix: '198.51.100.0/24' },
    });
    expect(events.some((e) => e.type === 'session.device_changed')).toBe(true);

    const otherLanguage = await authenticate({ headers: { ...headers, 'accept-language': 'ru' }, ip: '203.0.113.10' });
    expect(otherLanguage).toMatchObject({ ok: false, status: 401, reason: 'reauthentication_required' });
    expect(await sessions.get('user-4', sessionId)).not.toBeNull();

    const hijack = await authenticate({
      headers: {
        authorization: `Bearer ${token}`,
        'x-atoms-session-id': sessionId,
        'user-agent': 'python-requests/2.32',
      },
      ip: '192.0.2.1',
    });
    expect(hijack).toMatchObject({ ok: false, reason: 'session_revoked' });
    expect(events.some((e) => e.type === 'session.hijack_suspected')).toBe(true);
    expect(await sessions.get('user-4', sessionId)).toBeNull();
    expect(await authenticate({ headers, ip: '203.0.113.10' })).toMatchObject({ reason: 'session_not_found' });
  });

  it("does not find another user's session id", async () => {
    const { authenticate, sessions } = setup();
    const { sessionId } = await sessions.create('victim');
    const token = await mint('attacker');
    expect(
      await authenticate({ headers: { authorization: `Bearer ${token}`, 'x-atoms-session-id': sessionId } }),
    ).toMatchObject({ ok: false, reason: 'session_not_found' });
    expect(await sessions.get('victim', sessionId)).not.toBeNull();
  });

  it('rethrows verifier failures that are not refusals instead of answering 401', async () => {
    const authenticate = createRequestAuthenticator({
      verify: async () => {
        throw new TypeError('bug in the verifier');
      },
    });
    await expect(authenticate({ headers: { authorization: 'Bearer abc' } })).rejects.toThrow('bug in the verifier');
    const unavailable = createRequestAuthenticator({
      verify: async () => {
        throw Object.assign(new Error('jwks down'), { reason: 'jwks_unavailable', temporary: true });
      },
    });
    expect(await unavailable({ headers: { authorization: 'Bearer abc' } })).toMatchObject({
      status: 503,
      error: 'temporarily_unavailable',
      reason: 'verifier_unavailable',
    });
  });
});
