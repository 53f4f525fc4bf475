/**
 * The network prefix of a client address: /24 for IPv4, /56 for IPv6 (a typical residential delegation), so a
 * device keeps the same prefix across DHCP/SLAAC renumbering and the full address is never stored.
 * IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as IPv4. Returns undefined for anything that is not an IP address.
 */
export function ipPrefix(address: string | undefined | null): string | undefined {
  if (!address) return undefined;
  const ip = address
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  const v4 = parseIpv4(ip);
  if (v4) return `${v4[0]}.${v4[1]}.${v4[2]}.0/24`;
  const v6 = parseIpv6(ip);
  if (!v6) return undefined;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = v6;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.0/24`;
  }
  // /56 keeps the first three groups and the high byte of the fourth.
  return `${[g0, g1, g2, g3 & 0xff00].map((g) => g.toString(16)).join(':')}::/56`;
}

type Octets = [number, number, number, number];
type Groups = [number, number, number, number, number, number, number, number];

function parseIpv4(ip: string): Octets | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : Number.NaN));
  return octets.every((o) => o >= 0 && o <= 255) ? (octets as Octets) : undefined;
}

function parseIpv6(ip: string): Groups | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(ip) || ip.split('::').length > 2) return undefined;
  let tail = ip;
  const embedded: number[] = [];
  if (ip.includes('.')) {
    const lastColon = ip.lastIndexOf(':');
    const v4 = lastColon < 0 ? undefined : parseIpv4(ip.slice(lastColon + 1));
    if (!v4) return undefined;
    embedded.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    const head = ip.slice(0, lastColon + 1);
    tail = head.endsWith('::') ? head : head.slice(0, -1);
  }
  const halves = tail.split('::');
  const parse = (s: string | undefined) => (s === undefined || s === '' ? [] : s.split(':'));
  const headGroups = parse(halves[0]);
  const restGroups = parse(halves[1]);
  const compressed = halves.length === 2;
  if ([...headGroups, ...restGroups].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const explicit = headGroups.length + restGroups.length + embedded.length;
  if (compressed ? explicit > 7 : explicit !== 8) return undefined;
  const zeros = new Array<number>(compressed ? 8 - explicit : 0).fill(0);
  const toInt = (g: string) => parseInt(g, 16);
  return [...headGroups.map(toInt), ...zeros, ...restGroups.map(toInt), ...embedded] as Groups;
}
