// Each probe type against a real service on 127.0.0.1: a grpc-js server with grpc.health.v1.Health, a node
// HTTP server, a TCP listener; and the certificate details of /heartbeat from a real PEM file.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createSilentLogger } from '../../shared/index.ts';
import { freePort } from '../../../test/harness/ports.ts';
import { startHealthServer } from '../../../test/harness/health-server.ts';
import { createTestCa, type TestCa } from '../../../test/harness/tls-certs.ts';
import { readCertDetails } from './cert-details.ts';
import { createHeartbeat } from './heartbeat.ts';
import { createHeartbeatMonitor } from './heartbeat-monitor.ts';
import { createServiceProbe, type ServingStatus } from './service-probe.ts';
import { createSharedProbe } from './shared-probe.ts';

describe('createServiceProbe({ type: "grpc" })', () => {
  it('behavior: SERVING only when Health/Check says SERVING; NOT_SERVING, UNKNOWN and no Health service are down', async () => {
    let status = 1;
    const server = await startHealthServer(() => status);
    try {
      const probe = createServiceProbe({ type: 'grpc', target: `127.0.0.1:${server.port}`, serviceName: 'svc' });
      assert.equal(await probe.check(), 'SERVING');
      assert.deepEqual(server.asked, ['svc']);
      status = 2;
      assert.equal(await probe.check(), 'NOT_SERVING');
      status = 0;
      assert.equal(await probe.check(), 'NOT_SERVING', 'UNKNOWN is not healthy');
      status = 1;
      assert.equal(await createServiceProbe({ type: 'grpc', target: `grpc://127.0.0.1:${server.port}` }).check(), 'SERVING', 'grpc:// URLs work too');
    } finally {
      server.stop();
    }
    const noHealth = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) => noHealth.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))));
    try {
      assert.equal(await createServiceProbe({ type: 'grpc', target: `127.0.0.1:${port}` }).check(), 'NOT_SERVING', 'UNIMPLEMENTED is not healthy');
    } finally {
      noHealth.forceShutdown();
    }
    assert.equal(await createServiceProbe({ type: 'grpc', target: `127.0.0.1:${await freePort()}` }).check(), 'NOT_SERVING');
  });
});

