// /metrics through the real daemon: real grpc-js clients over real sockets, a real gRPC service behind it,
// scraped over HTTP on the daemon port and on the metrics_endpoint listener.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { RunningDaemon } from '../../src/app/index.ts';
import { sample, startMonitoredDaemon as startMetricsDaemon } from '../harness/monitored-daemon.ts';
import { callUnary } from '../harness/grpc-test-client.ts';
import { createTestClient, startTestService, type TestService } from '../harness/grpc-test-service.ts';
import { createTestCa } from '../harness/tls-certs.ts';

describe('metrics: GET /metrics through the real daemon', () => {
  let service: TestService;
  let daemon: RunningDaemon;
  before(async () => {
    service = await startTestService();
    ({ daemon } = await startMetricsDaemon({ service_endpoint: `http://127.0.0.1:${service.port}`, metrics_endpoint: '0', heartbeat_interval: '50ms' }));
  });
  after(async () => {
    await daemon.stop();
    await service.stop();
  });

  it('behavior: exact call counts by method and status, service time, transport figures, on both listeners', async () => {
    const target = `127.0.0.1:${daemon.address.port}`;
    const client = createTestClient(target);
    const rawClient = new grpc.Client(target, grpc.credentials.createInsecure());
    try {
      for (let i = 0; i < 3; i++) assert.equal((await callUnary(client, { text: 'hi' })).error, undefined);
      assert.equal((await callUnary(client, { text: 'x', failCode: 5, failMessage: 'nope' })).error?.code, grpc.status.NOT_FOUND);
      // A method the service does not have: counted, but under `unknown` (no label from client input).
      const unknownCode = await new Promise<number>((resolve) =>
        rawClient.makeUnaryRequest('/snet.test.TestService/NoSuchMethod', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (error) => resolve(error?.code ?? 0)),
      );
      assert.equal(unknownCode, grpc.status.UNIMPLEMENTED);
      const healthCode = await new Promise<number>((resolve) =>
        rawClient.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, Buffer.alloc(0), (error) => resolve(error?.code ?? 0)),
      );
      assert.equal(healthCode, 0);
    } finally {
      client.close();
      rawClient.close();
    }

    const response = await fetch(`http://127.0.0.1:${daemon.address.port}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const unary = 'method="/snet.test.TestService/Unary",payment_type="none"';
    assert.equal(sample(text, `snetd_calls_total{${unary},code="OK"}`), 3);
    assert.equal(sample(text, `snetd_calls_total{${unary},code="NOT_FOUND"}`), 1);
    assert.equal(sample(text, 'snetd_calls_total{method="unknown",payment_type="none",code="UNIMPLEMENTED"}'), 1);
    assert.equal(sample(text, 'snetd_calls_total{method="/grpc.health.v1.Health/Check",payment_type="none",code="OK"}'), 1);
    assert.ok(!text.includes('NoSuchMethod'), 'a method the service does not know never becomes a label');
    assert.equal(sample(text, 'snetd_service_duration_seconds_count{method="/snet.test.TestService/Unary"}'), 4);
    assert.equal(sample(text, 'snetd_call_overhead_seconds_count{method="/snet.test.TestService/Unary"}'), 4);
    assert.equal(sample(text, 'snetd_call_duration_seconds_count{method="/grpc.health.v1.Health/Check"}'), 1);
    assert.equal(sample(text, 'snetd_service_duration_seconds_count{method="/grpc.health.v1.Health/Check"}'), undefined, 'daemon methods never reach the service');
    assert.ok((sample(text, 'snetd_connections_total{protocol="h2c"}') ?? 0) >= 1);
    assert.ok((sample(text, 'snetd_connections_total{protocol="http1"}') ?? -1) >= 0);
    assert.ok((sample(text, 'snetd_received_bytes_total') ?? 0) > 0);
    assert.ok((sample(text, 'snetd_sent_bytes_total') ?? 0) > 0);
    assert.equal(sample(text, 'snetd_calls_in_flight'), 0);
    assert.equal(sample(text, 'snetd_service_up'), 1);
    assert.equal(sample(text, 'snetd_info{version="metrics-test"}'), 1);
    // Process metrics (prom-client defaults under the snetd_ prefix) with live values.
    assert.ok((sample(text, 'snetd_process_cpu_seconds_total') ?? 0) > 0);
    assert.ok((sample(text, 'snetd_process_resident_memory_bytes') ?? 0) > 10_000_000);
    assert.ok((sample(text, 'snetd_process_open_fds') ?? 0) > 0);
    assert.ok((sample(text, 'snetd_nodejs_eventloop_lag_seconds') ?? -1) >= 0);
    assert.ok((sample(text, 'snetd_nodejs_heap_size_used_bytes') ?? 0) > 0);

    const admin = daemon.metricsAddress;
    assert.ok(admin !== undefined);
    assert.equal(admin.host, '127.0.0.1', 'a bare port binds loopback');
    const adminText = await (await fetch(`http://127.0.0.1:${admin.port}/metrics`)).text();
    assert.equal(sample(adminText, `snetd_calls_total{${unary},code="OK"}`), 3);
    const heartbeat = (await (await fetch(`http://127.0.0.1:${admin.port}/heartbeat`)).json()) as { status: string };
    assert.equal(heartbeat.status, 'Warning', 'no service_heartbeat_type: the port is open, the service is not verified');
  });

  it('behavior: a call the service holds shows as in flight (call, handler, HTTP/2 stream), and is gone once answered', async () => {
    const target = `127.0.0.1:${daemon.address.port}`;
    const client = createTestClient(target);
    const scrape = async (): Promise<string> => (await fetch(`http://${target}/metrics`)).text();
    try {
      const reached = once(service.events, 'call');
      const held = callUnary(client, { text: 'slow', delayMs: 1500 });
      await reached;
      const during = await scrape();
      assert.equal(sample(during, 'snetd_calls_in_flight'), 1);
      assert.equal(sample(during, 'snetd_handlers_running'), 1);
      assert.equal(sample(during, 'snetd_http2_streams_open'), 1, 'the scrape itself is HTTP/1.1, not a stream');
      assert.equal((await held).error, undefined);
      const after = await scrape();
      assert.equal(sample(after, 'snetd_calls_in_flight'), 0);
      assert.equal(sample(after, 'snetd_handlers_running'), 0);
      assert.equal(sample(after, 'snetd_http2_streams_open'), 0);
    } finally {
      client.close();
    }
  });

  it('behavior: every metric docs/grafana-dashboard.json queries is exported by the daemon', async () => {
    const dashboard = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'grafana-dashboard.json'), 'utf8');
    const parsed = JSON.parse(dashboard) as { panels: { targets: { expr: string }[] }[] };
    const queried = new Set(parsed.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/snetd_[a-z0-9_]+/g) ?? [])));
    assert.ok(queried.size >= 20, `the dashboard queries ${queried.size} metrics`);
    const text = await (await fetch(`http://127.0.0.1:${daemon.address.port}/metrics`)).text();
    const exported = new Set([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name as string])));
    const missing = [...queried].filter((name) => !exported.has(name));
    assert.deepEqual(missing, [], 'metrics the dashboard queries but the daemon does not export');
  });
});

