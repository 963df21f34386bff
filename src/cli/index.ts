// The `snetd` command line (as Go `snetd/cmd/*.go`): serve (default), init, init-full, version, config.
// Later issues add their commands in their own files and register them in buildProgram().
import { Command, CommanderError } from 'commander';
import { isSnetError } from '../errors/index.ts';
import { addConfigFlags } from './config-flags.ts';
import { writeLine, type CliIo } from './cli-io.ts';
import { registerServeCommand } from './serve-command.ts';
import { registerInitCommands } from './init-commands.ts';
import { registerVersionCommand } from './version-command.ts';
import { registerConfigCommand } from './config-command.ts';
import { devDescription } from './dev-files.ts';
import { registerPaymentCommands } from './payments-commands.ts';
import { registerFreeCallCommands } from './freecall-commands.ts';
import { registerAdminCommand } from './admin-command.ts';

export type { CliIo } from './cli-io.ts';
export { processStopSignal } from './stop-signal.ts';

/**
 * Builds the command tree; `io` is where commands read env and write output. `snetd dev` (chain,
 * gRPC client, signing) is loaded only when argv names it: other commands list it by name.
 */
export async function buildProgram(argv: readonly string[], io: CliIo, setExitCode: (code: number) => void): Promise<Command> {
  const program = new Command('snetd')
    .description('SingularityNET daemon (TypeScript): paid gRPC / gRPC-Web proxy in front of an AI service')
    .option('-c, --config <file>', 'config file (JSON or YAML)', undefined)
    .showHelpAfterError('(run snetd --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();
  registerServeCommand(program, io, setExitCode, { isDefault: true });
  registerInitCommands(program, io);
  registerVersionCommand(program, io);
  registerConfigCommand(program, io);
  if (argv.includes('dev')) {
    const { registerDevCommand } = await import('./dev-command.ts');
    registerDevCommand(program, io, setExitCode);
  } else {
    program.command('dev').description(devDescription);
  }
  registerPaymentCommands(program, io);
  registerFreeCallCommands(program, io);
  registerAdminCommand(program, io);
  const exitOverrideAll = (command: Command): void => {
    command.exitOverride();
    for (const child of command.commands) exitOverrideAll(child);
  };
  exitOverrideAll(program);
  return program;
}

/**
 * Runs the CLI and resolves to the process exit code: 0 success, 1 a reported error
 * (configuration, start-up), 2 a usage error.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  try {
    const program = await buildProgram(argv, io, (code) => {
      exitCode = code;
    });
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version output end with a CommanderError that is not a failure.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isSnetError(error)) {
      writeLine(io.stderr, `Error [${error.code}]: ${error.describe()}`);
      return 1;
    }
    writeLine(io.stderr, `Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

export { addConfigFlags };
