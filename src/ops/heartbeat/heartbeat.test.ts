import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { computeDaemonId } from './daemon-id.ts';
import { createServiceProbe } from './service-probe.ts';
import { createHeartbeat } from './heartbeat.ts';
import { freePort } from '../../../test/harness/ports.ts';

describe('computeDaemonId()', () => {
  it('behavior: matches the reference vector (Go `metrics/heartbeat_test.go`)', () => {
    assert.equal(computeDaemonId('YOUR_ORG_ID', 'YOUR_SERVICE_ID', '', ''), '20e986a77adb1ab0900dce6f554128496aa26be1e212d682f37898bae226fcfc');
  });
});

describe('createHeartbeat()', () => {
  it('behavior: Online with a double-encoded serviceheartbeat when the tcp probe connects', async () => {
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const heartbeat = createHeartbeat(createServiceProbe({ type: 'tcp', target: `http://127.0.0.1:${port}` }), {
        daemonId: 'id',
        serviceId: 'svc',
        version: '0.1.0',
        blockchainEnabled: false,
        network: 'sepolia',
      }, () => 1_700_000_000_000);
      const text = await heartbeat.render();
      assert.ok(text.endsWith('\n'));
      const body = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['daemonID', 'timestamp', 'status', 'serviceheartbeat', 'daemonVersion', 'blockchainEnabled', 'blockchainNetwork', 'storageClientCertDetails']);
      assert.equal(body['status'], 'Online');
      assert.equal(body['timestamp'], '1700000000');
      assert.deepEqual(JSON.parse(body['serviceheartbeat'] as string), { serviceID: 'svc', status: 'SERVING' });
    } finally {
      server.close();
    }
  });

  it('behavior: Offline when nothing listens', async () => {
    const probe = createServiceProbe({ type: 'tcp', target: `127.0.0.1:${await freePort()}` });
    assert.equal(await probe.check(), 'NOT_SERVING');
  });
});
