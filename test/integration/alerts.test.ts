// Alerts through the real daemon: its background heartbeat probes a real gRPC service; killing the service
// sends exactly one e-mail (a real SMTP server on 127.0.0.1) and one webhook POST (a local HTTP server);
// bringing it back sends the recovery alert on both; a service that flaps faster than alerts.min_interval
// gets no more than a problem and its recovery per window; calls failing on the server side raise the error-rate
// alert; a TLS certificate close to its expiry raises its alert at start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAlertReceivers, until } from '../harness/alert-receivers.ts';
import { callUnary } from '../harness/grpc-test-client.ts';
import { createTestClient, startTestService } from '../harness/grpc-test-service.ts';
import { sample, startMonitoredDaemon } from '../harness/monitored-daemon.ts';
import { createTestCa } from '../harness/tls-certs.ts';

describe('alerts: service down and back', () => {
  it('behavior: one e-mail and one webhook POST when the service dies, one of each when it is back', async () => {
    const receivers = await startAlertReceivers();
    const received = receivers.received;
    let service = await startTestService();
    const port = service.port;
    const { daemon, logs } = await startMonitoredDaemon({
      service_endpoint: `http://127.0.0.1:${port}`,
      service_heartbeat_type: 'tcp',
      heartbeat_interval: '50ms',
      ...receivers.daemonConfig,
    });
    try {
      // Up at start: nothing is sent.
      const metricsUrl = `http://127.0.0.1:${daemon.address.port}/metrics`;
      while (sample(await (await fetch(metricsUrl)).text(), 'snetd_service_up') !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(received.emails.length + received.posts.length, 0, 'a healthy start sends nothing');

      await service.stop();
      await until(() => received.emails.length >= 1 && received.posts.length >= 1);
      // Many more probes fail meanwhile; still one alert per state change.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(received.emails.length, 1);
      assert.equal(received.posts.length, 1);
      const email = received.emails[0];
      assert.deepEqual(email?.to, ['owner@example.com']);
      assert.match(email?.raw ?? '', /Subject: .*ALERT: Problem in calling Service Heartbeat endpoint\./);
      const post = received.posts[0];
      assert.equal(post?.headers['content-type'], 'application/json');
      assert.deepEqual(Object.keys(post?.body ?? {}), ['component_id', 'timestamp', 'recipient', 'message', 'details', 'component', 'type', 'level']);
      assert.equal(post?.body['message'], 'Problem in calling Service Heartbeat endpoint.');
      assert.equal(post?.body['recipient'], 'owner@example.com');
      assert.equal(post?.body['component'], 'Daemon');
      assert.equal(post?.body['level'], 'ERROR');
      assert.match(post?.body['component_id'] ?? '', /^[0-9a-f]{64}$/);

      service = await startTestService({ port });
      await until(() => received.emails.length >= 2 && received.posts.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(received.emails.length, 2);
      assert.equal(received.posts.length, 2);
      const metrics = await (await fetch(metricsUrl)).text();
      assert.equal(sample(metrics, 'snetd_service_up'), 1);
      assert.match(received.emails[1]?.raw ?? '', /Subject: .*RESOLVED: Service heartbeat is back/);
      assert.equal(received.posts[1]?.body['level'], 'INFO');
      assert.doesNotMatch(logs(), /smtp-pass/, 'the SMTP password never reaches the log');
    } finally {
      await daemon.stop();
      await service.stop();
      await receivers.close();
    }
  });
});

describe('alerts: a flapping service', () => {
  it('behavior: at most a problem and its recovery per alerts.min_interval; a third change is sent when the window frees, in the latest state', async () => {
    const receivers = await startAlertReceivers();
    const received = receivers.received;
    let service = await startTestService();
    const port = service.port;
    const { daemon } = await startMonitoredDaemon({
      service_endpoint: `http://127.0.0.1:${port}`,
      service_heartbeat_type: 'tcp',
      heartbeat_interval: '50ms',
      notification_endpoint: `http://127.0.0.1:${receivers.webhookPort}/notify`,
      'alerts.min_interval': '5s',
    });
    try {
      const metricsUrl = `http://127.0.0.1:${daemon.address.port}/metrics`;
      const serviceUp = async (): Promise<number | undefined> => sample(await (await fetch(metricsUrl)).text(), 'snetd_service_up');
      while ((await serviceUp()) !== 1) await new Promise((resolve) => setTimeout(resolve, 10));
      await service.stop();
      await until(() => received.posts.length >= 1);
      const firstAt = Date.now();
      service = await startTestService({ port });
      await until(() => received.posts.length >= 2);
      await service.stop();
      while ((await serviceUp()) !== 0) await new Promise((resolve) => setTimeout(resolve, 10));
      // Down again inside the window: held, not sent (the state itself is current: snetd_service_up says 0).
      assert.equal(received.posts.length, 2);
      assert.ok(Date.now() - firstAt < 5000, 'the third change happened inside the window');
      await until(() => received.posts.length >= 3);
      assert.ok(Date.now() - firstAt >= 4000, 'held until the window freed');
      assert.deepEqual(
        received.posts.map((post) => post.body['level']),
        ['ERROR', 'INFO', 'ERROR'],
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(received.posts.length, 3, 'one message for the held change, no more while it stays down');
    } finally {
      await daemon.stop();
      await service.stop();
      await receivers.close();
    }
  });
});

describe('alerts: error rate and certificate expiry', () => {
  it('behavior: INTERNAL answers above alerts.error_rate_threshold raise error_rate, and it resolves once calls succeed again', async () => {
    const receivers = await startAlertReceivers();
    const received = receivers.received;
    const service = await startTestService();
    const { daemon } = await startMonitoredDaemon({
      service_endpoint: `http://127.0.0.1:${service.port}`,
      service_heartbeat_type: 'tcp',
      heartbeat_interval: '0s',
      notification_endpoint: `http://127.0.0.1:${receivers.webhookPort}/notify`,
      'alerts.error_rate_threshold': 0.5,
      'alerts.error_rate_window': '1s',
      'alerts.error_rate_min_calls': 5,
      'alerts.min_interval': '1s',
    });
    const client = createTestClient(`127.0.0.1:${daemon.address.port}`);
    try {
      // Client-side failures (NOT_FOUND) are not the owner's problem: they never raise the alert.
      for (let i = 0; i < 6; i++) assert.equal((await callUnary(client, { text: 'x', failCode: 5 })).error?.code, 5);
      await new Promise((resolve) => setTimeout(resolve, 1200));
      assert.equal(received.posts.length, 0);
      for (let i = 0; i < 8; i++) assert.equal((await callUnary(client, { text: 'x', failCode: 13, failMessage: 'model crashed' })).error?.code, 13);
      await until(() => received.posts.length >= 1);
      assert.equal(received.posts[0]?.body['type'], 'error_rate');
      assert.equal(received.posts[0]?.body['level'], 'ERROR');
      assert.match(received.posts[0]?.body['message'] ?? '', /^Error rate \d+\.\d % is above 50\.0 %$/);
      for (let i = 0; i < 8; i++) assert.equal((await callUnary(client, { text: 'ok' })).error, undefined);
      await until(() => received.posts.length >= 2);
      assert.deepEqual([received.posts[1]?.body['type'], received.posts[1]?.body['level']], ['error_rate', 'INFO']);
    } finally {
      client.close();
      await daemon.stop();
      await service.stop();
      await receivers.close();
    }
  });

  it('behavior: an ssl_cert expiring within alerts.certificate_warning raises certificate_expiry at start; the gauge shows its seconds left', async () => {
    const receivers = await startAlertReceivers();
    const received = receivers.received;
    const service = await startTestService();
    const ca = createTestCa();
    const { cert, key } = ca.issue('localhost'); // valid for 2 days: inside the default 14-day warning
    writeFileSync(path.join(ca.dir, 'daemon.crt'), cert);
    writeFileSync(path.join(ca.dir, 'daemon.key'), key);
    const { daemon } = await startMonitoredDaemon({
      service_endpoint: `http://127.0.0.1:${service.port}`,
      heartbeat_interval: '0s',
      ssl_cert: path.join(ca.dir, 'daemon.crt'),
      ssl_key: path.join(ca.dir, 'daemon.key'),
      metrics_endpoint: '0',
      notification_endpoint: `http://127.0.0.1:${receivers.webhookPort}/notify`,
    });
    try {
      await until(() => received.posts.length >= 1);
      const post = received.posts[0];
      assert.equal(post?.body['type'], 'certificate_expiry');
      assert.equal(post?.body['level'], 'ERROR');
      assert.match(post?.body['message'] ?? '', /^TLS certificate \(ssl_cert\) expires in [12]\.\d days$/);
      const text = await (await fetch(`http://127.0.0.1:${daemon.metricsAddress?.port}/metrics`)).text();
      const left = sample(text, 'snetd_certificate_expiry_seconds{certificate="tls"}') ?? 0;
      assert.ok(left > 86_400 && left <= 2 * 86_400, `${left} s left`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(received.posts.length, 1, 'one alert, not one per check');
    } finally {
      await daemon.stop();
      await service.stop();
      await receivers.close();
      ca.remove();
    }
  });
});
