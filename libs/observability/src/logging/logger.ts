/**
 * The logger contract shared by the Node (pino) and the edge implementation. It is the subset of pino's API that
 * the rest of the project uses, so a pino instance satisfies it as is.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** pino's numeric levels, so `level` filtering means the same on both runtimes. */
export const LOG_LEVEL_VALUES: Readonly<Record<LogLevel | 'silent', number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

export type LogBindings = Record<string, unknown>;

export interface LogFn {
  (message: string): void;
  (fields: object, message?: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  /** A logger whose every line carries `bindings` (e.g. the request's correlation fields, or the tool name). */
  child(bindings: LogBindings): Logger;
  isLevelEnabled(level: LogLevel): boolean;
  level: string;
}

/**
 * Field names of a log line. One place, so the Node and edge outputs (and the docs) cannot drift apart.
 */
export const LOG_FIELDS = {
  timestamp: 'timestamp',
  level: 'level',
  message: 'message',
  service: 'service',
  error: 'err',
} as const;
