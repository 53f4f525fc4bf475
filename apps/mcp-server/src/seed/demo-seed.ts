import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Database } from '@atoms/schema';
import { createAtomsMcpServer, type EmbeddingProvider } from '@atoms/tools';

export const DEMO_ORGANIZATION = 'Atoms Demo';

export interface DemoSeedResult {
  readonly created: boolean;
  readonly organizationId: string;
}

type Row = Record<string, unknown> & { id: string };

/**
 * Seeds the demo workspace once, as the dev user and through the tools themselves (in process), so the same
 * triggers, row-level security and validation apply as for any client. A second start finds the organization and
 * changes nothing.
 */
export async function seedDemoWorkspace(
  db: Database,
  user: { profileId: string; email: string },
  embeddings: EmbeddingProvider,
): Promise<DemoSeedResult> {
  const claims = { sub: user.profileId, email: user.email };
  const existing = await db.asUser({ claims }, (s) =>
    s.select('organizations', {
      columns: ['id'],
      filters: [
        { column: 'name', op: 'eq', value: DEMO_ORGANIZATION },
        { column: 'is_deleted', op: 'eq', value: false },
      ],
      limit: 1,
    }),
  );
  const found = existing.rows[0];
  if (found) return { created: false, organizationId: found.id as string };

  const server = createAtomsMcpServer({ db, user: { claims }, embeddings });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'atoms-demo-seed', version: '1.0.0' });
  await server.connect(serverSide);
  await client.connect(clientSide);
  const call = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const result = await client.callTool({ name, arguments: args });
    const text = (result.content as { type: string; text?: string }[]).find((c) => c.type === 'text')?.text ?? '';
    const body = (result.structuredContent as Record<string, unknown> | undefined) ?? JSON.parse(text || '{}');
    if (result.isError || 'error' in body) {
      throw new Error(`demo seed: ${name} ${String(args['operation'])} failed: ${text}`);
    }
    return body;
  };
  const create = async (entity_type: string, data: Record<string, unknown>): Promise<Row> =>
    (await call('entity_tool', { operation: 'create', entity_type, data })) as Row;
  const link = (relationship_type: string, source: object, target: object, metadata?: object) =>
    call('relationship_tool', {
      operation: 'link',
      relationship_type,
      source,
      target,
      ...(metadata ? { metadata } : {}),
    });

  try {
    const org = await create('organization', {
      name: DEMO_ORGANIZATION,
      description: 'A sample workspace created on first start. Delete it whenever you like.',
    });
    const project = await create('project', {
      name: 'Lunar Rover',
      description: 'Navigation and power requirements of a small lunar rover.',
      organization_id: org.id,
    });
    const doc = await create('document', { name: 'System Requirements', project_id: project.id });
    const requirements: Row[] = [];
    for (const [name, description, priority] of [
      ['Autonomous navigation', 'The rover shall navigate autonomously between waypoints 500 m apart.', 'high'],
      ['Obstacle detection', 'The rover shall detect obstacles taller than 20 cm at 10 m.', 'critical'],
      ['Battery endurance', 'The rover shall operate for 8 hours on one charge at -20 °C.', 'medium'],
    ] as const) {
      requirements.push(await create('requirement', { name, description, priority, document_id: doc.id }));
    }
    const tests: Row[] = [];
    for (const [title, test_type] of [
      ['Waypoint traversal field test', 'system'],
      ['Obstacle detection range test', 'integration'],
    ] as const) {
      tests.push(await create('test', { title, test_type, project_id: project.id }));
    }
    const [nav, obstacle] = requirements as [Row, Row, Row];
    await link(
      'trace_link',
      { type: 'requirement', id: obstacle.id },
      { type: 'requirement', id: nav.id },
      { link_type: 'derives_from' },
    );
    await link('requirement_test', { type: 'requirement', id: nav.id }, { type: 'test', id: tests[0]?.id });
    await link('requirement_test', { type: 'requirement', id: obstacle.id }, { type: 'test', id: tests[1]?.id });
    return { created: true, organizationId: org.id };
  } finally {
    await client.close();
    await server.close();
  }
}
