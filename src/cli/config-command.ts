import type { Command } from 'commander';
import { loadConfig, isSecretKey } from '../config/index.ts';
import { addConfigFlags, collectConfigFlags } from './config-flags.ts';
import { writeLine, type CliIo } from './cli-io.ts';
import { SnetError } from '../errors/index.ts';

function redactTree(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item, index) => redactTree(item, `${path}.${index}`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactTree(inner, path === '' ? key : `${path}.${key}`)]));
  }
  return isSecretKey(path) && value !== '' && value !== undefined ? '[hidden]' : value;
}

/** `snetd config`: validate the configuration and print the effective values, secrets hidden. */
export function registerConfigCommand(program: Command, io: CliIo): void {
  addConfigFlags(
    program
      .command('config')
      .description('check the configuration (file < SNET_* env < flags) and print the effective values, secrets hidden')
      .option('--json', 'print JSON only'),
  ).action(async (options: Record<string, unknown>, command: Command) => {
    const { overrides, errors } = collectConfigFlags(options);
    if (errors.length > 0) throw new SnetError('CONFIG_INVALID', errors.join('\n'));
    const { daemonConfigValidators } = await import('../app/index.ts');
    const loaded = loadConfig({ configPath: command.optsWithGlobals<{ config?: string }>().config, env: io.env, flags: overrides, validators: daemonConfigValidators() });
    const shown = redactTree(loaded.config, '');
    if (options['json'] === true) {
      writeLine(io.stdout, JSON.stringify(shown, null, 2));
      return;
    }
    writeLine(io.stdout, `Configuration OK (${loaded.filePath === undefined ? 'no file, defaults' : `file ${loaded.filePath}`})`);
    for (const warning of loaded.warnings) writeLine(io.stdout, `warning: ${warning.key} (from ${warning.source}): ${warning.message}`);
    writeLine(io.stdout, JSON.stringify(shown, null, 2));
  });
}
