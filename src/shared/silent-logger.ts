import type { Logger } from './logger.ts';

/** A logger that drops everything: for components built before logging is configured, and tests. */
export function createSilentLogger(): Logger {
  const noop = (): void => {};
  const logger: Logger = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    fatal: noop,
    child: () => logger,
  };
  return logger;
}
