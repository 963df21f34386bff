export { createLogger, createBuiltInHookRegistry, type LoggingHandle, type CreateLoggerDeps } from './create-logger.ts';
export {
  DEFAULT_LOGGING_OPTIONS,
  type LoggingOptions,
  type LogContext,
  type LoggingDeps,
  type LogHookConfig,
  type LogLevelName,
  type LogOutputType,
} from './logging-options.ts';
export { redactUrl, looksLikeApiKey } from './redact-url.ts';
export { scrubSecrets, redactSecretFields, isSecretKey, SECRET_KEYS, REDACTED } from './scrub-secrets.ts';
export { compileGoTimeLayout, isKnownTimezone, RFC3339_LAYOUT, GO_TIME_STRING_LAYOUT, type TimeFormatter } from './go-time-layout.ts';
export { validateFilePattern, expandFilePattern } from './file-pattern.ts';
export type { RotatingFile } from './rotating-file.ts';
export {
  createLogHookRegistry,
  type LogEntry,
  type LogHook,
  type LogHookFactory,
  type LogHookFactoryContext,
  type LogHookRegistry,
  type LogHookType,
  type LogHookSettingsValidator,
} from './hooks/log-hook.ts';
export { createQueuedHook, DEFAULT_HOOK_QUEUE_LIMITS, type HookQueueLimits, type QueuedHookParams } from './hooks/queued-hook.ts';
export { validateLogHookConfig, BUILT_IN_HOOK_TYPES } from './hooks/validate-hook-config.ts';
export { levelWordForName } from './hooks/hook-levels.ts';
export { EMAIL_HOOK_SUBJECT } from './hooks/email-hook.ts';
export type { SmtpSettings } from './hooks/smtp-transport.ts';
