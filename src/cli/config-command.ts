import type { Command } from 'commander';
import { SnetError } from '../errors/index.ts';
import { addConfigFlags } from './config-flags.ts';
import { writeLine, type CliIo } from './cli-io.ts';
import { loadCliConfig } from './load-cli-config.ts';

function redactTree(value: unknown, path: string, isSecretKey: (key: string) => boolean): unknown {
  if (Array.isArray(value)) return value.map((item, index) => redactTree(item, `${path}.${index}`, isSecretKey));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactTree(inner, path === '' ? key : `${path}.${key}`, isSecretKey)]));
  }
  return isSecretKey(path) && value !== '' && value !== undefined ? '[hidden]' : value;
}

/**
 * `snetd config`: run every check `serve` runs that needs no network (the same loadConfig, so the
 * same text) and print the effective values, secrets hidden. `--check-network` then reaches the
 * chain RPC, IPFS, etcd and the service and says which fail.
 */
export function registerConfigCommand(program: Command, io: CliIo): void {
  addConfigFlags(
    program
      .command('config')
      .description('check the configuration (file < SNET_* env < flags) and print the effective values, secrets hidden')
      .option('--json', 'print JSON only')
      .option('--check-network', 'also reach the chain RPC, IPFS, etcd and the service, and say which fail'),
  ).action(async (options: Record<string, unknown>, command: Command) => {
    const { checkNetwork: _check, json: _json, ...flags } = options;
    const loaded = await loadCliConfig(io, flags, command);
    const { isSecretKey } = await import('../config/index.ts');
    const shown = redactTree(loaded.config, '', isSecretKey);
    if (options['json'] === true) {
      writeLine(io.stdout, JSON.stringify(shown, null, 2));
    } else {
      writeLine(io.stdout, `Configuration OK (${loaded.filePath === undefined ? 'no file, defaults' : `file ${loaded.filePath}`})`);
      for (const warning of loaded.warnings) writeLine(io.stdout, `warning: ${warning.key} (from ${warning.source}): ${warning.message}`);
      if (options['checkNetwork'] !== true) writeLine(io.stdout, JSON.stringify(shown, null, 2));
    }
    if (options['checkNetwork'] === true) {
      const { checkNetwork } = await import('../app/index.ts');
      const results = await checkNetwork(loaded.config);
      // With --json the report goes to stderr so that stdout stays one JSON document.
      const out = options['json'] === true ? io.stderr : io.stdout;
      if (results.length === 0) writeLine(out, 'network: nothing to reach (blockchain off, no etcd, passthrough off)');
      for (const result of results) writeLine(out, `network: ${result.ok ? 'ok  ' : 'FAIL'} ${result.peer.padEnd(7)} ${result.target}: ${result.detail}`);
      const failed = results.filter((result) => !result.ok).map((result) => result.peer);
      if (failed.length > 0) {
        throw new SnetError('CONFIG_NETWORK_CHECK_FAILED', `cannot reach ${[...new Set(failed)].join(', ')} (the FAIL lines above say why); \`snetd serve\` would fail or serve errors until they answer`, {
          hint: 'Start each peer or correct its address in the configuration, then run `snetd config --check-network` again.',
        });
      }
    }
  });
}
