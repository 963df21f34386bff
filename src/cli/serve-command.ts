import type { Command } from 'commander';
import { loadConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import { addConfigFlags, collectConfigFlags } from './config-flags.ts';
import { writeLine, type CliIo } from './cli-io.ts';
import { daemonVersion } from './version.ts';

/**
 * `snetd serve` (also `snetd` alone): load and validate the configuration, start the daemon, run
 * until SIGINT/SIGTERM, then drain in-flight calls for up to `shutdown_timeout`.
 */
export function registerServeCommand(program: Command, io: CliIo, setExitCode: (code: number) => void, options: { isDefault: boolean }): void {
  addConfigFlags(program.command('serve', { isDefault: options.isDefault }).description('start the daemon (default command)')).action(
    async (flags: Record<string, unknown>, command: Command) => {
      const { overrides, errors } = collectConfigFlags(flags);
      if (errors.length > 0) throw new SnetError('CONFIG_INVALID', errors.join('\n'));
      // Loaded on demand: the other commands start faster without the whole daemon.
      const { startDaemon, daemonConfigValidators } = await import('../app/index.ts');
      const loaded = loadConfig({ configPath: command.optsWithGlobals<{ config?: string }>().config, env: io.env, flags: overrides, validators: daemonConfigValidators() });
      const daemon = await startDaemon(loaded, { version: daemonVersion(), stdout: io.stdout, stderr: io.stderr });
      const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
      writeLine(io.stderr, `received ${signal}: draining in-flight calls (up to ${loaded.config.shutdown_timeout})`);
      await daemon.stop();
      setExitCode(0);
    },
  );
}
