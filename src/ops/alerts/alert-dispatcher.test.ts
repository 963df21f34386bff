import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSilentLogger } from '../../shared/index.ts';
import { createAlertDispatcher } from './alert-dispatcher.ts';
import type { AlertEvent } from './alert-event.ts';

describe('createAlertDispatcher()', () => {
  it('behavior: one message per state change; a healthy first report sends nothing; flapping waits for the window', async () => {
    const sent: AlertEvent[] = [];
    let now = 0;
    const alerts = createAlertDispatcher({ channels: [{ name: 'test', send: (event) => (sent.push(event), Promise.resolve()) }], minIntervalMs: 60_000, logger: createSilentLogger(), now: () => now });
    alerts.report('service_down', '', false, 'up', '');
    alerts.report('service_down', '', true, 'down', 'd1');
    alerts.report('service_down', '', true, 'down', 'd2');
    alerts.report('service_down', '', false, 'up', '');
    await alerts.idle();
    assert.deepEqual(sent.map((e) => e.firing), [true, false]);
    // A third change within the window is held (timer) …
    now = 1000;
    alerts.report('service_down', '', true, 'down again', '');
    await alerts.idle();
    assert.equal(sent.length, 2);
    // … while another alert is independent.
    alerts.report('certificate_expiry', 'tls', true, 'expires soon', '');
    await alerts.idle();
    assert.deepEqual(sent.map((e) => e.kind), ['service_down', 'service_down', 'certificate_expiry']);
    await alerts.close();
  });

  it('error: a failing channel is logged and does not stop the others', async () => {
    const delivered: string[] = [];
    const alerts = createAlertDispatcher({
      channels: [
        { name: 'broken', send: () => Promise.reject(new Error('smtp down')) },
        { name: 'ok', send: (event) => (delivered.push(event.message), Promise.resolve()) },
      ],
      minIntervalMs: 1000,
      logger: createSilentLogger(),
    });
    alerts.report('error_rate', '', true, 'errors', '');
    await alerts.idle();
    assert.deepEqual(delivered, ['errors']);
    await alerts.close();
  });
});
