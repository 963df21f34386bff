import type { LogContext, LogHookConfig } from '../logging-options.ts';

/** One log line as hooks see it: built from the final, already redacted line. */
export interface LogEntry {
  /** Upper-case level word as in the line (`ERROR`, `WARN`, …). */
  readonly level: string;
  /** Lower-case level name as Go prints it (`error`, `warn`, …), used in hook message bodies. */
  readonly levelName: string;
  /** When the entry was logged. */
  readonly time: Date;
  /** The line's formatted `ts` (Go layout, configured timezone). */
  readonly ts: string;
  readonly message: string;
  /** Structured fields of the line (secrets already replaced). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * A log hook: receives entries whose level is in `levels`. `handle` must return at once (queue the
 * work; never block the caller, never throw); `close` delivers or abandons what is queued and frees
 * connections.
 */
export interface LogHook {
  readonly name: string;
  /** Upper-case level words (`ERROR`, `FATAL`, …) this hook fires for. */
  readonly levels: ReadonlySet<string>;
  handle(entry: LogEntry): void;
  /** Resolves when everything queued so far has been handled (delivered, failed or dropped). */
  flush?(): Promise<void>;
  close(): Promise<void>;
}

/** What a hook factory gets besides its own config section. */
export interface LogHookFactoryContext {
  /** Facts for message bodies (organisation, service, network, version). */
  readonly context: LogContext;
  /** IANA zone of `log.timezone`, for the local time in message bodies. */
  readonly timezone: string;
  /** HTTP client for HTTP-based hooks. */
  readonly fetch: typeof fetch;
  /** Reports a hook's own trouble (delivery failure, drops) through the logger; never throws. */
  readonly report: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Builds a hook from its config section. Throws an `Error` whose message says what is wrong (it
 * becomes `unable to add log hook "<name>", error: <message>`).
 */
export type LogHookFactory = (config: LogHookConfig, ctx: LogHookFactoryContext) => LogHook;

/** Pure check of a hook type's settings (`log.<name>` section): the problems, or `[]`. */
export type LogHookSettingsValidator = (config: LogHookConfig) => string[];

/** A hook type: its factory and, optionally, a config validator used by `validateLogHookConfig`. */
export interface LogHookType {
  readonly create: LogHookFactory;
  readonly validate?: LogHookSettingsValidator;
}

/** Hook types known to one logger (no global registry: each `createLogger` gets its own). */
export interface LogHookRegistry {
  /** Adds or replaces a hook type (the reference `RegisterHookType`). */
  registerLogHookType(type: string, hookType: LogHookFactory | LogHookType): void;
  get(type: string): LogHookType | undefined;
  types(): string[];
}

/** A registry holding `initial` types (the built-ins when created by `createBuiltInHookRegistry`). */
export function createLogHookRegistry(initial: Readonly<Record<string, LogHookType>> = {}): LogHookRegistry {
  const byType = new Map<string, LogHookType>(Object.entries(initial));
  return {
    registerLogHookType(type, hookType) {
      byType.set(type, typeof hookType === 'function' ? { create: hookType } : hookType);
    },
    get: (type) => byType.get(type),
    types: () => [...byType.keys()],
  };
}
