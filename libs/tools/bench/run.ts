/**
 * @atoms/tools benchmark: `nx run tools:bench` (or
 * `node --import @swc-node/register/esm-register --conditions=@atoms/source libs/tools/bench/run.ts`).
 *
 * A PostgreSQL clone of the migrated template (DATABASE_URL server, prefix atoms_tools) is seeded with 10,000
 * requirements in one project (10 × import_requirements of 1,000, as the owner, triggers and RLS on), embedded
 * with the local provider through the embedding queue worker. Then in-process MCP `tools/call` through the real
 * server factory and the SDK's in-memory transport, as the project owner (RLS applies):
 *   entity read (one requirement by id), entity list (20, of one document), query search (full-text, ranked),
 *   query rag_search (semantic, local embeddings, exact cosine scan: PostgreSQL here has no pgvector).
 * Targets: read p99 < 5 ms, search p99 < 30 ms.
 *
 * BENCH_BACKEND=pglite runs the same on an in-memory PGlite (with pgvector, so semantic search uses HNSW).
 *
 * Environment: BENCH_ITERATIONS (default 500 per operation), BENCH_REQUIREMENTS (default 10000),
 * BENCH_SKIP_EMBEDDINGS=1 (no queue drain, no rag_search), BENCH_KEEP_DATABASE=1 (keep the clone for EXPLAIN).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Database } from '@atoms/schema';
import { cloneMigratedDatabase, openMigratedPglite } from '@atoms/schema/migrate';
import { pgDatabase, pgliteDatabase } from '@atoms/schema/node';
import { createAtomsMcpServer } from '../src/index.js';
import { localEmbeddingProvider } from '../src/embeddings/local-provider.js';
import { processEmbeddingQueue } from '../src/embeddings/queue-worker.js';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? 500);
const REQUIREMENTS = Number(process.env['BENCH_REQUIREMENTS'] ?? 10_000);
const SKIP_EMBEDDINGS = process.env['BENCH_SKIP_EMBEDDINGS'] === '1';
const KEEP_DATABASE = process.env['BENCH_KEEP_DATABASE'] === '1';
const ADMIN_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WORDS = (
  'login password reset email session token audit trail telemetry downlink orbit thermal power battery solar ' +
  'antenna attitude control payload camera storage encryption backup restore report dashboard export import ' +
  'latency throughput availability failover alarm sensor calibration firmware update safety hazard'
).split(' ');

function pick(seed: number, n: number): string {
  const out: string[] = [];
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out.push(WORDS[x % WORDS.length] as string);
  }
  return out.join(' ');
}

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
  const r = (x: number) => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), max: r(s[s.length - 1] as number) };
}

const BACKEND = process.env['BENCH_BACKEND'] === 'pglite' ? 'pglite' : 'postgres';
let db: Database;
let dropDatabase: () => Promise<void>;
if (BACKEND === 'pglite') {
  // PGlite has pgvector: semantic search uses the HNSW index instead of an exact scan.
  const pglite = await openMigratedPglite();
  db = pgliteDatabase(pglite);
  dropDatabase = async () => undefined; // db.close() closes the instance
} else {
  const clone = await cloneMigratedDatabase({ adminUrl: ADMIN_URL, prefix: 'atoms_tools' });
  db = pgDatabase({ connectionString: clone.url, max: 4 });
  dropDatabase = async () => {
    if (KEEP_DATABASE) console.log(`kept ${clone.url} (drop it when done)`);
    else await clone.drop();
  };
}
console.log(`backend: ${BACKEND}`);
try {
  const seedStart = performance.now();
  const profileId = await db.asService((s) =>
    s.rpc<string>('resolve_profile', { p_provider: 'bench', p_subject: 'bench-owner', p_email: 'bench@example.com' }),
  );
  const user = { claims: { sub: profileId, email: 'bench@example.com' } };
  const { org, project, documents } = await db.asUser(user, async (s) => {
    const [org] = await s.insert('organizations', { name: 'Bench Org' });
    const [project] = await s.insert('projects', { name: 'Bench Project', organization_id: org!.id });
    const documents = [];
    for (let d = 0; d < REQUIREMENTS / 1000; d++) {
      documents.push((await s.insert('documents', { name: `Spec ${d}`, project_id: project!.id }))[0]!);
    }
    return { org: org!, project: project!, documents };
  });
  for (const [d, doc] of documents.entries()) {
    const requirements = Array.from({ length: 1000 }, (_, i) => {
      const n = d * 1000 + i;
      return { name: `REQ ${n} ${pick(n, 3)}`, description: `The system shall ${pick(n + 7, 12)}.` };
    });
    await db.asUser(user, (s) => s.rpc('import_requirements', { p_document_id: doc.id, p_requirements: requirements }));
  }
  const seeded = performance.now();
  const provider = localEmbeddingProvider();
  let embedded = 0;
  for (; !SKIP_EMBEDDINGS; ) {
    const run = await processEmbeddingQueue({ db, provider, batchSize: 500 });
    embedded += run.completed;
    if (run.claimed === 0) break;
  }
  const embeddedAt = performance.now();
  console.log(
    `seeded ${REQUIREMENTS} requirements in ${Math.round(seeded - seedStart)} ms; embedded ${embedded} rows in ${Math.round(embeddedAt - seeded)} ms (org ${org.id}, project ${project.id})`,
  );

  const server = createAtomsMcpServer({ db, user, embeddings: provider });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(clientTransport);

  const { rows: sample } = await db.asUser(user, (s) =>
    s.select('requirements', {
      columns: ['id'],
      filters: [{ column: 'document_id', op: 'eq', value: documents[3]!.id }],
      limit: 200,
    }),
  );
  const allCases: [string, (i: number) => Record<string, unknown>, string][] = [
    [
      'entity read',
      (i) => ({ operation: 'read', entity_type: 'requirement', entity_id: sample[i % sample.length]!.id }),
      'entity_tool',
    ],
    [
      'entity list (20)',
      (i) => ({
        operation: 'list',
        entity_type: 'requirement',
        parent_type: 'document',
        parent_id: documents[i % documents.length]!.id,
        limit: 20,
      }),
      'entity_tool',
    ],
    [
      'query search',
      (i) => ({ query_type: 'search', entities: ['requirement'], search_term: WORDS[i % WORDS.length], limit: 10 }),
      'query_tool',
    ],
    [
      'query rag_search (semantic)',
      (i) => ({
        query_type: 'rag_search',
        entities: ['requirement'],
        search_term: pick(i, 4),
        rag_mode: 'semantic',
        limit: 10,
      }),
      'query_tool',
    ],
  ];
  const cases = allCases.filter(([label]) => !(SKIP_EMBEDDINGS && label.startsWith('query rag')));
  const results: Record<string, ReturnType<typeof summary>> = {};
  // The floor, measured in the same invocation: the same one-row select as the same user through the port (one
  // transaction, RLS applied) without MCP. The read's ratio to it is the tools' own cost; machines here are noisy.
  const floor: number[] = [];
  for (let i = 0; i < ITERATIONS + 20; i++) {
    const start = performance.now();
    await db.asUser(user, (s) =>
      s.select('requirements', {
        filters: [
          { column: 'id', op: 'eq', value: sample[i % sample.length]!.id },
          { column: 'is_deleted', op: 'eq', value: false },
        ],
        limit: 1,
      }),
    );
    if (i >= 20) floor.push(performance.now() - start);
  }
  results['baseline: port select (no MCP)'] = summary(floor);
  for (const [label, args, tool] of cases) {
    const iterations = label.startsWith('query rag') ? Math.min(ITERATIONS, 100) : ITERATIONS;
    for (let i = 0; i < 20; i++) await client.callTool({ name: tool, arguments: args(i) });
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      const result = await client.callTool({ name: tool, arguments: args(i) });
      samples.push(performance.now() - start);
      if (result.isError) throw new Error(`${label} failed: ${JSON.stringify(result.structuredContent)}`);
    }
    results[label] = summary(samples);
  }
  console.table(results);
  const base = results['baseline: port select (no MCP)']!;
  const read = results['entity read']!;
  console.log(
    `entity read / baseline: p50 ${(read.p50 / base.p50).toFixed(2)}x, p99 ${(read.p99 / base.p99).toFixed(2)}x; ` +
      `targets: read p99 < 5 ms (${read.p99 < 5 ? 'met' : 'MISSED'}), search p99 < 30 ms (${results['query search']!.p99 < 30 ? 'met' : 'MISSED'})`,
  );
  await client.close();
} finally {
  await db.close();
  await dropDatabase();
}
