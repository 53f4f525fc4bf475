/**
 * One COLD environment per test file for query_tool and workflow_tool: the real tool framework on a migrated
 * PostgreSQL clone (PGlite with ATOMS_TEST_DATABASE=pglite), the local embeddings provider, fixtures built as
 * real users, a client per user, and `harmful` cleanup by transaction rollback with an owner-SQL leftover probe.
 */
import type { Database, Session } from '@atoms/schema';
import {
  createModeEnvironment,
  type AtomsTestClient,
  type LeftoverProbe,
  type ModeEnvironment,
} from '@atoms/test-framework';
import {
  AtomsFixtures,
  atomsDatabaseProvider,
  type AtomsTestDatabase,
  type DatabaseBackend,
  type FixtureUser,
} from '@atoms/test-framework/database';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerAtomsTools } from '../../src/core/register-tools.js';
import { silentLogger } from '../../src/core/silent-logger.js';
import type { EmbeddingsProvider } from '../../src/core/embeddings-port.js';
import { localEmbeddingProvider } from '../../src/embeddings/local-provider.js';
import { queryTool } from '../../src/query/query-tool.js';
import { workflowTool } from '../../src/workflow/workflow-tool.js';

export interface QueryHarness {
  env: ModeEnvironment<Database>;
  database: Database;
  fixtures: AtomsFixtures;
  testDb: AtomsTestDatabase;
  clientFor(user: FixtureUser): Promise<AtomsTestClient>;
  /** Counts through the port as the service role (sees the rollback scope's uncommitted rows). */
  serviceCount(work: (s: Session) => Promise<number>): Promise<number>;
  probe: LeftoverProbe;
  close(): Promise<void>;
}

const TABLE_OF: Record<string, string> = {
  organization: 'organizations',
  project: 'projects',
  document: 'documents',
  requirement: 'requirements',
  test: 'test_req',
  test_matrix_view: 'test_matrix_views',
  invitation: 'organization_invitations',
};

export async function openQueryHarness(
  options: { readOnly?: boolean; embeddings?: EmbeddingsProvider | null } = {},
): Promise<QueryHarness> {
  const backend = (process.env['ATOMS_TEST_DATABASE'] ?? 'postgres') as DatabaseBackend;
  const provider = atomsDatabaseProvider({ backend });
  const embeddings = options.embeddings === null ? undefined : (options.embeddings ?? localEmbeddingProvider());
  const env = await createModeEnvironment<Database>({
    mode: 'COLD',
    server: (context) => {
      const server = new McpServer({ name: 'atoms-query-test', version: '0.0.0' });
      registerAtomsTools(server, [workflowTool, queryTool], {
        db: context.database,
        ...(embeddings ? { embeddings } : {}),
        logger: silentLogger,
        readOnly: !!options.readOnly,
      });
      return server;
    },
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
    clientFor: (user) => env.connect({ authInfo: user.authInfo }),
    serviceCount: (work) => database.asService(work),
    async probe(entity) {
      const table = TABLE_OF[entity.entityType];
      if (!table) return false;
      const result = await testDb.sql.query<{ n: number }>(
        `select count(*)::int as n from public.${table} where id = $1`,
        [entity.id],
      );
      return result.rows[0]!.n > 0;
    },
    close: () => env.close(),
  };
}
