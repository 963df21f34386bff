import type { Writable } from 'node:stream';
import { pino, type Level } from 'pino';
import { SnetError } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';
import type { LogContext, LoggingDeps, LoggingOptions } from './logging-options.ts';
import { compileGoTimeLayout, isKnownTimezone } from './go-time-layout.ts';
import { buildRedactPaths, redactSecretFields, REDACTED, scrubSecrets } from './scrub-secrets.ts';
import { jsonLineToText, levelWordOf, parseLine } from './line-format.ts';
import { validateFilePattern } from './file-pattern.ts';
import { createRotatingFile, type RotatingFile } from './rotating-file.ts';
import type { LogEntry, LogHook, LogHookRegistry } from './hooks/log-hook.ts';
import { createLogHookRegistry } from './hooks/log-hook.ts';
import { levelWordForName } from './hooks/hook-levels.ts';
import { BUILT_IN_HOOK_TYPES, validateLogHookConfig } from './hooks/validate-hook-config.ts';

/** What `createLogger` returns: the logger plus its lifecycle. */
export interface LoggingHandle {
  /** Structured logger (pino underneath, behind a shield: never throws into callers). */
  readonly logger: Logger;
  /**
   * Resolves when every line logged so far is written to the file output and hooks have finished
   * their queues (hooks: at most 5 s). stdout/stderr are flushed best-effort (sonic-boom).
   */
  flush(): Promise<void>;
  /** Delivers what hooks have queued (bounded wait), flushes and closes outputs. Idempotent. */
  close(): Promise<void>;
  /** Changes the minimum level of this logger and all its children at once (configuration service). Throws LOG_SETUP_FAILED for an unknown level. */
  setLevel(level: string): void;
  /** The live log file, when the `file` output is on (for operators' `status` and tests). */
  readonly currentFile: string | undefined;
  /** The rotating file (events `rotated`, `removed`, `link`), when the `file` output is on. */
  readonly file: RotatingFile | undefined;
}

/** Extra dependencies: a hook registry with custom types (default: the built-ins). */
export interface CreateLoggerDeps extends LoggingDeps {
  readonly hookRegistry?: LogHookRegistry;
}

/** A registry with the built-in hook types (`email`, `telegram_bot`, `webhook`); add more with `registerLogHookType`. */
export function createBuiltInHookRegistry(): LogHookRegistry {
  return createLogHookRegistry(BUILT_IN_HOOK_TYPES);
}

const PINO_LABEL_TO_WORD: Readonly<Record<string, string>> = {
  trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR', fatal: 'FATAL',
};
const WORD_TO_PINO_LEVEL: Readonly<Record<string, Level>> = {
  TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal',
};
const OUTPUT_TYPES = new Set(['file', 'stdout', 'stderr']);
/** How long `flush()` waits for hooks to finish their queues. */
const HOOK_FLUSH_TIMEOUT_MS = 5000;

