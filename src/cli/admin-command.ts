// `snetd admin stop|start|status|get|set`: the configuration service from the command line, signed with
// an administrator key read from a file (never from argv, which other users can see in the process list).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SnetError } from '../errors/index.ts';
import { addConfigFlags, collectConfigFlags } from './config-flags.ts';
import { writeLine, type CliIo } from './cli-io.ts';

const hexKey = /^(0x)?[0-9a-fA-F]{64}$/;

function readKeyFile(path: string | undefined): string {
  if (path === undefined) throw new SnetError('CONFIG_INVALID', 'snetd admin needs --key-file FILE: the administrator\'s private key (hex)', { hint: 'write the key of an address listed in authentication_addresses to a file only you can read' });
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new SnetError('CONFIG_FILE_UNREADABLE', `cannot read the key file ${path}`, { cause: err, hint: 'check the path and its permissions' });
  }
  if (!hexKey.test(text)) throw new SnetError('CONFIG_INVALID', `the key file ${path} does not hold a 32-byte hex private key`, { hint: 'the file holds 64 hex digits, optionally prefixed with 0x, and nothing else' });
  return text.startsWith('0x') ? text : `0x${text}`;
}

function parseAssignments(pairs: readonly string[]): Record<string, string> {
  const updates: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SnetError('CONFIG_INVALID', `"${pair}" is not key=value`, { hint: 'e.g. snetd admin set rate_limit_per_minute=600 log.level=debug' });
    updates[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  if (Object.keys(updates).length === 0) throw new SnetError('CONFIG_INVALID', 'snetd admin set needs at least one key=value');
  return updates;
}

/** Registers `snetd admin …`. */
export function registerAdminCommand(program: Command, io: CliIo): void {
  addConfigFlags(
    program
      .command('admin')
      .description('administer a running daemon through its configuration service (signed with --key-file)')
      .argument('<action>', 'stop | start | status | get | set')
      .argument('[assignments...]', 'for set: key=value pairs (keys as in the config file, dotted)')
      .option('--key-file <file>', "file holding the administrator's private key (hex); its address must be in authentication_addresses")
      .option('--daemon <host:port>', 'daemon address (default: daemon_endpoint of the configuration)')
      .option('--tls', 'call over TLS (default: on when the configuration sets ssl_cert or auto_ssl_domain)')
      .option('--block <number>', 'block number to sign (default: read from the chain, or 0 with blockchain_enabled false)')
      .option('--json', 'print JSON'),
  ).action(async (action: string, assignments: string[], flags: Record<string, unknown>, command: Command) => {
    const methods = { stop: 'StopProcessingRequests', start: 'StartProcessingRequests', status: 'IsDaemonProcessingRequests', get: 'GetConfiguration', set: 'UpdateConfiguration' } as const;
    if (!Object.hasOwn(methods, action)) throw new SnetError('CONFIG_INVALID', `unknown admin action "${action}"`, { hint: 'use stop, start, status, get or set' });
    const method = methods[action as keyof typeof methods];
    const updates = action === 'set' ? parseAssignments(assignments) : undefined;
    const privateKey = readKeyFile(typeof flags['keyFile'] === 'string' ? flags['keyFile'] : undefined);
    const { overrides, errors } = collectConfigFlags(flags);
    if (errors.length > 0) throw new SnetError('CONFIG_INVALID', errors.join('\n'));
    const { loadConfig, parseHostPort } = await import('../config/index.ts');
    const { config } = loadConfig({ configPath: command.optsWithGlobals<{ config?: string }>().config, env: io.env, flags: overrides });
    const endpoint = parseHostPort(config.daemon_endpoint);
    const host = endpoint === undefined || endpoint.host === '' || endpoint.host === '0.0.0.0' ? '127.0.0.1' : endpoint.host;
    const target = typeof flags['daemon'] === 'string' ? flags['daemon'] : `${host.includes(':') ? `[${host}]` : host}:${endpoint?.port ?? 8080}`;
    const blockText = flags['block'];
    if (blockText !== undefined && (typeof blockText !== 'string' || !/^[0-9]+$/.test(blockText))) throw new SnetError('CONFIG_INVALID', `--block ${JSON.stringify(blockText)} is not a block number`);
    const { createAdminClient } = await import('../app/index.ts');
    const client = await createAdminClient({
      target,
      tls: flags['tls'] === true || config.ssl_cert !== '' || config.auto_ssl_domain !== '',
      // The daemon of this configuration serves a certificate for auto_ssl_domain, not for its listen address.
      serverName: typeof flags['daemon'] !== 'string' && config.auto_ssl_domain !== '' ? config.auto_ssl_domain : undefined,
      privateKey,
      block: typeof blockText === 'string' ? BigInt(blockText) : undefined,
      config,
    });
    try {
      const reply = await client.call(method, updates);
      if (flags['json'] === true) {
        writeLine(io.stdout, JSON.stringify(reply, null, 2));
      } else if (method === 'GetConfiguration' || method === 'UpdateConfiguration') {
        const current = (reply['currentConfiguration'] ?? {}) as Record<string, string>;
        const shown = updates === undefined ? Object.keys(current).sort() : Object.keys(updates).map((key) => key.trim().toLowerCase());
        for (const key of shown) writeLine(io.stdout, `${key} = ${current[key] ?? ''}`);
      } else {
        writeLine(io.stdout, String(reply['currentProcessingStatus']));
      }
    } finally {
      await client.close();
    }
  });
}
