import type { DaemonConfig } from './schema.ts';

/** Canonical forms the rest of the daemon relies on (log level lower case, `warning` → `warn`). */
export function normaliseConfig(config: DaemonConfig): DaemonConfig {
  const level = config.log.level.toLowerCase();
  return { ...config, log: { ...config.log, level: level === 'warning' ? 'warn' : level } };
}