interface Output {
  write(text: string): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

function setupFailed(message: string, hint: string, cause?: unknown): SnetError {
  return new SnetError('LOG_SETUP_FAILED', message, cause === undefined ? { hint } : { hint, cause });
}

/** Everything wrong with the options except hook sections, as reference-style messages. */
function validateOptions(options: LoggingOptions): string[] {
  const problems: string[] = [];
  if (levelWordForName(options.level) === undefined) problems.push(`wrong string for level: ${options.level}`);
  if (!isKnownTimezone(options.timezone)) problems.push(`unknown log.timezone: ${options.timezone}`);
  const formatter: string = options.formatter.type;
  if (formatter !== 'text' && formatter !== 'json') problems.push(`unsupported log formatter type: ${formatter}`);
  if (options.output.type.length === 0) problems.push('log.output.type is empty');
  for (const t of options.output.type) if (!OUTPUT_TYPES.has(t)) problems.push(`unsupported log output type: ${String(t)}`);
  if (options.output.type.includes('file')) {
    problems.push(...validateFilePattern(options.output.filePattern));
    const size = options.output.maxSizeBytes ?? options.output.maxSizeInMb * 1024 * 1024;
    if (!(size > 0)) problems.push('log.output.max_size_in_mb must be greater than 0');
    if (!(options.output.maxAgeInDays >= 0)) problems.push('log.output.max_age_in_days must be 0 or more');
    if (!(options.output.rotationCount >= 0)) problems.push('log.output.rotation_count must be 0 or more');
  }
  return problems;
}

function streamOutput(stream: Writable): Output {
  return {
    write: (text) => {
      stream.write(text);
    },
    flush: () => (stream.writableNeedDrain ? new Promise((resolve) => stream.once('drain', () => resolve())) : Promise.resolve()),
    close: () => Promise.resolve(),
  };
}

/** stdout/stderr through sonic-boom: asynchronous writes that survive EAGAIN on non-blocking pipes. */
function fdOutput(fd: 1 | 2): Output {
  const sonic = pino.destination({ dest: fd, sync: false });
  return {
    write: (text) => {
      sonic.write(text);
    },
    flush: () => new Promise((resolve) => sonic.flush(() => resolve())),
    close: () => {
      try {
        sonic.flushSync();
      } catch {
        // a write is in flight; sonic-boom finishes it on its own
      }
      return Promise.resolve();
    },
  };
}

type LevelMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const LEVEL_VALUE: Readonly<Record<LevelMethod, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * The minimum level, shared by the root logger and every child. pino fixes a child's level when the child
 * is made, so a level change at run time (configuration service) is applied here, one comparison per call.
 */
interface LevelThreshold {
  value: number;
}

/**
 * The pino logger behind a shield: a throwing getter or `toJSON` in a logged object, or a failing
 * formatter, is reported once instead of reaching the caller (request handling must not fail
 * because a log line could not be built).
 */
function shieldLogger(
  inner: pino.Logger,
  report: (what: string, error: unknown) => void,
  threshold: LevelThreshold,
  root: pino.Logger = inner,
  bound: Readonly<Record<string, unknown>> = {},
): Logger {
  const call = (method: LevelMethod) => {
    const value = LEVEL_VALUE[method];
    return (obj: object, msg?: string): void => {
      if (value < threshold.value) return;
      try {
        if (msg === undefined) inner[method](obj);
        else inner[method](obj, msg);
      } catch (e) {
        report('building a log line', e);
      }
    };
  };
  const logger: Logger = {
    trace: call('trace'),
    debug: call('debug'),
    info: call('info'),
    warn: call('warn'),
    error: call('error'),
    fatal: call('fatal'),
    child(bindings) {
      try {
        const merged = { ...bound, ...bindings };
        // pino appends a child's bindings to its parent's, so a key bound twice (a domain's `component` under
        // app's) would appear twice in one JSON line; such a child is built from the root with the merged set
        // instead, the inner binding replacing the outer one.
        const rebinds = Object.keys(bindings).some((key) => Object.hasOwn(bound, key));
        return shieldLogger(rebinds ? root.child(merged) : inner.child(bindings), report, threshold, root, merged);
      } catch (e) {
        report('building a child logger', e);
        return logger;
      }
    },
  };
  return logger;
}

/**
 * Builds the daemon's logger from the reference `log` section (Go `logger/logger.go`): pino producing zap-style
 * lines (`level` word, `ts` in the configured Go layout and timezone, `msg` + fields, or the
 * tab-separated text form), written asynchronously to stdout/stderr/a rotating file, with hooks
 * (e-mail, telegram, webhook, custom) fed through bounded, rate-limited queues. Secrets are
 * redacted in three layers (see `scrub-secrets.ts`) before any output or hook sees a line.
 * Throws `SnetError('LOG_SETUP_FAILED')` on bad options, a bad hook section
 * (`unable to add log hook "<name>", error: …`, start-up fails like the reference) or an unwritable
 * log file. After start-up the logger never throws; a failing output is reported once on stderr.
 */
export function createLogger(options: LoggingOptions, context: LogContext, deps: CreateLoggerDeps = {}): LoggingHandle {
  const problems = validateOptions(options);
  if (problems.length > 0) {
    throw new SnetError('LOG_SETUP_FAILED', `invalid log configuration: ${problems.join('; ')}`, {
      hint: 'Fix the log.* keys named above (see docs/config.md).',
      details: { problems },
    });
  }
  const registry = deps.hookRegistry ?? createBuiltInHookRegistry();
  const knownTypes = Object.fromEntries(registry.types().flatMap((t) => {
    const ht = registry.get(t);
    return ht === undefined ? [] : [[t, ht]];
  }));
  for (const hook of options.hooks) {
    const hookProblems = validateLogHookConfig(hook, knownTypes);
    if (hookProblems.length > 0) {
      throw setupFailed(`unable to add log hook "${hook.name}", error: ${hookProblems.join('; ')}`,
        `Fix the log.${hook.name} section or remove "${hook.name}" from log.hooks.`);
    }
  }

  const nowMs = deps.now === undefined ? Date.now : (): number => (deps.now as () => Date)().getTime();
  const diagnostics: Writable | NodeJS.WriteStream = deps.stderr ?? process.stderr;
  const reported = new Set<string>();
  /** The logger's own failures go to stderr directly (the failing output may be the log file). */
  const reportOnce = (what: string, error: unknown): void => {
    if (reported.has(what)) return;
    reported.add(what);
    const message = error instanceof Error ? error.message : String(error);
    try {
      diagnostics.write(`snetd: logging: ${what} failed: ${scrubSecrets(message)} (reported once)\n`);
    } catch {
      // nothing left to tell
    }
  };

  const self: { logger?: Logger } = {};
  let closed = false;
  const hookReport = (message: string, fields: Record<string, unknown>): void => {
    // Deferred: a hook may report while the logger is inside write().
    setImmediate(() => {
      if (!closed) self.logger?.warn(fields, message);
    });
  };
  const hooks: LogHook[] = [];
  const hookCtx = { context, timezone: options.timezone, fetch: deps.fetch ?? globalThis.fetch, report: hookReport };
  for (const hookConfig of options.hooks) {
    const type = registry.get(hookConfig.type.trim());
    try {
      if (type === undefined) throw new Error(`unexpected hook type: "${hookConfig.type}"`);
      hooks.push(type.create(hookConfig, hookCtx));
    } catch (e) {
      for (const h of hooks) void h.close();
      throw setupFailed(`unable to add log hook "${hookConfig.name}", error: ${e instanceof Error ? e.message : String(e)}`,
        `Fix the log.${hookConfig.name} section or remove "${hookConfig.name}" from log.hooks.`, e);
    }
  }
  const hookWords = new Set(hooks.flatMap((h) => [...h.levels]));

  const outputs: Output[] = [];
  let file: RotatingFile | undefined;
  for (const type of new Set(options.output.type)) {
    if (type === 'stdout') outputs.push(deps.stdout === undefined ? fdOutput(1) : streamOutput(deps.stdout));
    else if (type === 'stderr') outputs.push(deps.stderr === undefined ? fdOutput(2) : streamOutput(deps.stderr));
    else {
      const o = options.output;
      try {
        file = createRotatingFile({
          filePattern: o.filePattern,
          currentLink: o.currentLink,
          maxSizeBytes: o.maxSizeBytes ?? Math.max(1, Math.floor(o.maxSizeInMb * 1024 * 1024)),
          maxAgeInDays: o.maxAgeInDays,
          rotationCount: o.rotationCount,
        }, { now: nowMs, onError: (what, e) => reportOnce(`log file ${what}`, e) });
      } catch (e) {
        for (const h of hooks) void h.close();
        throw setupFailed(`cannot open log file for pattern ${o.filePattern}: ${e instanceof Error ? e.message : String(e)}`,
          'Check that the directory of log.output.file_pattern exists or can be created and is writable.', e);
      }
      const f = file;
      outputs.push({ write: (t) => f.write(t), flush: () => f.flush(), close: () => f.close() });
    }
  }

  const text = options.formatter.type === 'text';
  // Quotes, backslashes and control characters can only come from layout literals; dropping them
  // keeps `ts` a plain JSON string, which the text conversion relies on.
  // eslint-disable-next-line no-control-regex
  const formatTs = compileGoTimeLayout(options.formatter.timestampFormat.replace(/["\\\u0000-\u001f]/g, ''), options.timezone);
  let lastTimeMs = 0;

  const dispatchToHooks = (line: string, word: string): void => {
    const parsed = parseLine(line);
    let fields: Record<string, unknown> = {};
    if (parsed.fields !== '') {
      try {
        fields = JSON.parse(parsed.fields) as Record<string, unknown>;
      } catch {
        fields = {};
      }
    }
    const entry: LogEntry = {
      level: word,
      levelName: word.toLowerCase(),
      time: new Date(lastTimeMs),
      ts: parsed.ts,
      message: parsed.msg,
      fields,
    };
    for (const hook of hooks) {
      if (!hook.levels.has(word)) continue;
      try {
        hook.handle(entry);
      } catch (e) {
        reportOnce(`log hook "${hook.name}"`, e);
      }
    }
  };

  const destination = {
    write(raw: string): void {
      if (closed) return;
      try {
        const line = scrubSecrets(raw);
        const out = text ? jsonLineToText(line) : line;
        for (const o of outputs) o.write(out);
        if (hookWords.size > 0) {
          const word = levelWordOf(line);
          if (word !== undefined && hookWords.has(word)) dispatchToHooks(line, word);
        }
      } catch (e) {
        reportOnce('log line', e);
      }
    },
  };

  const threshold: LevelThreshold = { value: LEVEL_VALUE[WORD_TO_PINO_LEVEL[levelWordForName(options.level) ?? 'INFO'] ?? 'info'] };
  const pinoLogger = pino({
    // Every level passes pino; the shield filters by `threshold`, which setLevel() may change.
    level: 'trace',
    base: null,
    messageKey: 'msg',
    timestamp: () => {
      lastTimeMs = nowMs();
      return `,"ts":"${formatTs(lastTimeMs)}"`;
    },
    formatters: {
      level: (label) => ({ level: PINO_LABEL_TO_WORD[label] ?? label.toUpperCase() }),
      log: (obj) => redactSecretFields(obj),
      bindings: (bindings) => redactSecretFields(bindings),
    },
    redact: { paths: buildRedactPaths(), censor: REDACTED },
  }, destination);
  const logger = shieldLogger(pinoLogger, reportOnce, threshold);
  self.logger = logger;

  let closing: Promise<void> | undefined;
  return {
    logger,
    currentFile: file?.currentFile,
    file,
    setLevel(level) {
      const pinoLevel = WORD_TO_PINO_LEVEL[levelWordForName(level) ?? ''];
      if (pinoLevel === undefined) throw setupFailed(`wrong string for level: ${level}`, 'Use debug, info, warn, error, fatal or panic.');
      threshold.value = LEVEL_VALUE[pinoLevel];
    },
    async flush() {
      let timer: NodeJS.Timeout | undefined;
      // Hooks get a bounded wait: a stalled SMTP server must not stall a caller's flush.
      await Promise.race([
        Promise.all(hooks.map((h) => h.flush?.() ?? Promise.resolve())),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, HOOK_FLUSH_TIMEOUT_MS);
          timer.unref();
        }),
      ]);
      if (timer !== undefined) clearTimeout(timer);
      await Promise.all(outputs.map((o) => o.flush()));
    },
    close() {
      closing ??= (async () => {
        await Promise.all(hooks.map((h) => h.close().catch((e: unknown) => reportOnce(`closing log hook "${h.name}"`, e))));
        // Let the hooks' deferred reports (setImmediate) reach the outputs before they close.
        await new Promise((resolve) => setImmediate(resolve));
        closed = true;
        await Promise.all(outputs.map((o) => o.close().catch((e: unknown) => reportOnce('closing log output', e))));
      })();
      return closing;
    },
  };
}
