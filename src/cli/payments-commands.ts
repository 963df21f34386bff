import { dirname } from 'node:path';
import type { Command } from 'commander';
import type { DaemonConfig } from '../config/index.ts';
import { isSnetError, SnetError } from '../errors/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import { addConfigFlags } from './config-flags.ts';
import { writeLine, type CliIo } from './cli-io.ts';
import { addGoEtcdOptions, runGoEtcdMigration } from './go-etcd-migration.ts';
import { loadCliConfig } from './load-cli-config.ts';
import { devConfigFallback } from './dev-files.ts';

// Operator commands over the payment channel storage (Go `snetd list channels|claims`, `snetd channel --unlock`).
// They open the same storage the daemon uses (metadata → group → prefixes), never the chain's money.

import type { PaymentContext } from '../app/index.ts';

export async function withPaymentContext<T>(io: CliIo, flags: Record<string, unknown>, command: Command, fn: (context: PaymentContext, config: DaemonConfig) => Promise<T>): Promise<T> {
  const devConfig = devConfigFallback(io, command);
  const loaded = await loadCliConfig(io, flags, command, devConfig);
  const { openPaymentContext } = await import('../app/index.ts');
  if (!loaded.config.blockchain_enabled) {
    throw new SnetError('CONFIG_UNSUPPORTED', 'blockchain_enabled is false: there is no payment channel storage to read', {
      hint: devConfig === undefined ? 'Run the command with the configuration of a daemon that serves paid calls.' : 'The dev network runs with --free (no payments, no channel state): restart it without --free.',
    });
  }
  const context = await openPaymentContext(loaded.config, { logger: createSilentLogger() }).catch((error: unknown) => {
    throw devConfig === undefined ? error : devNetworkGone(error, devConfig);
  });
  try {
    return await fn(context, loaded.config);
  } finally {
    await context.close();
  }
}

/**
 * With the dev network's configuration, the chain and IPFS that the storage prefix is read from live
 * only while `snetd dev` runs: when they do not answer, say that rather than "check your provider".
 */
function devNetworkGone(error: unknown, devConfig: string): unknown {
  if (!isSnetError(error) || !['CHAIN_UNAVAILABLE', 'METADATA_FETCH_FAILED'].includes(error.code)) return error;
  return new SnetError('DEVNET_NOT_RUNNING', `the dev network in ${dirname(devConfig)} is not running (${error.message})`, {
    cause: error,
    hint: 'Start it with `npx snetd dev` in this folder (in another terminal): its channel state is read through its chain and IPFS. Or pass -c FILE to read another daemon\'s storage.',
  });
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : v))) as unknown;
}

function parseChannelId(text: string): bigint {
  if (!/^[0-9]+$/.test(text)) throw new SnetError('CONFIG_INVALID', `channel id "${text}" is not a decimal integer`);
  return BigInt(text);
}

/**
 * Registers `snetd list channels`, `snetd list claims`, `snetd channel unlock <id>` (alias `snetd channel --unlock <id>`)
 * and `snetd storage export [file]` / `snetd storage import <file> [--force]` (this group's keys, JSON lines), or with
 * `--to-go-etcd` / `--from-go-etcd <endpoints>` the channels, claims, free-call counters and prepaid usage in the Go
 * daemon's etcd layout.
 */
