// Where `snetd dev` leaves its files, and how the other commands find them without -c.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { writeLine, type CliIo } from './cli-io.ts';

/** What `snetd dev` does, as `snetd --help` lists it. */
export const devDescription = 'run a whole local network: dev chain + contracts, IPFS, example service, funded channel, and the daemon in front';

/** The default `--data-dir` of `snetd dev`. */
export const defaultDevDataDir = '.snetd-dev';
/** The daemon config `snetd dev` writes into its data dir. */
export const devConfigName = 'snetd.config.json';

/**
 * The dev network's config for commands run without -c: used when the folder has no
 * snetd.config.json of its own (that one always wins, as for `serve`) and `snetd dev` ran here.
 * Says so on stderr, so that nobody wonders which daemon's storage they are reading.
 */
export function devConfigFallback(io: CliIo, command: Command): string | undefined {
  if (command.optsWithGlobals<{ config?: string }>().config !== undefined || existsSync('snetd.config.json')) return undefined;
  const path = join(defaultDevDataDir, devConfigName);
  if (!existsSync(path)) return undefined;
  writeLine(io.stderr, `using the dev network's configuration ${relative('.', path)} (pass -c FILE to read another)`);
  return path;
}
