import { isError, serializeError } from './error-serializer.js';
import { LOG_FIELDS, LOG_LEVEL_VALUES, type LogBindings, type LogFn, type Logger, type LogLevel } from './logger.js';
import { createRedactor, type RedactionOptions, type Redactor } from './redaction.js';

export interface EdgeLoggerOptions {
  /** Service name written on every line (`service`). */
  service: string;
  level?: LogLevel | 'silent';
  /** Extra fields on every line (e.g. `version`, `environment`). */
  base?: LogBindings;
  /** Where a finished JSON line goes; default `console.log`, which the edge platforms collect as stdout. */
  write?: (line: string) => void;
  redaction?: RedactionOptions;
  /** Clock for the `timestamp` field (ISO 8601, UTC). */
  now?: () => Date;
}

/**
 * A logger for V8 isolates (Vercel Edge) with the same interface, field names, field order and redaction as the
 * Node pino logger: `{"level","timestamp",...bindings,...fields,"message"}`, one JSON object per line. Writes are
 * synchronous, so nothing is lost when the isolate is frozen after the response.
 */
export function createEdgeLogger(options: EdgeLoggerOptions): Logger {
  const redactor = createRedactor(options.redaction);
  const write = options.write ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => new Date());
  const threshold = LOG_LEVEL_VALUES[options.level ?? 'info'];
  if (threshold === undefined) throw new TypeError(`unknown log level: ${String(options.level)}`);
  const base = { [LOG_FIELDS.service]: options.service, ...options.base };
  return buildLogger({ redactor, write, now, threshold, levelName: options.level ?? 'info' }, fragment(redactor, base));
}

interface Shared {
  redactor: Redactor;
  write: (line: string) => void;
  now: () => Date;
  threshold: number;
  levelName: string;
}

function buildLogger(shared: Shared, bindings: string): Logger {
  const make =
    (level: LogLevel): LogFn =>
    (first: object | string, message?: string) => {
      if (LOG_LEVEL_VALUES[level] < shared.threshold) return;
      shared.write(formatLine(shared, bindings, level, first, message));
    };
  const logger: Logger = {
    trace: make('trace'),
    debug: make('debug'),
    info: make('info'),
    warn: make('warn'),
    error: make('error'),
    fatal: make('fatal'),
    child: (childBindings: LogBindings) => buildLogger(shared, bindings + fragment(shared.redactor, childBindings)),
    isLevelEnabled: (level: LogLevel) => LOG_LEVEL_VALUES[level] >= shared.threshold,
    level: shared.levelName,
  };
  return logger;
}

function formatLine(shared: Shared, bindings: string, level: LogLevel, first: object | string, message?: string) {
  let fields: Record<string, unknown> | undefined;
  let msg = message;
  if (typeof first === 'string') {
    msg = first;
  } else if (isError(first)) {
    fields = { [LOG_FIELDS.error]: first };
    msg ??= first.message;
  } else if (first !== null && first !== undefined) {
    fields = first as Record<string, unknown>;
  }
  let body = '';
  if (fields) {
    const redacted = shared.redactor.redactValue(fields);
    const err = redacted[LOG_FIELDS.error];
    const prepared = isError(err) ? { ...redacted, [LOG_FIELDS.error]: serializeError(err) } : redacted;
    body = fragment(shared.redactor, prepared, false);
  }
  const head = `{"${LOG_FIELDS.level}":"${level}","${LOG_FIELDS.timestamp}":"${shared.now().toISOString()}"`;
  const tail = msg === undefined ? '}' : `,"${LOG_FIELDS.message}":${JSON.stringify(String(msg))}}`;
  return shared.redactor.scrubLine(head + bindings + body + tail);
}

/** `,"k":v,...` for an object's defined fields (the object's own braces dropped), like pino's chindings. */
function fragment(redactor: Redactor, fields: Record<string, unknown>, redact = true): string {
  const source = redact ? redactor.redactValue(fields) : fields;
  const json = safeStringify(source);
  return json.length > 2 ? ',' + json.slice(1, -1) : '';
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, bigintReplacer);
  } catch {
    const seen = new WeakSet<object>();
    return JSON.stringify(value, (key, v) => {
      const plain = bigintReplacer(key, v);
      if (plain !== null && typeof plain === 'object') {
        if (seen.has(plain)) return '[Circular]';
        seen.add(plain);
      }
      return plain;
    });
  }
}

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
