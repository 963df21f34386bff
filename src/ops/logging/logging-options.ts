import type { Writable } from 'node:stream';

/** Level names accepted in `log.level` and hook `levels` (`warning` is mapped to `warn` by config). */
export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'panic';

/** Where lines go (`log.output.type`). */
export type LogOutputType = 'file' | 'stdout' | 'stderr';

/** One hook named in `log.hooks`, configured under `log.<name>` (Go `logger/hook.go`). */
export interface LogHookConfig {
  /** The hook's name, i.e. the config section `log.<name>`. */
  readonly name: string;
  /** Registered hook type: built in are `email`, `telegram_bot` and `webhook`. */
  readonly type: string;
  /** Level names the hook fires for; must not be empty. */
  readonly levels: readonly string[];
  /** The raw `log.<name>` section (snake_case keys as in the config file). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** The reference `log` config section in camelCase (Go `logger/logger.go`); `app/` maps the config onto it. */
export interface LoggingOptions {
  /** Minimum level written; `panic` is treated as `fatal`. @default 'info' */
  readonly level: LogLevelName;
  /** IANA zone (or `UTC`, `Local`) for timestamps inside lines; file names use host local time. @default 'UTC' */
  readonly timezone: string;
  readonly formatter: {
    /** `text`: `time\tLEVEL\tmessage\t{json fields}`; `json`: one JSON object per line. @default 'text' */
    readonly type: 'text' | 'json';
    /** Go time layout for `ts`, e.g. `2006-01-02T15:04:05.999Z07:00`; `''` means RFC3339. @default '2006-01-02T15:04:05.999Z07:00' */
    readonly timestampFormat: string;
  };
  readonly output: {
    /** Any of `file`, `stdout`, `stderr`; must not be empty. @default ['file', 'stdout'] */
    readonly type: readonly LogOutputType[];
    /** Log file name; placeholders `%Y %m %d %H %M %S` in host local time. @default './snet-daemon.%Y%m%d.log' */
    readonly filePattern: string;
    /** Symlink kept pointing at the live file; `''` disables it. @default './snet-daemon.log' */
    readonly currentLink: string;
    /** Size at which the file is rotated (may be fractional). @default 10 */
    readonly maxSizeInMb: number;
    /** Exact rotation size in bytes; overrides `maxSizeInMb` (tests, tiny disks). @default undefined */
    readonly maxSizeBytes?: number;
    /** Rotated files older than this are deleted; 0 keeps them regardless of age. @default 7 */
    readonly maxAgeInDays: number;
    /** Rotated files kept at most (newest first); 0 = unlimited (age still applies). @default 0 */
    readonly rotationCount: number;
  };
  /** Hooks named in `log.hooks`, in order. @default [] */
  readonly hooks: readonly LogHookConfig[];
}

/** Facts about this daemon that hook messages (e-mail, telegram, webhook) carry. */
export interface LogContext {
  readonly organizationId: string;
  readonly serviceId: string;
  /** `blockchain_network_selected`, e.g. `sepolia`. */
  readonly network: string;
  /** Daemon version tag. */
  readonly version: string;
}

/** Injectable dependencies of `createLogger` (tests pass in-memory streams and a fake clock). */
export interface LoggingDeps {
  /** Replaces process stdout for the `stdout` output. */
  readonly stdout?: Writable;
  /** Replaces process stderr for the `stderr` output and for the logger's own failure reports. */
  readonly stderr?: Writable;
  /** Clock for timestamps, file names and hooks. @default () => new Date() */
  readonly now?: () => Date;
  /** `fetch` used by HTTP hooks (webhook, telegram). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** The reference defaults (Go `config/config.go`), for callers that build options from a partial config. */
export const DEFAULT_LOGGING_OPTIONS: LoggingOptions = {
  level: 'info',
  timezone: 'UTC',
  formatter: { type: 'text', timestampFormat: '2006-01-02T15:04:05.999Z07:00' },
  output: {
    type: ['file', 'stdout'],
    filePattern: './snet-daemon.%Y%m%d.log',
    currentLink: './snet-daemon.log',
    maxSizeInMb: 10,
    maxAgeInDays: 7,
    rotationCount: 0,
  },
  hooks: [],
};
