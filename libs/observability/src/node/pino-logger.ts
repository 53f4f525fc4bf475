import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import type { ContextCarrier } from '../correlation/context-carrier.js';
import { correlationLogFields } from '../correlation/correlation-context.js';
import { serializeError } from '../logging/error-serializer.js';
import { LOG_FIELDS, type LogBindings, type Logger, type LogLevel } from '../logging/logger.js';
import { createRedactor, type RedactionOptions } from '../logging/redaction.js';
import { nodeContextCarrier } from './async-context-carrier.js';

export interface NodeLoggerOptions {
  service: string;
  level?: LogLevel | 'silent';
  base?: LogBindings;
  redaction?: RedactionOptions;
  /**
   * `sync` (default) writes each line to stdout before the log call returns: required on serverless platforms,
   * where the process may be frozen right after the response. `async` buffers through sonic-boom (4 KiB) for
   * long-running servers; call `flush()` before exiting. A stream can be given instead (tests, files).
   */
  destination?: 'sync' | 'async' | DestinationStream;
  /** Context carrier whose current context is mixed into every line; default the process-wide ALS carrier. */
  carrier?: ContextCarrier | false;
}

export type NodeLogger = Logger & { flush(callback?: (error?: Error) => void): void };

/** True on platforms where stdout must be written synchronously (the function can be frozen at any time). */
export function isServerless(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(env['VERCEL'] || env['AWS_LAMBDA_FUNCTION_NAME'] || env['NETLIFY'] || env['FUNCTIONS_WORKER_RUNTIME']);
}

/**
 * The pino logger with the project's line shape (`level` label, ISO `timestamp`, `service`, `message`) and the
 * shared two-layer redaction (credential keys at any depth, credential-shaped strings anywhere in the line).
 */
export function createNodeLogger(options: NodeLoggerOptions): NodeLogger {
  const redactor = createRedactor(options.redaction);
  const carrier = options.carrier === false ? undefined : (options.carrier ?? nodeContextCarrier);
  const destination = options.destination ?? 'sync';
  const requestedAsync = destination === 'async' && !isServerless();
  const stream =
    typeof destination === 'object'
      ? destination
      : pino.destination({ dest: 1, sync: !requestedAsync, minLength: requestedAsync ? 4096 : 0 });

  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    messageKey: LOG_FIELDS.message,
    errorKey: LOG_FIELDS.error,
    base: { [LOG_FIELDS.service]: options.service, ...options.base },
    timestamp: () => `,"${LOG_FIELDS.timestamp}":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ [LOG_FIELDS.level]: label }),
      bindings: (bindings) => redactor.redactValue(bindings),
      log: (fields) => redactor.redactValue(fields),
    },
    serializers: { [LOG_FIELDS.error]: (error: unknown) => serializeError(error) },
    hooks: { streamWrite: (line) => redactor.scrubLine(line) },
  };
  if (carrier?.implicit) {
    pinoOptions.mixin = () => {
      const context = carrier.current();
      return context ? correlationLogFields(context) : {};
    };
  }
  return pino(pinoOptions, stream) as unknown as NodeLogger;
}
