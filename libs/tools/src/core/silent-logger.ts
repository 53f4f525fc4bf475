import type { Logger } from '@atoms/observability';

const noop = () => undefined;

/** The default logger when the host passes none: discards everything. */
export const silentLogger: Logger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  fatal: noop,
  child: () => silentLogger,
  isLevelEnabled: () => false,
  level: 'silent',
};
