import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/index.ts';
import { createServiceRegistry, type CallHandler } from '../pipeline/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import { createMonitoring } from './monitoring.ts';

describe('createMonitoring()', () => {
  it('behavior: the payment-layer hooks fill the dependency and channel-exposure metrics', async () => {
    const config = loadConfig({ env: {}, flags: [{ key: 'blockchain_enabled', value: false, flag: '--set blockchain_enabled' }] }).config;
    const monitoring = createMonitoring(config, { logger: createSilentLogger(), version: 't', daemonId: 'id', paymentsEnabled: false, groupIdBase64: '', registry: createServiceRegistry() }, { check: () => Promise.resolve('SERVING') });
    const root: CallHandler = () => Promise.resolve({ code: 0, message: '' });
    monitoring.wrapRoot(root);
    monitoring.observeDependency('storage', 0.002, true);
    monitoring.observeDependency('chain', 0.3, false);
    monitoring.reportChannels({ unclaimedCogs: 70n, nearExpiry: [{ channelId: 3n, unclaimedCogs: 70n, blocksLeft: 12n }] });
    const text = (await monitoring.metrics?.render()) ?? '';
    assert.match(text, /^snetd_dependency_duration_seconds_count\{dependency="storage"\} 1$/m);
    assert.match(text, /^snetd_dependency_errors_total\{dependency="chain"\} 1$/m);
    assert.match(text, /^snetd_unclaimed_cogs 70$/m);
    assert.match(text, /^snetd_channels_near_expiry 1$/m);
    await monitoring.close();
  });
});
