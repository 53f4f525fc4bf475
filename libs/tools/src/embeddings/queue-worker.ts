import type { Database, Filter } from '@atoms/schema';
import type { Logger } from '@atoms/observability';
import { EMBEDDED_TABLES } from './embedding-text.js';
import type { EmbeddingProvider } from './provider.js';

export interface EmbeddingQueueOptions {
  /** The port; the worker runs as the service role (the queue is service-only, embeddings are derived data). */
  db: Database;
  provider: EmbeddingProvider;
  /** Jobs claimed per run (default 20, as the reference's cron). */
  batchSize?: number;
  /** Attempts before a job is marked `failed` (default 3). */
  maxAttempts?: number;
  /** Wait before retry number `n` (1-based) of a job, in ms. Default 30 s · 2^(n-1). */
  backoffMs?: (retry: number) => number;
  /** A `processing` job older than this is considered abandoned by a crashed worker and reclaimed (default 10 min). */
  staleAfterMs?: number;
  now?: () => Date;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface EmbeddingQueueRun {
  claimed: number;
  completed: number;
  /** Failed this time, back to `pending` for a later attempt. */
  retried: number;
  /** Failed for the last allowed time: status `failed`, error kept. */
  failed: number;
  /** Failed, but a newer pending job for the same row exists: marked failed in its favour. */
  superseded: number;
  /** The row was deleted meanwhile: nothing to embed, job completed. */
  missing: number;
}

interface Job {
  id: string;
  table_name: string;
  row_id: string;
  text: string;
  retry_count: number;
  updated_at: string | null;
}

const defaultBackoff = (retry: number) => 30_000 * 2 ** (retry - 1);

/**
 * One pass over the embedding queue: claims up to `batchSize` due jobs (pending and past their backoff, or
 * abandoned in `processing`), embeds their texts in one provider call, writes each vector to its row and
 * completes the job (`complete_embedding_job`); on failure (`fail_embedding_job`) the job returns to `pending`
 * with its retry count raised, or becomes `failed` after `maxAttempts`. Claiming is a conditional update
 * (`status` re-checked in the UPDATE), so two workers never process the same job; unlike the schema's
 * `claim_embedding_jobs` it honours the retry backoff.
 */
export async function processEmbeddingQueue(options: EmbeddingQueueOptions): Promise<EmbeddingQueueRun> {
  const { db, provider, logger } = options;
  const batchSize = options.batchSize ?? 20;
  const maxAttempts = options.maxAttempts ?? 3;
  const backoff = options.backoffMs ?? defaultBackoff;
  const now = options.now ?? (() => new Date());
  const staleAfterMs = options.staleAfterMs ?? 600_000;
  const run: EmbeddingQueueRun = { claimed: 0, completed: 0, retried: 0, failed: 0, superseded: 0, missing: 0 };

  const jobs = await claim(db, batchSize, backoff, now(), staleAfterMs);
  run.claimed = jobs.length;
  if (jobs.length === 0) return run;

  let vectors: number[][] | undefined;
  let failure: unknown;
  try {
    options.signal?.throwIfAborted();
    vectors = await provider.embed(
      jobs.map((j) => j.text),
      { task: 'document', signal: options.signal },
    );
  } catch (error) {
    failure = error;
  }

  for (const [i, job] of jobs.entries()) {
    const vector = vectors?.[i];
    if (!vector) {
      await fail(job, failure);
      continue;
    }
    try {
      // complete_embedding_job writes the vector to the job's row and completes the job in one transaction.
      const rowExisted = await db.asService((s) =>
        s.rpc<boolean>('complete_embedding_job', { p_job: job.id, p_embedding: vector }),
      );
      if (rowExisted) run.completed++;
      else run.missing++;
    } catch (error) {
      await fail(job, error);
    }
  }
  logger?.info({ ...run, model: provider.name }, 'embedding queue pass');
  return run;

  async function fail(job: Job, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message.slice(0, 1000) : String(error);
    // fail_embedding_job counts the attempt: back to pending, or failed when retries are exhausted or a newer
    // pending job for the same row supersedes this one.
    const status = await db.asService((s) =>
      s.rpc<string>('fail_embedding_job', { p_job: job.id, p_error: message, p_max_retries: maxAttempts }),
    );
    logger?.warn(
      { job: job.id, table: job.table_name, attempts: job.retry_count + 1, status, err: message },
      'embedding job failed',
    );
    if (status === 'pending') run.retried++;
    else if (job.retry_count + 1 >= maxAttempts) run.failed++;
    else run.superseded++;
  }
}

async function claim(
  db: Database,
  batchSize: number,
  backoff: (retry: number) => number,
  now: Date,
  staleAfterMs: number,
): Promise<Job[]> {
  const columns = ['id', 'table_name', 'row_id', 'text', 'retry_count', 'updated_at'] as const;
  return db.asService(async (s) => {
    // Over-read: some pending jobs may still be inside their backoff window.
    const { rows: pending } = await s.select('embedding_queue', {
      columns,
      filters: [
        { column: 'status', op: 'eq', value: 'pending' },
        { column: 'table_name', op: 'in', value: EMBEDDED_TABLES },
      ],
      order: [{ column: 'created_at' }],
      limit: batchSize * 4,
    });
    const due = pending
      .filter((j) => j.retry_count === 0 || Date.parse(j.updated_at ?? '') + backoff(j.retry_count) <= now.getTime())
      .slice(0, batchSize);
    const claimed: Job[] = [];
    if (due.length > 0) {
      claimed.push(
        ...(await s.update(
          'embedding_queue',
          { status: 'processing', updated_at: now },
          {
            filters: [
              { column: 'id', op: 'in', value: due.map((j) => j.id) },
              { column: 'status', op: 'eq', value: 'pending' },
            ],
            returning: columns,
          },
        )),
      );
    }
    if (claimed.length < batchSize) {
      const staleFilters: Filter<'embedding_queue'>[] = [
        { column: 'status', op: 'eq', value: 'processing' },
        { column: 'updated_at', op: 'lt', value: new Date(now.getTime() - staleAfterMs) },
      ];
      const { rows: stale } = await s.select('embedding_queue', {
        columns: ['id'],
        filters: staleFilters,
        limit: batchSize - claimed.length,
      });
      if (stale.length > 0) {
        claimed.push(
          ...(await s.update(
            'embedding_queue',
            { updated_at: now },
            {
              filters: [...staleFilters, { column: 'id', op: 'in', value: stale.map((j) => j.id) }],
              returning: columns,
            },
          )),
        );
      }
    }
    return claimed as Job[];
  });
}
