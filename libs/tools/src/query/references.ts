import type { Session, TableName } from '@atoms/schema';
import { z } from 'zod';
import { isUuid, resolveEntityRef } from '../core/name-resolution.js';
import { applyAutoDefaults } from '../core/workspace-context.js';

/** An entity reference parameter: a UUID or a name (exact case-insensitive, else trigram fuzzy match). */
export const entityRef = z.string().trim().min(1).max(255).describe('A UUID or a name.');
/** Same, plus "auto" for the workspace context default (organization_id / project_id / document_id only). */
export const entityRefOrAuto = entityRef.describe('A UUID, a name, or "auto" for the workspace context default.');

type AutoKey = 'organization_id' | 'project_id' | 'document_id';

/**
 * Replaces references in `values` by ids, as the caller: "auto" from the workspace defaults, names through the
 * framework's resolver (ambiguity = validation_error with candidates, no match = not_found with suggestions).
 */
export async function resolveReferences<T extends Record<string, unknown>>(
  session: Session,
  caller: { userId: string; sessionId: string | undefined },
  values: T,
  tables: Partial<Record<keyof T & string, TableName>>,
): Promise<T> {
  const autoKeys = (['organization_id', 'project_id', 'document_id'] as AutoKey[]).filter((k) => values[k] === 'auto');
  let out: Record<string, unknown> = { ...values };
  if (autoKeys.length > 0) out = await applyAutoDefaults(session, caller.userId, caller.sessionId, out);
  for (const [key, table] of Object.entries(tables) as [string, TableName][]) {
    const ref = out[key];
    if (typeof ref !== 'string' || isUuid(ref)) continue;
    out[key] = (await resolveEntityRef(session, table, ref, { label: key.replace(/_id$/, '') })).id;
  }
  return out as T;
}
