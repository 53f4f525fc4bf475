import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { SessionInfo } from '@atoms/session';

/** The verified user a request runs as; what the MCP server factory receives. */
export interface Caller {
  /** Profile UUID (after identity resolution): what RLS sees as `auth.uid()`. */
  readonly userId: string;
  /** The token's own `sub` and `iss`. */
  readonly subject: string;
  readonly issuer: string;
  readonly email?: string;
  readonly scopes: readonly string[];
  /**
   * The SDK's auth info, as the test framework's COLD mode produces it:
   * `{ token, clientId, scopes, expiresAt, extra: { sub, email, claims } }` with `claims.sub` the profile UUID.
   */
  readonly authInfo: AuthInfo;
  /** The tracked server-side session, when the request carries one. */
  readonly session: SessionInfo | null;
}
