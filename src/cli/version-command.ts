import type { Command } from 'commander';
import { writeLine, type CliIo } from './cli-io.ts';
import { daemonVersion } from './version.ts';

/** `snetd version`: local facts only — no config, no network (the reference asks GitHub). */
export function registerVersionCommand(program: Command, io: CliIo): void {
  program
    .command('version')
    .description('print the version')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) => {
      const facts = { version: daemonVersion(), node: process.version, platform: `${process.platform}-${process.arch}` };
      if (options.json === true) {
        writeLine(io.stdout, JSON.stringify(facts));
      } else {
        writeLine(io.stdout, `version tag: v${facts.version}`);
        writeLine(io.stdout, `runtime: Node.js ${facts.node} (${facts.platform})`);
      }
    });
}
