import type { Database } from '@atoms/schema';
import type { ExternalIdentity } from '@atoms/server';

/** `user_id_mappings.provider` for the local development issuer, whatever URL it runs on. */
export const DEV_PROVIDER = 'atoms-dev';

/** The dev issuer's subject for an e-mail: not a UUID, so the server maps it through `user_id_mappings`. */
export const devSubject = (email: string): string => `dev:${email.toLowerCase()}`;

/**
 * Maps a verified external identity (AuthKit `user_…`, a dev-issuer subject) to its profile UUID with the
 * database's `resolve_profile` (service role), provisioning the profile and mapping on first sight.
 */
export function profileResolver(db: Database, devIssuerUrl: string | undefined) {
  return async (identity: Pick<ExternalIdentity, 'issuer' | 'subject' | 'email' | 'claims'>): Promise<string> => {
    const provider = identity.issuer === devIssuerUrl ? DEV_PROVIDER : providerName(identity.issuer);
    const name = typeof identity.claims['name'] === 'string' ? identity.claims['name'] : null;
    return db.asService((session) =>
      session.rpc<string>('resolve_profile', {
        p_provider: provider,
        p_subject: identity.subject,
        p_email: identity.email ?? null,
        p_full_name: name,
      }),
    );
  };
}

/** Providers are stored by host (64 characters at most), e.g. `decent-hymn-17.authkit.app`. */
function providerName(issuer: string): string {
  try {
    return new URL(issuer).host.slice(0, 64);
  } catch {
    return issuer.slice(0, 64);
  }
}
