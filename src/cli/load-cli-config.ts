import type { Command } from 'commander';
import type { LoadedConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import { collectConfigFlags } from './config-flags.ts';
import type { CliIo } from './cli-io.ts';

/**
 * Loads the configuration the way `serve` does (file from -c, SNET_* env, flags, the checks of the
 * other domains), so `config`, `serve` and the operator commands report the same problems in the
 * same words. `defaultPath` is used when -c is absent (the dev network's config, for example).
 */
export async function loadCliConfig(io: CliIo, flags: Record<string, unknown>, command: Command, defaultPath?: string): Promise<LoadedConfig> {
  const { overrides, errors } = collectConfigFlags(flags);
  if (errors.length > 0) throw new SnetError('CONFIG_INVALID', errors.join('\n'));
  // Loaded on demand: `snetd --help` and `version` start faster without zod and the validators.
  const [{ loadConfig }, { daemonConfigValidators }] = await Promise.all([import('../config/index.ts'), import('../app/index.ts')]);
  const configPath = command.optsWithGlobals<{ config?: string }>().config ?? defaultPath;
  return loadConfig({ configPath, env: io.env, flags: overrides, validators: daemonConfigValidators() });
}
