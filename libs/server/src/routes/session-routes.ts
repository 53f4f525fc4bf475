import type { SessionManager } from '@atoms/session';
import type { Caller } from '../auth/caller.js';
import { errorResponse, jsonResponse } from '../http/pipeline.js';

/**
 * The caller's sessions: list (device, IP prefix, last seen, which one is current), revoke one by handle, revoke
 * every other one ("sign out everywhere else"). Handles are SHA-256 digests: safe to show, useless as credentials.
 */
export function sessionRoutes(sessions: SessionManager) {
  return {
    list: async (caller: Caller): Promise<Response> => {
      const current = caller.session?.handle;
      const list = await sessions.list(caller.userId);
      return jsonResponse(200, {
        sessions: list.map((s) => ({
          id: s.handle,
          current: s.handle === current,
          createdAt: new Date(s.createdAt).toISOString(),
          lastSeenAt: new Date(s.lastSeenAt).toISOString(),
          expiresAt: new Date(s.expiresAt).toISOString(),
          ipPrefix: s.lastIpPrefix ?? s.device?.ipPrefix ?? null,
          userAgent: s.lastUserAgent ?? s.device?.userAgent ?? null,
          device: s.device ? { platform: s.device.platform ?? null, mobile: s.device.mobile ?? null } : null,
          attributes: s.attributes ?? {},
        })),
      });
    },
    revoke: async (caller: Caller, handle: string): Promise<Response> => {
      if (!/^[0-9a-f]{64}$/.test(handle)) return errorResponse(404, 'not_found', 'no such session');
      const ended = await sessions.terminateByHandle(caller.userId, handle, 'user_revoked');
      return ended ? new Response(null, { status: 204 }) : errorResponse(404, 'not_found', 'no such session');
    },
    revokeOthers: async (caller: Caller): Promise<Response> => {
      const keep = caller.session?.handle;
      let revoked = 0;
      for (const session of await sessions.list(caller.userId)) {
        if (session.handle === keep) continue;
        if (await sessions.terminateByHandle(caller.userId, session.handle, 'terminate_others')) revoked++;
      }
      return jsonResponse(200, { revoked, kept: keep ?? null });
    },
  };
}
