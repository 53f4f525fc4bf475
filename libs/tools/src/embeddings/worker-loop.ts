import { processEmbeddingQueue, type EmbeddingQueueOptions, type EmbeddingQueueRun } from './queue-worker.js';

export interface EmbeddingWorkerOptions extends Omit<EmbeddingQueueOptions, 'signal'> {
  /** Pause between passes when the queue is empty or a pass failed (default 5 s). */
  idleMs?: number;
  onPass?: (run: EmbeddingQueueRun) => void;
}

export interface EmbeddingWorker {
  /** Stops after the pass in progress; resolves when the loop has ended. */
  stop(): Promise<void>;
  readonly totals: EmbeddingQueueRun & { passes: number; errors: number };
}

/**
 * Runs the queue in-process (Node servers, local development): passes back to back while jobs are claimed, then
 * every `idleMs`. A failing pass (database down) is logged and counted, and the loop carries on.
 */
export function startEmbeddingWorker(options: EmbeddingWorkerOptions): EmbeddingWorker {
  const controller = new AbortController();
  const idleMs = options.idleMs ?? 5000;
  const totals = { claimed: 0, completed: 0, retried: 0, failed: 0, superseded: 0, missing: 0, passes: 0, errors: 0 };
  let wake: (() => void) | undefined;

  const loop = (async () => {
    while (!controller.signal.aborted) {
      let busy = false;
      try {
        const run = await processEmbeddingQueue({ ...options, signal: controller.signal });
        totals.passes++;
        for (const key of ['claimed', 'completed', 'retried', 'failed', 'superseded', 'missing'] as const) {
          totals[key] += run[key];
        }
        options.onPass?.(run);
        busy = run.claimed > 0;
      } catch (error) {
        if (controller.signal.aborted) break;
        totals.errors++;
        options.logger?.error({ err: (error as Error).message }, 'embedding queue pass failed');
      }
      if (!busy && !controller.signal.aborted) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();

  return {
    totals,
    async stop() {
      controller.abort();
      wake?.();
      await loop;
    },
  };
}
