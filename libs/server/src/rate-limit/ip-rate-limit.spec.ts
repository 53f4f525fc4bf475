import { clientKey } from './ip-rate-limit.js';

describe('clientKey', () => {
  it('keeps IPv4 addresses whole (also when IPv4-mapped) and groups IPv6 by /56', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('2001:db8:abcd:12ff::1')).toBe(clientKey('2001:db8:abcd:1200::9'));
    expect(clientKey('2001:db8:abcd:1300::1')).not.toBe(clientKey('2001:db8:abcd:1200::1'));
  });
});
