import { ToolError } from './tool-error.js';

/** The parts of the SDK's RequestHandlerExtra used for progress and cancellation. */
export interface ProgressExtraLike {
  signal?: AbortSignal;
  _meta?: { progressToken?: string | number; [key: string]: unknown };
  sendNotification?: (notification: {
    method: 'notifications/progress';
    params: { progressToken: string | number; progress: number; total?: number; message?: string };
  }) => Promise<void>;
}

export interface ProgressReporter {
  /** Whether the client asked for progress (sent a progressToken). */
  readonly enabled: boolean;
  /** Sends `notifications/progress` when the client asked for it; a no-op otherwise. Checks cancellation first. */
  report(progress: number, total?: number, message?: string): Promise<void>;
}

/** Throws the cancellation error when the client cancelled the request (MCP `notifications/cancelled`). */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new ToolError('unavailable', 'The operation was cancelled by the client.', { details: { cancelled: true } });
  }
}

export function progressReporter(extra: ProgressExtraLike | undefined): ProgressReporter {
  const token = extra?._meta?.progressToken;
  const send = extra?.sendNotification;
  const enabled = token !== undefined && send !== undefined;
  let last = -Infinity;
  return {
    enabled,
    async report(progress, total, message) {
      throwIfCancelled(extra?.signal);
      // Progress must increase (MCP spec); equal values are dropped rather than sent out of contract.
      if (!enabled || progress <= last) return;
      last = progress;
      await send({
        method: 'notifications/progress',
        params: {
          progressToken: token,
          progress,
          ...(total !== undefined ? { total } : {}),
          ...(message ? { message } : {}),
        },
      });
    },
  };
}
