// /heartbeat through the real daemon for every service_heartbeat_type, each against a real service on 127.0.0.1:
// a grpc-js Health server, a node HTTP server, an HTTPS server whose certificate comes from a CA made in the test
// (openssl), a gRPC service's TCP port, and nothing configured. The HTTPS case also runs the real executable with
// NODE_EXTRA_CA_CERTS, the way an owner makes the daemon trust a private CA.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningDaemon } from '../../src/app/index.ts';
import { startHealthServer, type HealthServer } from '../harness/health-server.ts';
import { sample, startMonitoredDaemon } from '../harness/monitored-daemon.ts';
import { freePort } from '../harness/ports.ts';
import { startSnetd } from '../harness/run-cli.ts';
import { startTestService, type TestService } from '../harness/grpc-test-service.ts';
import { createTestCa, type TestCa } from '../harness/tls-certs.ts';

interface HeartbeatBody {
  status: string;
  serviceheartbeat: string;
}

async function heartbeatOf(port: number): Promise<{ status: string; service: string }> {
  const body = (await (await fetch(`http://127.0.0.1:${port}/heartbeat`)).json()) as HeartbeatBody;
  return { status: body.status, service: (JSON.parse(body.serviceheartbeat) as { status: string }).status };
}

async function listen(server: http.Server | https.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('heartbeat: every probe type through the real daemon', () => {
  let service: TestService;
  let health: HealthServer;
  let healthStatus = 1;
  let httpServer: http.Server;
  let httpPort: number;
  let ca: TestCa;
  let httpsServer: https.Server;
  let httpsPort: number;
  const daemons: RunningDaemon[] = [];

  before(async () => {
    service = await startTestService();
    health = await startHealthServer(() => healthStatus);
    httpServer = http.createServer((req, res) => (req.url === '/health' ? res.writeHead(200).end('ok') : res.writeHead(404).end()));
    httpPort = await listen(httpServer);
    ca = createTestCa();
    httpsServer = https.createServer(ca.issue('heartbeat-https'), (_req, res) => res.writeHead(200).end('ok'));
    httpsPort = await listen(httpsServer);
  });
  after(async () => {
    for (const daemon of daemons) await daemon.stop();
    httpsServer.close();
    httpServer.close();
    health.stop();
    await service.stop();
    ca.remove();
  });

  const start = async (overrides: Record<string, unknown>): Promise<{ port: number; logs: () => string }> => {
    // heartbeat_interval 0s: every probe below is one /heartbeat request, so state changes are deterministic.
    const { daemon, logs } = await startMonitoredDaemon({ service_endpoint: `http://127.0.0.1:${service.port}`, service_id: 'probe-test', heartbeat_interval: '0s', ...overrides });
    daemons.push(daemon);
    return { port: daemon.address.port, logs };
  };
  const serviceUp = async (port: number): Promise<number | undefined> => sample(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'snetd_service_up');

  it('behavior: grpc asks Health/Check with the service id: Online on SERVING, Offline on NOT_SERVING with the reason in the alert', async () => {
    const { port, logs } = await start({ service_heartbeat_type: 'grpc', heartbeat_endpoint: `127.0.0.1:${health.port}` });
    assert.deepEqual(await heartbeatOf(port), { status: 'Online', service: 'SERVING' });
    assert.equal(health.asked.at(-1), 'probe-test');
    assert.equal(await serviceUp(port), 1);
    healthStatus = 2;
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the shared probe reuses a result for 1 s
    try {
      assert.deepEqual(await heartbeatOf(port), { status: 'Offline', service: 'NOT_SERVING' });
      assert.equal(await serviceUp(port), 0);
      assert.match(logs(), /grpc probe of 127\.0\.0\.1:\d+: NOT_SERVING \(Health\/Check answered status 2 \(only 1, SERVING, is healthy\)\)/);
    } finally {
      healthStatus = 1;
    }
  });

  it('behavior: http GETs heartbeat_endpoint: Online on 200 with a body, Offline on 404', async () => {
    const ok = await start({ service_heartbeat_type: 'http', heartbeat_endpoint: `http://127.0.0.1:${httpPort}/health` });
    assert.deepEqual(await heartbeatOf(ok.port), { status: 'Online', service: 'SERVING' });
    const missing = await start({ service_heartbeat_type: 'http', heartbeat_endpoint: `http://127.0.0.1:${httpPort}/nothing` });
    assert.deepEqual(await heartbeatOf(missing.port), { status: 'Offline', service: 'NOT_SERVING' });
    assert.match(missing.logs(), /http probe of http:\/\/127\.0\.0\.1:\d+\/nothing: NOT_SERVING \(HTTP 404\)/);
  });

  it('error: https verifies the certificate: one from a CA the process does not trust is Offline, and the alert says it is the certificate', async () => {
    const { port, logs } = await start({ service_heartbeat_type: 'https', heartbeat_endpoint: `https://127.0.0.1:${httpsPort}/health` });
    assert.deepEqual(await heartbeatOf(port), { status: 'Offline', service: 'NOT_SERVING' });
    assert.match(logs(), /https probe of https:\/\/127\.0\.0\.1:\d+\/health: NOT_SERVING \(certificate verification failed: [^)]+\)/);
  });

  it('behavior: tcp connects to service_endpoint: Online while the port is open, Offline when closed', async () => {
    const open = await start({ service_heartbeat_type: 'tcp' });
    assert.deepEqual(await heartbeatOf(open.port), { status: 'Online', service: 'SERVING' });
    const closed = await start({ service_heartbeat_type: 'tcp', service_endpoint: `http://127.0.0.1:${await freePort()}` });
    assert.deepEqual(await heartbeatOf(closed.port), { status: 'Offline', service: 'NOT_SERVING' });
    assert.match(closed.logs(), /ECONNREFUSED/);
  });

  it('behavior: unset, none, or a type without heartbeat_endpoint only connect: Warning while the port is open, never Online', async () => {
    for (const type of ['', 'none']) {
      const { port } = await start({ service_heartbeat_type: type });
      assert.deepEqual(await heartbeatOf(port), { status: 'Warning', service: 'SERVING' }, `service_heartbeat_type "${type}"`);
    }
    for (const type of ['grpc', 'http', 'https']) {
      const { port, logs } = await start({ service_heartbeat_type: type });
      assert.deepEqual(await heartbeatOf(port), { status: 'Warning', service: 'SERVING' }, `service_heartbeat_type "${type}" without an endpoint`);
      assert.match(logs(), new RegExp(`service_heartbeat_type \\\\?"${type}\\\\?" without heartbeat_endpoint`), 'start-up warns about the missing endpoint');
    }
    const closed = await start({ service_heartbeat_type: '', service_endpoint: `http://127.0.0.1:${await freePort()}` });
    assert.deepEqual(await heartbeatOf(closed.port), { status: 'Offline', service: 'NOT_SERVING' });
  });

  it('behavior: storageClientCertDetails shows the validity of payment_channel_cert_path in the Go daemon\'s words', async () => {
    const file = join(ca.dir, 'etcd-client.crt');
    writeFileSync(file, ca.issue('etcd-client').cert);
    const { port } = await start({ service_heartbeat_type: 'tcp', payment_channel_cert_path: file });
    const body = (await (await fetch(`http://127.0.0.1:${port}/heartbeat`)).json()) as { storageClientCertDetails: { validFrom: string; validTill: string } };
    assert.match(body.storageClientCertDetails.validFrom, /^Valid Since: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC days$/);
    assert.match(body.storageClientCertDetails.validTill, /^Valid Till: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC days$/);
  });

  it('behavior: https with the CA in NODE_EXTRA_CA_CERTS (the real executable): Online', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snetd-heartbeat-https-'));
    const caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, ca.caCert);
    writeFileSync(
      join(dir, 'snetd.config.json'),
      JSON.stringify({
        blockchain_enabled: false,
        daemon_endpoint: '127.0.0.1:0',
        service_endpoint: `http://127.0.0.1:${service.port}`,
        service_heartbeat_type: 'https',
        heartbeat_endpoint: `https://127.0.0.1:${httpsPort}/health`,
        log: { output: { type: ['stdout'] } },
      }),
    );
    const daemon = startSnetd(['serve'], { cwd: dir, env: { NODE_EXTRA_CA_CERTS: caFile } });
    try {
      const [, port] = await daemon.waitFor(/(?=[^\n]*successfully started)[^\n]*?127\.0\.0\.1:(\d+)/);
      assert.deepEqual(await heartbeatOf(Number(port)), { status: 'Online', service: 'SERVING' });
    } finally {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
