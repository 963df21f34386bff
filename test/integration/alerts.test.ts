// Alerts through the real daemon: its background heartbeat probes a real gRPC service; killing the service
// sends exactly one e-mail (a real SMTP server on 127.0.0.1) and one webhook POST (a local HTTP server);
// bringing it back sends the recovery alert on both.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startAlertReceivers, until } from '../harness/alert-receivers.ts';
import { startTestService } from '../harness/grpc-test-service.ts';
import { sample, startMonitoredDaemon } from '../harness/monitored-daemon.ts';

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
