import { deviceFromHeaders } from '../../src/sessions/device.js';
import { ipPrefix } from '../../src/sessions/ip-prefix.js';
import { assessRisk, riskAction, DEFAULT_RISK_POLICY } from '../../src/sessions/risk.js';
import { SessionError } from '../../src/sessions/errors.js';
import { createRequestAuthenticator } from '../../src/sessions/request-decision.js';

describe('ipPrefix', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    [' 10.1.2.3 ', '10.1.2.0/24'],
    ['2001:db8:abcd:12ff:1:2:3:4', '2001:db8:abcd:1200::/56'],
    ['2001:db8:abcd:1234::1', '2001:db8:abcd:1200::/56'],
    ['[2001:db8::1]', '2001:db8:0:0::/56'],
    ['fe80::1%eth0', 'fe80:0:0:0::/56'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['::1', '0:0:0:0::/56'],
  ])('%s -> %s', (ip, prefix) => {
    expect(ipPrefix(ip)).toBe(prefix);
  });

  it.each(['', '1.2.3', '1.2.3.256', '01.2.3.4', '2001:db8::1::2', '1:2:3:4:5:6:7:8:9', 'hello', '::ffff:1.2.3'])(
    'refuses %j',
    (ip) => {
      expect(ipPrefix(ip)).toBeUndefined();
    },
  );
});

const chrome = {
  'user-agent': 'Mozilla/5.0 (Macintosh) Chrome/130.0',
  'accept-language': 'en-GB,en;q=0.9',
  'sec-ch-ua': '"Chromium";v="130"',
  'sec-ch-ua-platform': '"macOS"',
  'sec-ch-ua-mobile': '?0',
};

describe('device fingerprint and risk', () => {
  it('fingerprints stable headers, keeps the IP apart and reads Headers or plain records alike', async () => {
    const a = await deviceFromHeaders(chrome, '203.0.113.5');
    const b = await deviceFromHeaders(new Headers(chrome), '203.0.113.200');
    expect(a).toEqual(b);
    expect(a).toMatchObject({ ipPrefix: '203.0.113.0/24', platform: 'macOS', mobile: false });
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const otherLanguage = await deviceFromHeaders({ ...chrome, 'accept-language': 'fr-FR' }, '203.0.113.5');
    expect(otherLanguage.fingerprint).not.toBe(a.fingerprint);
  });

  it('scores IP change 0.3, fingerprint mismatch 0.5, user-agent change 0.2 and maps them to the policy', async () => {
    const base = await deviceFromHeaders(chrome, '203.0.113.5');
    const newIp = assessRisk(base, await deviceFromHeaders(chrome, '198.51.100.5'));
    expect(newIp).toEqual({ score: 0.3, signals: ['ip_changed'] });
    expect(riskAction(newIp.score)).toBe('record');

    const newLanguage = assessRisk(
      base,
      await deviceFromHeaders({ ...chrome, 'accept-language': 'de' }, '203.0.113.9'),
    );
    expect(newLanguage).toEqual({ score: 0.5, signals: ['fingerprint_mismatch'] });
    expect(riskAction(newLanguage.score)).toBe('reauthenticate');

    const newBrowser = await deviceFromHeaders({ 'user-agent': 'curl/8.0' }, '198.51.100.5');
    const everything = assessRisk(base, newBrowser);
    expect(everything).toEqual({ score: 1, signals: ['ip_changed', 'fingerprint_mismatch', 'user_agent_changed'] });
    expect(riskAction(everything.score)).toBe('revoke');
    expect(riskAction(0)).toBe('allow');
    expect(riskAction(0.7, { ...DEFAULT_RISK_POLICY, revokeAt: 0.7 })).toBe('revoke');
  });

  it('refuses an inconsistent policy', () => {
    expect(() =>
      createRequestAuthenticator({
        verify: async () => ({ iss: 'x', sub: 'y' }),
        riskPolicy: { recordAt: 0.5, reauthenticateAt: 0.4, revokeAt: 1 },
      }),
    ).toThrow(SessionError);
  });
});
