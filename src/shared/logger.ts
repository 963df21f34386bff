/**
 * The logging interface every domain receives from the composition root. It is the subset of
 * pino's `Logger` the daemon uses, so a pino logger satisfies it and tests can pass a sink.
 * Structured fields go first, the message second (pino convention).
 */
export interface Logger {
  trace(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  fatal(obj: object, msg?: string): void;
  /** A logger that adds `bindings` to every line (e.g. `{ component: 'transport' }`). */
  child(bindings: Record<string, unknown>): Logger;
}
