import type { DaemonConfig } from '../config/index.ts';
import { validateLogHookConfig } from '../ops/index.ts';
import { loggingOptionsFrom } from './option-slices.ts';

/**
 * Checks of the configuration that belong to other domains (hook sections of the logger), in the
 * shape `loadConfig({ validators })` expects, so they are reported together with everything else.
 */
export function daemonConfigValidators(): Array<(config: DaemonConfig) => Array<{ key: string; problem: string }>> {
  return [
    (config) =>
      loggingOptionsFrom(config).hooks.flatMap((hook) => {
        // A hook without any section is already reported by the config domain.
        const section = config.log[hook.name.toLowerCase()];
        if (section === null || typeof section !== 'object') return [];
        return validateLogHookConfig(hook).map((problem) => ({ key: `log.${hook.name}`, problem }));
      }),
  ];
}
