// `snetd init` and `snetd init-full` (as Go `snetd init` / `init-full`).
import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { toYaml } from './yaml.ts';
import { SnetError } from '../errors/index.ts';
import { daemonConfigSchema } from './schema.ts';

/** What the reference's `snetd init` writes: the keys most service owners start from. */
export function minimalConfigTemplate(): Record<string, unknown> {
  return {
    blockchain_network_selected: 'sepolia',
    service_endpoint: 'YOUR_SERVICE_ENDPOINT',
    service_id: 'YOUR_SERVICE_ID',
    organization_id: 'YOUR_ORG_ID',
    daemon_endpoint: '127.0.0.1:8080',
    daemon_group_name: 'default_group',
    payment_channel_storage_type: 'etcd',
    ipfs_endpoint: 'https://ipfs.singularitynet.io:443',
    lighthouse_endpoint: 'https://gateway.lighthouse.storage/ipfs/',
    private_key_for_free_calls: '',
    min_balance_for_free_call: 10,
    trusted_free_call_signers: ['0x3Bb9b2499c283cec176e7C707Ecb495B7a961ebf', '0x7DF35C98f41F3Af0df1dc4c7F7D4C19a71Dd059F'],
    log: { output: { type: ['file', 'stdout'] } },
  };
}

/** Every key with its default (what `snetd init-full` writes). */
export function fullConfigTemplate(): Record<string, unknown> {
  return daemonConfigSchema.parse({});
}

/**
 * Writes `content` to `path` as JSON, or YAML for `.yaml`/`.yml`; refuses to overwrite
 * (CONFIG_FILE_EXISTS). The file is created with mode 0600 because it may later hold keys.
 */
export function writeInitFile(path: string, content: Record<string, unknown>): void {
  const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase());
  const text = yaml ? toYaml(content) : `${JSON.stringify(content, null, 2)}\n`;
  try {
    writeFileSync(path, text, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new SnetError('CONFIG_FILE_EXISTS', `Such config file already exists: ${path}`, {
        hint: 'Remove or rename the file first, or pass another path with -c.',
      });
    }
    throw new SnetError('CONFIG_FILE_UNREADABLE', `Cannot write ${path} (${code ?? 'unknown error'})`, { cause: error, hint: 'Check the directory exists and is writable.' });
  }
}
