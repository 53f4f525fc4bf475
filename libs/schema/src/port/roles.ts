import type { SqlStatement } from './sql-builder.js';
import type { Claims } from './types.js';
import { invalid } from './validate.js';

export type DatabaseRole = 'authenticated' | 'service_role' | 'anon';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The claims a user unit of work runs with; `sub` must already be a profile UUID (see domain.md, Identity). */
export function userClaims(claims: Claims): Claims {
  if (typeof claims !== 'object' || claims === null) throw invalid('claims are required');
  if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) {
    throw invalid('claims.sub must be a profile UUID (resolve external subjects through user_id_mappings first)');
  }
  return { ...claims, role: 'authenticated' };
}

/**
 * Switches the transaction to `role` with PostgREST's settings, all transaction-local (`set_config(..., true)`)
 * so nothing leaks to the next unit of work on a pooled connection.
 */
export function roleSetup(role: DatabaseRole, claims: Claims | undefined, statementTimeoutMs: number): SqlStatement {
  const json = JSON.stringify(claims ?? { role });
  return {
    text:
      "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true), " +
      "set_config('request.jwt.claim.sub', $3, true), set_config('request.jwt.claim.role', $1, true), " +
      "set_config('statement_timeout', $4, true)",
    params: [role, json, claims?.sub ?? '', String(statementTimeoutMs)],
  };
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;

/**
 * The same settings as one literal statement, for drivers that can send `BEGIN; SELECT set_config(...)` in a single
 * round trip. `escapeLiteral` must be the driver's own (e.g. pg's `Client.escapeLiteral`).
 */
export function roleSetupText(
  role: DatabaseRole,
  claims: Claims | undefined,
  statementTimeoutMs: number,
  escapeLiteral: (value: string) => string,
): string {
  const { params } = roleSetup(role, claims, statementTimeoutMs);
  const [r, json, sub, timeout] = params.map((p) => escapeLiteral(String(p)));
  return (
    `SELECT set_config('role', ${r}, true), set_config('request.jwt.claims', ${json}, true), ` +
    `set_config('request.jwt.claim.sub', ${sub}, true), set_config('request.jwt.claim.role', ${r}, true), ` +
    `set_config('statement_timeout', ${timeout}, true)`
  );
}
