import type { Database } from '@atoms/schema';
import type { Logger } from '@atoms/observability';
import type { EmbeddingProvider } from './provider.js';

export interface EmbeddingQueueOptions {
  /** The port; the worker runs as the service role (the queue is service-only, embeddings are derived data). */
  db: Database;
  provider: EmbeddingProvider;
  /** Jobs claimed per run (default 20, as the reference's cron). */
  batchSize?: number;
  /** Attempts before a job is marked `failed` (default 3). */
  maxAttempts?: number;
  /**
   * Base retry delay in ms: after its n-th failure a job waits `retryDelayMs · 2^(n-1)` (default 30 s: 30 s, 1 min,
   * 2 min…), counted from the failure by the database (`claim_embedding_jobs`).
   */
  retryDelayMs?: number;
  /** A `processing` job older than this is considered abandoned by a crashed worker and reclaimed (default 10 min). */
  staleAfterMs?: number;
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
}

/**
 * One pass over the embedding queue: claims up to `batchSize` due jobs with `claim_embedding_jobs` (pending and
 * past their retry delay, or abandoned in `processing`; `FOR UPDATE SKIP LOCKED`, so two workers never process
 * the same job), embeds their texts in one provider call, writes each vector to its row and completes the job
 * (`complete_embedding_job`); on failure (`fail_embedding_job`) the job returns to `pending` with its retry count
 * raised, or becomes `failed` after `maxAttempts`.
 */
export async function processEmbeddingQueue(options: EmbeddingQueueOptions): Promise<EmbeddingQueueRun> {
  const { db, provider, logger } = options;
  const batchSize = options.batchSize ?? 20;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 30_000;
  const staleAfterMs = options.staleAfterMs ?? 600_000;
  const run: EmbeddingQueueRun = { claimed: 0, completed: 0, retried: 0, failed: 0, superseded: 0, missing: 0 };

  for (const [name, value] of [
    ['retryDelayMs', retryDelayMs],
    ['staleAfterMs', staleAfterMs],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number of ms`);
  }
  const jobs = await db.asService((s) =>
    s.rpc<Job[]>('claim_embedding_jobs', {
      p_limit: batchSize,
      p_stale_after: `${staleAfterMs} milliseconds`,
      p_min_retry_delay: `${retryDelayMs} milliseconds`,
    }),
  );
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
