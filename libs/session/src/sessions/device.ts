import { recentSha256Hex } from './crypto.js';
import { ipPrefix } from './ip-prefix.js';

/**
 * What a session remembers about the device that created it. `fingerprint` hashes the browser-stable headers
 * (user agent, accept-language, client hints); the IP prefix is kept apart so an address change and a device
 * change score differently. A detection signal, not proof of identity: every header can be forged.
 */
export interface DeviceSnapshot {
  readonly fingerprint: string;
  readonly userAgent: string;
  readonly ipPrefix?: string;
  /** `sec-ch-ua-platform` when sent (e.g. "macOS"), for session listings. */
  readonly platform?: string;
  readonly mobile?: boolean;
}

export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

// Client hints that identify the browser build; volatile ones (viewport, network) are left out on purpose.
const FINGERPRINT_HEADERS = [
  'user-agent',
  'accept-language',
  'sec-ch-ua',
  'sec-ch-ua-platform',
  'sec-ch-ua-mobile',
  'sec-ch-ua-arch',
  'sec-ch-ua-model',
] as const;

const MAX_HEADER_LENGTH = 512;

export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const value = record[name] ?? Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value.join(', ') : (value as string | undefined);
}

/** Builds the device snapshot of a request from its headers and the client IP the caller trusts. */
export async function deviceFromHeaders(headers: HeaderSource, ip?: string): Promise<DeviceSnapshot> {
  const parts = FINGERPRINT_HEADERS.map(
    (name) => `${name}=${(readHeader(headers, name) ?? '').trim().slice(0, MAX_HEADER_LENGTH)}`,
  );
  const userAgent = (readHeader(headers, 'user-agent') ?? '').trim().slice(0, MAX_HEADER_LENGTH);
  const platform = readHeader(headers, 'sec-ch-ua-platform')?.trim().replace(/^"|"$/g, '').slice(0, 64);
  const mobile = readHeader(headers, 'sec-ch-ua-mobile')?.trim();
  const prefix = ipPrefix(ip);
  return {
    fingerprint: await recentSha256Hex(parts.join('\n')),
    userAgent,
    ...(prefix === undefined ? {} : { ipPrefix: prefix }),
    ...(platform ? { platform } : {}),
    ...(mobile === '?1' ? { mobile: true } : mobile === '?0' ? { mobile: false } : {}),
  };
}