export function registerPaymentCommands(program: Command, io: CliIo): void {
  const list = program.command('list').description('list payment channel state kept by this daemon group');
  addConfigFlags(list.command('channels').description('channels with a signed, unclaimed amount (and reservations of calls in flight)').option('--json', 'print JSON')).action(
    async (flags: Record<string, unknown>, command: Command) => {
      await withPaymentContext(io, flags, command, async ({ repository }) => {
        const channels = await repository.listChannels();
        if (flags['json'] === true) {
          writeLine(io.stdout, JSON.stringify(jsonSafe(channels.map(({ signature: _s, ...rest }) => rest)), null, 2));
          return;
        }
        if (channels.length === 0) writeLine(io.stdout, 'no channels in storage');
        for (const c of channels) {
          const pending = c.pending === undefined ? '' : `, call in flight until ${new Date(c.pending.leaseUntilMs).toISOString()}`;
          writeLine(io.stdout, `channel ${c.channelId}: nonce ${c.nonce}, signed amount ${c.authorizedAmount} of ${c.fullAmount} cogs, expires at block ${c.expiration}, sender ${c.sender}${pending}`);
        }
      });
    },
  );
  addConfigFlags(list.command('claims').description('claims started with the provider control service and not yet seen on chain').option('--json', 'print JSON')).action(
    async (flags: Record<string, unknown>, command: Command) => {
      await withPaymentContext(io, flags, command, async ({ repository }) => {
        const claims = await repository.listClaims();
        if (flags['json'] === true) {
          writeLine(io.stdout, JSON.stringify(jsonSafe(claims), null, 2));
          return;
        }
        if (claims.length === 0) writeLine(io.stdout, 'no claims in progress');
        for (const c of claims) writeLine(io.stdout, `claim channel ${c.channelId} nonce ${c.nonce}: ${c.amount} cogs`);
      });
    },
  );
  addConfigFlags(
    program
      .command('channel')
      .description('channel maintenance: `snetd channel unlock <id>` ends the reservation of a crashed call at once (it counts as paid)')
      .argument('[action]', 'unlock')
      .argument('[id]', 'channel id')
      .option('--unlock <id>', 'same as `channel unlock <id>` (reference syntax)'),
  ).action(async (action: string | undefined, id: string | undefined, flags: Record<string, unknown>, command: Command) => {
    const target = typeof flags['unlock'] === 'string' ? flags['unlock'] : action === 'unlock' ? id : undefined;
    // A usage error like commander's own (exit 2): `snetd channel 0` is not a lookup; list shows the state.
    if (target === undefined) command.error(`error: ${action === undefined || action === 'unlock' ? 'say which channel to unlock' : `unknown action '${action}'`}: snetd channel unlock <channel id> (each channel's state: snetd list channels)`);
    const channelId = parseChannelId(target);
    const { unlock: _unlock, ...configFlags } = flags;
    await withPaymentContext(io, configFlags, command, async ({ repository, channelFormat }) => {
      const unlocked = await repository.unlock(channelId);
      // Go format: a Go replica's call that held the lock was never recorded (as with Go); a snetd-ts replica's
      // call wrote its payment with the lock, so it stays paid (docs/migration.md).
      const outcome = channelFormat === 'go' ? "its Go lock key deleted; a Go replica's call that held it was not recorded, a snetd-ts replica's stays paid" : 'the reserved amount stays authorised';
      writeLine(io.stdout, unlocked ? `channel ${channelId} unlocked (${outcome})` : `channel ${channelId} was not locked`);
    });
  });

  const storage = program.command('storage').description('copy this group\'s payment state between storage backends (JSON lines)');
  addConfigFlags(
    addGoEtcdOptions(
      storage
        .command('export')
        .description('write every key of this daemon group to a file (or stdout), or with --to-go-etcd the channels, claims, free-call counters and prepaid usage into the Go daemon\'s etcd layout (rollback)')
        .argument('[file]', 'output file; stdout when absent')
        .option('--to-go-etcd <endpoints>', 'the Go daemon\'s etcd, e.g. http://127.0.0.1:2379,http://10.0.0.2:2379'),
    ),
  ).action(async (file: string | undefined, flags: Record<string, unknown>, command: Command) => {
    const toGo = flags['toGoEtcd'];
    if (typeof toGo === 'string') {
      if (file !== undefined) throw new SnetError('CONFIG_INVALID', 'give either an output file or --to-go-etcd, not both');
      await withPaymentContext(io, flags, command, (context, config) => runGoEtcdMigration('export', toGo, flags, context, config, io));
      return;
    }
    const { exportStore } = await import('../storage/index.ts');
    await withPaymentContext(io, flags, command, async ({ store, storagePrefixes }) => {
      const { createWriteStream } = await import('node:fs');
      const out = file === undefined ? io.stdout : createWriteStream(file, { flags: 'wx' });
      const result = await exportStore(store, storagePrefixes.base, out);
      if (file !== undefined) {
        await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err == null ? resolve() : reject(err))));
        writeLine(io.stderr, `exported ${JSON.stringify(result)} to ${file}`);
      }
    });
  });
  addConfigFlags(
    addGoEtcdOptions(
      storage
        .command('import')
        .description('write the keys of an export file into this daemon group\'s storage (absent keys only unless --force), or with --from-go-etcd the Go daemon\'s channels, claims, free-call counters and prepaid usage')
        .argument('[file]', 'a file written by `snetd storage export`')
        .option('--force', 'overwrite keys that hold a different value (file import)')
        .option('--from-go-etcd <endpoints>', 'the Go daemon\'s etcd, e.g. http://127.0.0.1:2379,http://10.0.0.2:2379'),
    ),
  ).action(async (file: string | undefined, flags: Record<string, unknown>, command: Command) => {
    const fromGo = flags['fromGoEtcd'];
    if (typeof fromGo === 'string') {
      if (file !== undefined) throw new SnetError('CONFIG_INVALID', 'give either an export file or --from-go-etcd, not both');
      await withPaymentContext(io, flags, command, (context, config) => runGoEtcdMigration('import', fromGo, flags, context, config, io));
      return;
    }
    if (file === undefined) command.error('error: say what to import: snetd storage import <file> [--force], or snetd storage import --from-go-etcd <endpoints>');
    const { importStore } = await import('../storage/index.ts');
    const { force, ...configFlags } = flags;
    await withPaymentContext(io, configFlags, command, async ({ store }) => {
      const { createReadStream } = await import('node:fs');
      const result = await importStore(store, createReadStream(file), { force: force === true });
      writeLine(io.stdout, `imported ${result.imported}, unchanged ${result.unchanged}, overwritten ${result.overwritten.length}`);
    });
  });
}
