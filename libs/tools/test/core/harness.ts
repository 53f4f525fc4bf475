/**
 * One COLD environment per test file: the real server factory on a migrated test database (PostgreSQL clone by
 * default, PGlite with ATOMS_TEST_DATABASE=pglite), fixtures built as real users, and a client per user.
 */
import type { Database } from '@atoms/schema';
import { createModeEnvironment, type AtomsTestClient, type ModeEnvironment } from '@atoms/test-framework';
import {
  AtomsFixtures,
  atomsDatabaseProvider,
  type AtomsTestDatabase,
  type DatabaseBackend,
  type FixtureUser,
} from '@atoms/test-framework/database';
import { createAtomsMcpServer } from '../../src/index.js';

export interface ToolsHarness {
  env: ModeEnvironment<Database>;
  database: Database;
  fixtures: AtomsFixtures;
  testDb: AtomsTestDatabase;
  clientFor(user: FixtureUser): Promise<AtomsTestClient>;
  /** Owner SQL for assertions (bypasses RLS). */
  count(table: string, where: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

export async function openToolsHarness(options: { readOnly?: boolean } = {}): Promise<ToolsHarness> {
  const backend = (process.env['ATOMS_TEST_DATABASE'] ?? 'postgres') as DatabaseBackend;
  const provider = atomsDatabaseProvider({ backend });
  const env = await createModeEnvironment<Database>({
    mode: 'COLD',
    server: (context) =>
      createAtomsMcpServer({ ...(context.database ? { db: context.database } : {}), readOnly: !!options.readOnly }),
    database: provider,
  });
  const testDb = [...provider.open][0]!;
  const database = env.database!;
  const fixtures = await AtomsFixtures.create({ database });
  return {
    env,
    database,
    fixtures,
    testDb,
    async clientFor(user) {
      const client = await env.connect({ authInfo: user.authInfo });
      // Once the SDK client has the tool list it validates every structuredContent against the advertised output
      // schema (errors included): every call of every suite doubles as an output-schema check.
      await client.listTools();
      return client;
    },
    async count(table, where, params = []) {
      const result = await testDb.sql.query<{ n: number }>(
        `select count(*)::int as n from public.${table} where ${where}`,
        params,
      );
      return result.rows[0]!.n;
    },
    close: () => env.close(),
  };
}
