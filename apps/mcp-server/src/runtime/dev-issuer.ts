import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createDevIssuer, type DevIssuer } from '@atoms/session';
import { FileSigningKeyStore } from '@atoms/session/file-key-store';
import type { AppConfig } from '../config/index.js';
import { devSubject } from './identity.js';

/** The local development issuer, its keys persisted under ATOMS_DATA_DIR so tokens survive restarts. */
export async function openDevIssuer(config: AppConfig): Promise<DevIssuer> {
  await mkdir(dirname(config.devKeysFile), { recursive: true });
  return createDevIssuer({
    issuer: config.publicUrl,
    audience: config.mcpEndpoint,
    keyStore: new FileSigningKeyStore(config.devKeysFile),
    accessTokenTtlSeconds: config.env.ATOMS_DEV_TOKEN_TTL_SECONDS,
  });
}

/** A stand-alone access token for `email` (no tracked session, so it works across restarts and processes). */
export async function mintDevToken(
  issuer: DevIssuer,
  config: AppConfig,
  email: string,
  ttlSeconds?: number,
): Promise<{ token: string; expiresAt: number; subject: string }> {
  const subject = devSubject(email);
  const minted = await issuer.mintAccessToken({
    sub: subject,
    email: email.toLowerCase(),
    scopes: config.auth.requiredScopes,
    clientId: 'atoms-dev-cli',
    ...(ttlSeconds ? { ttlSeconds } : {}),
  });
  return { token: minted.token, expiresAt: minted.expiresAt, subject };
}
