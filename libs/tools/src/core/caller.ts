import type { UserContext } from '@atoms/schema';
import { ToolError } from './tool-error.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The parts of the SDK's AuthInfo the tools read: `extra.claims` (claims.sub = profile UUID) and the token. */
export interface AuthInfoLike {
  token?: string;
  extra?: Record<string, unknown>;
}

/**
 * The caller of one tool call: the factory's `user` when the server was built for one user (one server per
 * request over HTTP), else the verified claims the transport attached as `authInfo.extra.claims` (the shape the
 * HTTP bearer middleware and the test framework's COLD clients produce). Nothing else is trusted.
 */
export function resolveCaller(fixed: UserContext | undefined, authInfo: AuthInfoLike | undefined): UserContext {
  if (fixed) return fixed;
  const claims = authInfo?.extra?.['claims'] as UserContext['claims'] | undefined;
  if (!claims || typeof claims.sub !== 'string' || !UUID.test(claims.sub)) {
    throw new ToolError('permission_denied', 'Authentication required: no verified user on this request.', {
      hint: 'Call the server with a valid bearer token.',
    });
  }
  return { claims, ...(authInfo?.token ? { accessToken: authInfo.token } : {}) };
}
