import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, updatableKeys } from '../config/index.ts';
import { configurationSchema, displayConfiguration, liveAppliers } from './admin-layer.ts';

describe('administration', () => {
  it('behavior: every key the schema marks updatable has a live applier, and no applier names another key', () => {
    assert.deepEqual(updatableKeys().sort(), Object.keys(liveAppliers).sort());
  });

  it('behavior: the shown configuration hides secrets and API keys in URLs; the schema covers every leaf key', () => {
    const { config } = loadConfig({
      env: {},
      flags: [
        { key: 'blockchain_enabled', value: false, flag: '--set' },
        { key: 'token_secret_key', value: 'x'.repeat(40), flag: '--set' },
        { key: 'ethereum_json_rpc_http_endpoint', value: 'https://sepolia.infura.io/v3/0123456789abcdef0123456789abcdef', flag: '--set' },
      ],
    });
    const shown = displayConfiguration(config);
    assert.equal(shown['token_secret_key'], '[hidden]');
    assert.equal(shown['ethereum_json_rpc_http_endpoint'], 'https://sepolia.infura.io/v3/[hidden]');
    assert.equal(shown['log.output.max_size_in_mb'], '10');
    const names = new Set(configurationSchema().map((parameter) => parameter.name));
    for (const key of Object.keys(shown)) if (!key.startsWith('free_calls_per_address.')) assert.ok(names.has(key), key);
  });
});
