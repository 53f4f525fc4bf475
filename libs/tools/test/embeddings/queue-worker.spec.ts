import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '@atoms/schema';
import {
  AtomsFixtures,
  openAtomsTestDatabase,
  type AtomsTestDatabase,
  type FixtureWorkspace,
} from '@atoms/test-framework/database';
import { backfillEmbeddings } from '../../src/embeddings/backfill.js';
import { createEmbeddingCronHandler } from '../../src/embeddings/cron-handler.js';
import { localEmbeddingProvider } from '../../src/embeddings/local-provider.js';
import { EmbeddingError, type EmbeddingProvider } from '../../src/embeddings/provider.js';
import { processEmbeddingQueue } from '../../src/embeddings/queue-worker.js';
import { startEmbeddingWorker } from '../../src/embeddings/worker-loop.js';

let testDb: AtomsTestDatabase;
let db: Database;
let fixtures: AtomsFixtures;
let ws: FixtureWorkspace;
const local = localEmbeddingProvider();

const failing: EmbeddingProvider = {
  name: 'failing',
  dimensions: 768,
  embed: () => Promise.reject(new EmbeddingError('unavailable', 'provider down', true)),
};

async function jobs(rowId: string) {
  const { rows } = await testDb.sql.query<{ status: string; retry_count: number; error: string | null }>(
    'select status, retry_count, error from public.embedding_queue where row_id = $1 order by created_at',
    [rowId],
  );
  return rows;
}
async function hasEmbedding(table: string, id: string): Promise<boolean> {
  const { rows } = await testDb.sql.query<{ e: boolean }>(
    `select embedding is not null as e from public.${table} where id = $1`,
    [id],
  );
  return rows[0]!.e;
}
async function drain(provider: EmbeddingProvider = local) {
  while ((await processEmbeddingQueue({ db, provider, batchSize: 50 })).claimed > 0);
}
async function sleepUntil(time: number) {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));
}

beforeAll(async () => {
  testDb = await openAtomsTestDatabase({
    backend: (process.env['ATOMS_TEST_DATABASE'] as 'postgres' | 'pglite') ?? 'postgres',
  });
  db = testDb.database;
  fixtures = await AtomsFixtures.create({ database: db });
  ws = await fixtures.workspace();
});
afterAll(() => testDb?.close());

