import type { Command } from 'commander';
import { writeLine, type CliIo } from './cli-io.ts';

/** `snetd init` and `snetd init-full` (as Go `snetd init`): write a config file, never overwrite one. */
export function registerInitCommands(program: Command, io: CliIo): void {
  program
    .command('init')
    .description('write a minimal config file (to -c, default snetd.config.json)')
    .action(async (_options: unknown, command: Command) => {
      const { defaultConfigFile, minimalConfigTemplate, writeInitFile } = await import('../config/index.ts');
      const path = command.optsWithGlobals<{ config?: string }>().config ?? defaultConfigFile;
      writeInitFile(path, minimalConfigTemplate());
      writeLine(io.stdout, `Writing basic configuration to the file: ${path}`);
    });
  program
    .command('init-full')
    .description('write a config file with every key and its default (JSON, or YAML for .yaml/.yml)')
    .action(async (_options: unknown, command: Command) => {
      const { defaultConfigFile, fullConfigTemplate, writeInitFile } = await import('../config/index.ts');
      const path = command.optsWithGlobals<{ config?: string }>().config ?? defaultConfigFile;
      writeInitFile(path, fullConfigTemplate());
      writeLine(io.stdout, `Writing full default configuration to the file: ${path}`);
    });
}
