import type { SupabaseClient } from '@supabase/supabase-js';
import { DatabaseError } from '../errors/database-error.js';
import { userClaims } from '../port/roles.js';
import type { Claims, Database, Session, UserContext } from '../port/types.js';
import { invalid } from '../port/validate.js';
import { SupabaseSession } from './supabase-session.js';

export interface SupabaseDatabaseOptions {
  /** The project URL, e.g. `https://<ref>.supabase.co` (PostgREST at `/rest/v1`). */
  url: string;
  /** The anon (publishable) key: the `apikey` of every request, and the bearer of anonymous ones. */
  anonKey: string;
  /** The service-role key, for `asService` (bypasses RLS). Without it `asService` is refused. */
  serviceRoleKey?: string;
  /**
   * Mints a PostgREST-verifiable JWT for claims when a user context carries no `accessToken` (e.g. a WorkOS
   * subject resolved to a profile UUID, re-signed with the project's JWT secret). Also enables
   * `asService({ claims })`.
   */
  signAccessToken?: (claims: Claims) => Promise<string>;
  /** Custom fetch (tests, tracing). */
  fetch?: typeof fetch;
  /**
   * supabase-js' retry of idempotent reads on network errors and 503/520 (up to 3 times, exponential backoff).
   * Default true; writes and rpc are never retried.
   */
  retry?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyClient = SupabaseClient<any, any, any>;

/** Stands in for a WebSocket constructor: the port never subscribes to realtime channels. */
class NoRealtime {
  constructor() {
    throw new Error('realtime is not used by the Atoms database port');
  }
}

/**
 * supabase-js adapter (isomorphic: runs on the edge). Each unit of work talks to PostgREST with the user's own
 * JWT in the Authorization header, so row-level security decides exactly as in the SQL adapters. Not
 * transactional: put multi-step work in SQL functions and call them with `rpc`.
 */
export function supabaseDatabase(options: SupabaseDatabaseOptions): Database {
  if (!options.url || !options.anonKey) throw invalid('supabase adapter needs url and anonKey');
  // Loaded on first use: supabase-js is an optional peer, so importing @atoms/schema must not require it.
  let createClient: typeof import('@supabase/supabase-js').createClient | undefined;
  const client = async (bearer: string): Promise<AnyClient> => {
    createClient ??= (await import('@supabase/supabase-js')).createClient;
    return createClient(options.url, options.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      // Realtime is never used; Node 20 has no global WebSocket, which supabase-js would otherwise demand.
      realtime: { transport: NoRealtime as never },
      db: { retry: options.retry ?? true },
      global: {
        headers: { Authorization: `Bearer ${bearer}` },
        ...(options.fetch && { fetch: options.fetch }),
      },
    });
  };
  let anonClient: Promise<AnyClient> | undefined;
  let serviceClient: Promise<AnyClient> | undefined;

  async function unit<T>(target: Promise<AnyClient>, work: (s: Session) => Promise<T>): Promise<T> {
    let open = true;
    try {
      return await work(new SupabaseSession(await target, () => open));
    } finally {
      open = false;
    }
  }

  return {
    kind: 'supabase',
    transactional: false,
    async asUser(user: UserContext, work) {
      const claims = userClaims(user?.claims);
      let token = user.accessToken;
      if (!token) {
        if (!options.signAccessToken) {
          throw new DatabaseError('permission_denied', 'No access token for the user and no signer configured');
        }
        token = await options.signAccessToken(claims);
      }
      return unit(client(token), work);
    },
    async asService(work, opts) {
      if (opts?.claims) {
        if (!options.signAccessToken) throw invalid('asService with claims needs signAccessToken on supabase');
        return unit(client(await options.signAccessToken({ ...opts.claims, role: 'service_role' })), work);
      }
      if (!options.serviceRoleKey) {
        throw new DatabaseError('internal', 'supabase adapter has no service role key configured');
      }
      serviceClient ??= client(options.serviceRoleKey);
      return unit(serviceClient, work);
    },
    asAnonymous: (work) => unit((anonClient ??= client(options.anonKey)), work),
    close: async () => undefined,
  };
}