describe('embedding queue worker', () => {
  test('new rows are queued; a pass embeds them, writes the vector and completes the job', async () => {
    expect((await jobs(ws.requirements[0].id))[0]?.status).toBe('pending');
    const run = await processEmbeddingQueue({ db, provider: local, batchSize: 100 });
    expect(run.claimed).toBeGreaterThanOrEqual(6); // org, project, document, two requirements (+ personal orgs)
    expect(run.completed).toBe(run.claimed);
    expect(await hasEmbedding('requirements', ws.requirements[0].id)).toBe(true);
    expect(await hasEmbedding('projects', ws.project.id)).toBe(true);
    expect((await jobs(ws.requirements[0].id)).map((j) => j.status)).toEqual(['completed']);
    expect((await processEmbeddingQueue({ db, provider: local })).claimed).toBe(0);
  });

  test('the stored vector is the provider’s embedding of name + description', async () => {
    const req = await fixtures.requirement(ws.document, ws.owner, { name: 'Vector check', description: 'exact text' });
    await drain();
    const { rows } = await db.asService((s) =>
      s.select('requirements', { columns: ['embedding'], filters: [{ column: 'id', op: 'eq', value: req.id }] }),
    );
    const [expected] = await local.embed(['Vector check\n\nexact text']);
    const stored = rows[0]!.embedding as number[];
    stored.forEach((x, i) => expect(x).toBeCloseTo(expected![i]!, 6));
  });

  test('a failing provider: retried with backoff, then failed after maxAttempts, error kept', async () => {
    await drain();
    const req = await fixtures.requirement(ws.document, ws.owner, { name: 'Will fail' });
    const first = await processEmbeddingQueue({ db, provider: failing, maxAttempts: 2, retryDelayMs: 0 });
    expect(first).toMatchObject({ claimed: 1, retried: 1, completed: 0 });
    expect(await jobs(req.id)).toEqual([{ status: 'pending', retry_count: 1, error: 'provider down' }]);
    const second = await processEmbeddingQueue({ db, provider: failing, maxAttempts: 2, retryDelayMs: 0 });
    expect(second).toMatchObject({ claimed: 1, failed: 1 });
    expect(await jobs(req.id)).toEqual([{ status: 'failed', retry_count: 2, error: 'provider down' }]);
    expect(await hasEmbedding('requirements', req.id)).toBe(false);
  });

  test('a failed job is not claimed again before its retry delay (doubling per failure), and is after it', async () => {
    await drain();
    const req = await fixtures.requirement(ws.document, ws.owner, { name: 'Backoff' });
    const delay = 1_000;
    const pass = (provider: EmbeddingProvider) =>
      processEmbeddingQueue({ db, provider, maxAttempts: 5, retryDelayMs: delay });
    const failedAt = Date.now();
    expect(await pass(failing)).toMatchObject({ claimed: 1, retried: 1 });
    // Inside the first delay (1 s): nothing to claim.
    expect((await pass(local)).claimed).toBe(0);
    await sleepUntil(failedAt + delay + 200);
    expect(await pass(failing)).toMatchObject({ claimed: 1, retried: 1 });
    // The second failure waits twice as long: still waiting after 1.2 s, claimed after 2.2 s.
    const secondFailureAt = Date.now();
    await sleepUntil(secondFailureAt + delay + 200);
    expect((await pass(local)).claimed).toBe(0);
    await sleepUntil(secondFailureAt + 2 * delay + 200);
    expect(await pass(local)).toMatchObject({ claimed: 1, completed: 1 });
    expect(await hasEmbedding('requirements', req.id)).toBe(true);
    expect(await jobs(req.id)).toEqual([{ status: 'completed', retry_count: 2, error: null }]);
  });

  test('a row deleted before its job ran: job completed, counted as missing', async () => {
    await drain();
    const req = await fixtures.requirement(ws.document, ws.owner, { name: 'Gone soon' });
    await testDb.sql.query('delete from public.requirements where id = $1', [req.id]);
    const run = await processEmbeddingQueue({ db, provider: local });
    expect(run).toMatchObject({ claimed: 1, missing: 1, completed: 0 });
  });

  test('two workers at once never process the same job', async () => {
    await drain();
    for (let i = 0; i < 6; i++) await fixtures.requirement(ws.document, ws.owner, { name: `Concurrent ${i}` });
    const [a, b] = await Promise.all([
      processEmbeddingQueue({ db, provider: local, batchSize: 6 }),
      processEmbeddingQueue({ db, provider: local, batchSize: 6 }),
    ]);
    // six requirements -> six jobs (blocks are not embedded)
    expect(a.claimed + b.claimed).toBe(6);
    expect(a.completed + b.completed).toBe(6);
  });

  test('the in-process worker loop drains the queue and stops', async () => {
    await fixtures.requirement(ws.document, ws.owner, { name: 'Loop' });
    const worker = startEmbeddingWorker({ db, provider: local, idleMs: 10 });
    for (let i = 0; i < 100 && worker.totals.completed < 1; i++) await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    expect(worker.totals.completed).toBeGreaterThanOrEqual(1);
    expect(worker.totals.errors).toBe(0);
  });
});

describe('cron route handler', () => {
  const url = 'http://localhost/api/embeddings/process-queue';

  test('refuses without the secret, and when no secret is configured', async () => {
    const handler = createEmbeddingCronHandler({ db, provider: local, secret: 's3cret' });
    expect((await handler(new Request(url))).status).toBe(401);
    expect((await handler(new Request(url, { headers: { authorization: 'Bearer wrong' } }))).status).toBe(401);
    const unconfigured = createEmbeddingCronHandler({ db, provider: local, secret: undefined });
    expect((await unconfigured(new Request(url, { headers: { authorization: 'Bearer ' } }))).status).toBe(503);
  });

  test('with the secret: drains and reports totals', async () => {
    await fixtures.requirement(ws.document, ws.owner, { name: 'Cron' });
    const handler = createEmbeddingCronHandler({ db, provider: local, secret: 's3cret' });
    const response = await handler(new Request(url, { method: 'POST', headers: { authorization: 'Bearer s3cret' } }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { completed: number; passes: number };
    expect(body.completed).toBeGreaterThanOrEqual(1);
    expect(body.passes).toBeGreaterThanOrEqual(1);
  });
});

describe('back-fill as a user', () => {
  test('embeds only rows the user can see; reports what remains', async () => {
    await drain();
    await testDb.sql.query('update public.requirements set embedding = null');
    const outsider = await fixtures.user();
    const none = await backfillEmbeddings({
      db,
      user: { claims: outsider.claims },
      provider: local,
      tables: ['requirements'],
    });
    expect(none.embedded).toBe(0);
    const progress: number[] = [];
    const done = await backfillEmbeddings({
      db,
      user: { claims: ws.owner.claims },
      provider: local,
      tables: ['requirements'],
      limit: 2,
      chunkSize: 1,
      onProgress: (p) => void progress.push(p.done),
    });
    expect(done.embedded).toBe(2);
    expect(done.remaining).toBeGreaterThan(0);
    expect(progress).toEqual([1, 2]);
    const { rows } = await testDb.sql.query<{ n: number }>(
      'select count(*)::int as n from public.requirements where embedding is not null',
    );
    expect(rows[0]!.n).toBe(2);
  });
});