describe('createServiceProbe({ type: "http" })', () => {
  let server: http.Server;
  let answer = { status: 200, body: 'ok' };
  before(async () => {
    server = http.createServer((_req, res) => res.writeHead(answer.status).end(answer.body));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  after(() => server.close());

  it('behavior: SERVING on 200 with a body; an empty body or another status is down', async () => {
    const probe = createServiceProbe({ type: 'http', target: `http://127.0.0.1:${(server.address() as AddressInfo).port}/heartbeat` });
    assert.equal(await probe.check(), 'SERVING');
    answer = { status: 200, body: '' };
    assert.equal(await probe.check(), 'NOT_SERVING');
    assert.equal(probe.lastFailure, 'HTTP 200 with an empty body');
    answer = { status: 503, body: 'down' };
    assert.equal(await probe.check(), 'NOT_SERVING');
    assert.equal(probe.lastFailure, 'HTTP 503');
  });
});

describe('createServiceProbe({ type: "http" }) with an https:// URL', () => {
  let ca: TestCa;
  let server: https.Server;
  before(async () => {
    ca = createTestCa();
    const { cert, key } = ca.issue('heartbeat-service');
    server = https.createServer({ cert, key }, (_req, res) => res.writeHead(200).end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  after(() => {
    server.close();
    ca.remove();
  });

  it('error: a certificate the process does not trust (a test CA not in NODE_EXTRA_CA_CERTS) is down, and lastFailure says why', async () => {
    const probe = createServiceProbe({ type: 'http', target: `https://127.0.0.1:${(server.address() as AddressInfo).port}/health` });
    assert.equal(await probe.check(), 'NOT_SERVING');
    assert.match(probe.lastFailure ?? '', /^certificate verification failed: /);
  });
});

describe('ServiceProbe.lastFailure', () => {
  it('behavior: names the reason of each probe type failing, undefined once healthy again', async () => {
    const port = await freePort();
    const tcp = createServiceProbe({ type: 'tcp', target: `127.0.0.1:${port}` });
    assert.equal(await tcp.check(), 'NOT_SERVING');
    assert.match(tcp.lastFailure ?? '', /ECONNREFUSED/);
    const grpcProbe = createServiceProbe({ type: 'grpc', target: `127.0.0.1:${port}` });
    assert.equal(await grpcProbe.check(), 'NOT_SERVING');
    assert.match(grpcProbe.lastFailure ?? '', /ECONNREFUSED/);
    let status = 2;
    const server = await startHealthServer(() => status);
    try {
      const probe = createServiceProbe({ type: 'grpc', target: `127.0.0.1:${server.port}` });
      assert.equal(await probe.check(), 'NOT_SERVING');
      assert.equal(probe.lastFailure, 'Health/Check answered status 2 (only 1, SERVING, is healthy)');
      status = 1;
      assert.equal(await probe.check(), 'SERVING');
      assert.equal(probe.lastFailure, undefined);
    } finally {
      server.stop();
    }
    const noHealth = new grpc.Server();
    const bound = await new Promise<number>((resolve, reject) => noHealth.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) => (error === null ? resolve(p) : reject(error))));
    try {
      const probe = createServiceProbe({ type: 'grpc', target: `127.0.0.1:${bound}` });
      assert.equal(await probe.check(), 'NOT_SERVING');
      assert.equal(probe.lastFailure, 'Health/Check failed with gRPC status 12');
    } finally {
      noHealth.forceShutdown();
    }
  });
});

describe('createSharedProbe() and createHeartbeatMonitor()', () => {
  it('behavior: one probe per second at most, concurrent askers share it; the monitor reports each change once', async () => {
    let probes = 0;
    let status: ServingStatus = 'SERVING';
    let now = 0;
    const monitor = createHeartbeatMonitor({ intervalMs: 0, logger: createSilentLogger() });
    const changes: string[] = [];
    monitor.onChange((next, previous) => changes.push(`${previous ?? 'none'}>${next}`));
    const shared = createSharedProbe({ check: () => (probes++, Promise.resolve(status)) }, { maxAgeMs: 1000, now: () => now, onResult: (s) => monitor.observe(s) });
    await Promise.all([shared.check(), shared.check(), shared.check()]);
    assert.equal(probes, 1);
    now = 999;
    await shared.check();
    assert.equal(probes, 1);
    status = 'NOT_SERVING';
    now = 1000;
    assert.equal(await shared.check(), 'NOT_SERVING');
    now = 2000;
    await shared.check();
    status = 'SERVING';
    now = 3000;
    await shared.check();
    assert.equal(probes, 4);
    assert.deepEqual(changes, ['none>SERVING', 'SERVING>NOT_SERVING', 'NOT_SERVING>SERVING']);
  });
});

describe('readCertDetails()', () => {
  let ca: TestCa;
  before(() => {
    ca = createTestCa();
  });
  after(() => ca.remove());

  it('behavior: the reference wording from payment_channel_cert_path; empty strings when unset or unreadable', async () => {
    const file = path.join(ca.dir, 'client.crt');
    writeFileSync(file, ca.issue('etcd-client').cert);
    const details = await readCertDetails(file);
    assert.match(details.validFrom, /^Valid Since: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC days$/);
    assert.match(details.validTill, /^Valid Till: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC days$/);
    assert.deepEqual(await readCertDetails(undefined), { validFrom: '', validTill: '' });
    assert.deepEqual(await readCertDetails(path.join(ca.dir, 'missing.crt')), { validFrom: '', validTill: '' });
    const heartbeat = createHeartbeat({ check: () => Promise.resolve('SERVING') }, { daemonId: 'id', serviceId: 's', version: 'v', blockchainEnabled: false, network: 'local', storageClientCertPath: file });
    const body = JSON.parse(await heartbeat.render()) as { storageClientCertDetails: unknown; status: string };
    assert.deepEqual(body.storageClientCertDetails, details);
    assert.equal(body.status, 'Online');
  });

  it('behavior: no heartbeat type configured says Warning when the port is open, Offline when not', async () => {
    const options = { daemonId: 'id', serviceId: 's', version: 'v', blockchainEnabled: false, network: 'local', heartbeatConfigured: false };
    assert.equal((JSON.parse(await createHeartbeat({ check: () => Promise.resolve('SERVING') }, options).render()) as { status: string }).status, 'Warning');
    assert.equal((JSON.parse(await createHeartbeat({ check: () => Promise.resolve('NOT_SERVING') }, options).render()) as { status: string }).status, 'Offline');
  });
});
