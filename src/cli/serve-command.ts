import type { Command } from 'commander';
import { addConfigFlags } from './config-flags.ts';
import { writeLine, type CliIo } from './cli-io.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { daemonVersion } from './version.ts';

/**
 * `snetd serve` (also `snetd` alone): load and validate the configuration, start the daemon, run
 * until SIGINT/SIGTERM, then drain in-flight calls for up to `shutdown_timeout`.
 */
export function registerServeCommand(program: Command, io: CliIo, setExitCode: (code: number) => void, options: { isDefault: boolean }): void {
  addConfigFlags(program.command('serve', { isDefault: options.isDefault }).description('start the daemon (default command)')).action(
    async (flags: Record<string, unknown>, command: Command) => {
      const loaded = await loadCliConfig(io, flags, command);
      const { startDaemon } = await import('../app/index.ts');
      const daemon = await startDaemon(loaded, { version: daemonVersion(), stdout: io.stdout, stderr: io.stderr });
      const signal = await (io.stopSignal ?? new Promise<string>(() => {}));
      writeLine(io.stderr, `received ${signal}: draining in-flight calls (up to ${loaded.config.shutdown_timeout})`);
      await daemon.stop();
      setExitCode(0);
    },
  );
}
