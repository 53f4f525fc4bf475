import type { Queryable } from './database.js';

export interface TestProfile {
  readonly id: string;
  readonly email: string;
  /** The personal organization the profile trigger created. */
  readonly personalOrganizationId: string | null;
}

let counter = 0;

/**
 * Inserts a profile as the connection's own (migration owner) role, outside any user transaction: the
 * provisioning path. Unique email per call unless given.
 */
export async function createProfile(
  db: Queryable,
  fields: { email?: string; fullName?: string } = {},
): Promise<TestProfile> {
  counter += 1;
  const email = fields.email ?? `user${counter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const { rows } = await db.query<{ id: string; personal_organization_id: string | null }>(
    `insert into public.profiles (email, full_name) values ($1, $2) returning id, personal_organization_id`,
    [email, fields.fullName ?? `User ${counter}`],
  );
  const { rows: after } = await db.query<{ personal_organization_id: string | null }>(
    'select personal_organization_id from public.profiles where id = $1',
    [rows[0].id],
  );
  return { id: rows[0].id, email, personalOrganizationId: after[0].personal_organization_id };
}
