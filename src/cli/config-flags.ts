// Serve flags of the reference (Go `snetd/cmd/flags.go`) plus snetd-ts extensions, turned into config overrides.
import type { Command } from 'commander';
import type { FlagOverride } from '../config/index.ts';

/** Flags that set one config key each: [flag, key, description]. */
const keyFlags: ReadonlyArray<readonly [string, string, string]> = [
  ['--daemon-endpoint <host:port>', 'daemon_endpoint', 'listen address (daemon_endpoint)'],
  ['--service-endpoint <url>', 'service_endpoint', 'the AI service (service_endpoint)'],
  ['--log-level <level>', 'log.level', 'log level (log.level)'],
  ['--ssl-cert <file>', 'ssl_cert', 'TLS certificate (ssl_cert)'],
  ['--ssl-key <file>', 'ssl_key', 'TLS private key (ssl_key)'],
  ['--auto-ssl-domain <domain>', 'auto_ssl_domain', "Let's Encrypt domain (auto_ssl_domain)"],
  ['--auto-ssl-cache <dir>', 'auto_ssl_cache_dir', "Let's Encrypt cache directory (auto_ssl_cache_dir)"],
  ['-t, --type <type>', 'daemon_type', 'daemon type (daemon_type)'],
  ['-b, --blockchain <bool>', 'blockchain_enabled', 'enable the blockchain (blockchain_enabled)'],
  ['--passthrough <bool>', 'passthrough_enabled', 'forward calls to the service; false = echo (passthrough_enabled)'],
];

function attributeName(flag: string): string {
  const long = /--([a-z0-9-]+)/.exec(flag)?.[1] ?? flag;
  return long.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Adds the config-override flags to a command. */
export function addConfigFlags(command: Command): Command {
  for (const [flag, , description] of keyFlags) command.option(flag, description);
  command.option('--set <key=value>', 'set any config key, e.g. --set log.output.type=stdout (repeatable)', (value: string, previous: string[] = []) => [...previous, value]);
  return command;
}

/** Reads the overrides the user gave; the order is flag order, and `--set` comes last. */
export function collectConfigFlags(options: Record<string, unknown>): { overrides: FlagOverride[]; errors: string[] } {
  const overrides: FlagOverride[] = [];
  const errors: string[] = [];
  for (const [flag, key] of keyFlags) {
    const value = options[attributeName(flag)];
    if (value !== undefined) overrides.push({ key, value, flag: /--[a-z0-9-]+/.exec(flag)?.[0] ?? flag });
  }
  for (const entry of (options['set'] as string[] | undefined) ?? []) {
    const equals = entry.indexOf('=');
    if (equals <= 0) {
      errors.push(`--set ${entry}: expected key=value, e.g. --set log.level=debug`);
      continue;
    }
    overrides.push({ key: entry.slice(0, equals).trim(), value: entry.slice(equals + 1), flag: `--set ${entry.slice(0, equals).trim()}` });
  }
  return { overrides, errors };
}
