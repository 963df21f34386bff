import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('behavior: with metrics off, failed round trips still raise storage_unreachable; a period of answers resolves it', async () => {
    const levels: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const event = JSON.parse(body) as { type: string; level: string };
        if (event.type === 'storage_unreachable') levels.push(event.level);
        res.writeHead(200).end('{}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const values: Record<string, unknown> = {
      blockchain_enabled: false,
      metrics_enabled: false,
      heartbeat_interval: '0s',
      'alerts.check_interval': '20ms',
      notification_endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    };
    const config = loadConfig({ env: {}, flags: Object.entries(values).map(([key, value]) => ({ key, value, flag: `--set ${key}` })) }).config;
    const monitoring = createMonitoring(config, { logger: createSilentLogger(), version: 't', daemonId: 'id', paymentsEnabled: true, groupIdBase64: '', registry: createServiceRegistry() }, { check: () => Promise.resolve('SERVING') });
    monitoring.wrapRoot(() => Promise.resolve({ code: 0, message: '' }));
    await monitoring.start({ transportStats: () => ({ activeCalls: 0, handlersRunning: 0, connections: 0, http2Streams: 0, bytesReceived: 0, bytesSent: 0, connectionsAccepted: {} }), renderHeartbeat: () => Promise.resolve('{}') });
    const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));
    try {
      assert.equal(monitoring.metrics, undefined);
      monitoring.observeDependency('storage', 0.001, false);
      while (levels.length < 1) await tick();
      monitoring.observeDependency('storage', 0.001, true);
      while (levels.length < 2) await tick();
      assert.deepEqual(levels, ['ERROR', 'INFO']);
    } finally {
      await monitoring.close();
      server.close();
    }
  });
});