describe('metrics: off the public port', () => {
  it('behavior: metrics_public false serves /metrics only on metrics_endpoint; metrics_enabled false serves none', async () => {
    const privateOnly = await startMetricsDaemon({ service_endpoint: 'http://127.0.0.1:1', metrics_endpoint: '127.0.0.1:0', metrics_public: false, heartbeat_interval: '0s' });
    try {
      assert.equal((await fetch(`http://127.0.0.1:${privateOnly.daemon.address.port}/metrics`)).status, 404);
      assert.equal((await fetch(`http://127.0.0.1:${privateOnly.daemon.metricsAddress?.port}/metrics`)).status, 200);
    } finally {
      await privateOnly.daemon.stop();
    }
    const off = await startMetricsDaemon({ service_endpoint: 'http://127.0.0.1:1', metrics_enabled: false, heartbeat_interval: '0s' });
    try {
      assert.equal((await fetch(`http://127.0.0.1:${off.daemon.address.port}/metrics`)).status, 404);
    } finally {
      await off.daemon.stop();
    }
  });
});

describe('metrics: connections by protocol', () => {
  /** One GET on a connection of its own (no keep-alive agent), so each request is one accepted connection. */
  const getOnce = (url: string, ca?: Buffer): Promise<number> =>
    new Promise((resolve, reject) => {
      const request = (url.startsWith('https:') ? https : http).get(url, { agent: false, ...(ca === undefined ? {} : { ca }) }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
    });
  /** Two gRPC channels (one connection each) making one call each. */
  const twoGrpcClients = async (target: string, credentials?: grpc.ChannelCredentials): Promise<void> => {
    for (let i = 0; i < 2; i++) {
      const client = createTestClient(target, credentials, { 'grpc.ssl_target_name_override': 'localhost' });
      try {
        assert.equal((await callUnary(client, { text: 'hi' })).error, undefined);
      } finally {
        client.close();
      }
    }
  };
  // Scraped on the metrics_endpoint listener, so the scrapes are not connections of the daemon port.
  const scrape = async (daemon: RunningDaemon): Promise<string> => (await fetch(`http://127.0.0.1:${daemon.metricsAddress?.port}/metrics`)).text();

  it('behavior: exact counts of h2c and http1 on a plaintext port, h2 and https1 on a TLS port', async () => {
    const service = await startTestService();
    const ca = createTestCa();
    const plain = await startMetricsDaemon({ service_endpoint: `http://127.0.0.1:${service.port}`, metrics_endpoint: '0', heartbeat_interval: '0s' });
    const { cert, key } = ca.issue('localhost');
    writeFileSync(path.join(ca.dir, 'daemon.crt'), cert);
    writeFileSync(path.join(ca.dir, 'daemon.key'), key);
    const secure = await startMetricsDaemon({ service_endpoint: `http://127.0.0.1:${service.port}`, metrics_endpoint: '0', heartbeat_interval: '0s', ssl_cert: path.join(ca.dir, 'daemon.crt'), ssl_key: path.join(ca.dir, 'daemon.key') });
    try {
      await twoGrpcClients(`127.0.0.1:${plain.daemon.address.port}`);
      for (let i = 0; i < 3; i++) assert.equal(await getOnce(`http://127.0.0.1:${plain.daemon.address.port}/heartbeat`), 200);
      const plainText = await scrape(plain.daemon);
      assert.deepEqual(
        ['h2c', 'h2', 'http1', 'https1'].map((protocol) => sample(plainText, `snetd_connections_total{protocol="${protocol}"}`)),
        [2, 0, 3, 0],
      );
      await twoGrpcClients(`127.0.0.1:${secure.daemon.address.port}`, grpc.credentials.createSsl(ca.caCert));
      assert.equal(await getOnce(`https://127.0.0.1:${secure.daemon.address.port}/heartbeat`, ca.caCert), 200);
      const secureText = await scrape(secure.daemon);
      assert.deepEqual(
        ['h2c', 'h2', 'http1', 'https1'].map((protocol) => sample(secureText, `snetd_connections_total{protocol="${protocol}"}`)),
        [0, 2, 0, 1],
      );
      assert.equal(sample(secureText, 'snetd_calls_total{method="/snet.test.TestService/Unary",payment_type="none",code="OK"}'), 2);
    } finally {
      await secure.daemon.stop();
      await plain.daemon.stop();
      await service.stop();
      ca.remove();
    }
  });
});
