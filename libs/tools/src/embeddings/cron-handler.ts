import { processEmbeddingQueue, type EmbeddingQueueOptions } from './queue-worker.js';

export interface EmbeddingCronOptions extends Omit<EmbeddingQueueOptions, 'signal'> {
  /** `CRON_SECRET`: Vercel Cron sends `Authorization: Bearer <secret>`. Without it every request is refused. */
  secret: string | undefined;
  /** Passes per request at most (default 5), so one invocation stays inside a serverless time limit. */
  maxPasses?: number;
}

/**
 * A fetch-style handler (`GET`/`POST`) for a cron route (`/api/embeddings/process-queue` on Vercel): checks the
 * secret in constant time, drains up to `maxPasses` batches and answers the totals as JSON.
 */
export function createEmbeddingCronHandler(options: EmbeddingCronOptions): (request: Request) => Promise<Response> {
  const maxPasses = options.maxPasses ?? 5;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'POST') {
      return json({ error: 'method not allowed' }, 405, { allow: 'GET, POST' });
    }
    if (!options.secret) return json({ error: 'CRON_SECRET is not configured' }, 503);
    const header = request.headers.get('authorization') ?? '';
    if (!constantTimeEqual(header, `Bearer ${options.secret}`)) return json({ error: 'unauthorized' }, 401);
    const totals = { passes: 0, claimed: 0, completed: 0, retried: 0, failed: 0, superseded: 0, missing: 0 };
    try {
      for (let pass = 0; pass < maxPasses; pass++) {
        const run = await processEmbeddingQueue({ ...options, signal: request.signal });
        totals.passes++;
        for (const key of ['claimed', 'completed', 'retried', 'failed', 'superseded', 'missing'] as const) {
          totals[key] += run[key];
        }
        if (run.claimed === 0) break;
      }
    } catch (error) {
      options.logger?.error({ err: (error as Error).message }, 'embedding cron pass failed');
      return json({ error: 'queue processing failed', ...totals }, 503);
    }
    return json(totals, 200);
  };
}

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
