// The alert triggers that sample state (error rate, dependency failures, certificate expiry) against a recording
// dispatcher: each reports its state every period and the dispatcher turns changes into messages.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestCa, type TestCa } from '../../../test/harness/tls-certs.ts';
import type { AlertDispatcher } from './alert-dispatcher.ts';
import { watchCertificates } from './certificate-watch.ts';
import { watchDependencies } from './dependency-watch.ts';
import { watchErrorRate } from './error-rate-watch.ts';

interface Reported {
  kind: string;
  subject: string;
  firing: boolean;
  message: string;
  details: string;
}

function recorder(): AlertDispatcher & { reports: Reported[]; next(predicate: (r: Reported) => boolean): Promise<Reported> } {
  const reports: Reported[] = [];
  const waiters = new Set<() => void>();
  return {
    reports,
    report(kind, subject, firing, message, details) {
      reports.push({ kind, subject, firing, message, details });
      for (const waiter of [...waiters]) waiter();
    },
    next(predicate) {
      const from = reports.length;
      return new Promise((resolve) => {
        const check = (): void => {
          const found = reports.slice(from).find(predicate);
          if (found !== undefined) {
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
      });
    },
    idle: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe('watchErrorRate()', () => {
  it('behavior: fires above the threshold with enough calls in the window, resolves when the window is clean again', async () => {
    const alerts = recorder();
    const totals = { calls: 0, serverErrors: 0 };
    const stop = watchErrorRate(alerts, { totals: () => totals, threshold: 0.5, windowMs: 100, minCalls: 4, sampleEveryMs: 20 });
    try {
      totals.calls = 3;
      totals.serverErrors = 3;
      const quiet = await alerts.next(() => true);
      assert.equal(quiet.firing, false, 'three calls are below error_rate_min_calls');
      totals.calls = 10;
      totals.serverErrors = 8;
      const firing = await alerts.next((r) => r.firing);
      assert.equal(firing.kind, 'error_rate');
      assert.match(firing.message, /^Error rate \d+\.\d % is above 50\.0 %$/);
      totals.calls = 100;
      const resolved = await alerts.next((r) => !r.firing);
      assert.equal(resolved.message, 'Error rate is back below the threshold');
    } finally {
      stop();
    }
    assert.doesNotThrow(watchErrorRate(alerts, { totals: () => totals, threshold: 0, windowMs: 100, minCalls: 1 }), 'threshold 0 = off');
  });
});

describe('watchDependencies()', () => {
  it('behavior: storage and chain failures since the last check fire their alert; a clean period resolves it', async () => {
    const alerts = recorder();
    const errors = { storage: 0, chain: 0 };
    const stop = watchDependencies(alerts, { errors: () => errors, periodMs: 20 });
    try {
      errors.storage = 2;
      const storage = await alerts.next((r) => r.firing);
      assert.deepEqual([storage.kind, storage.message, storage.details], ['storage_unreachable', 'Payment channel storage unreachable: paid calls fail', '2 request(s) to the storage failed since the last check']);
      assert.ok(alerts.reports.some((r) => r.kind === 'chain_unreachable' && !r.firing));
      const back = await alerts.next((r) => r.kind === 'storage_unreachable' && !r.firing);
      assert.equal(back.message, 'Payment channel storage reachable again');
      errors.chain = 1;
      const chain = await alerts.next((r) => r.firing);
      assert.equal(chain.kind, 'chain_unreachable');
    } finally {
      stop();
    }
  });
});

describe('watchCertificates()', () => {
  let ca: TestCa;
  let file: string;
  before(() => {
    ca = createTestCa();
    file = path.join(ca.dir, 'daemon.crt');
    writeFileSync(file, ca.issue('localhost').cert); // valid for 2 days
  });
  after(() => ca.remove());

  it('behavior: a certificate expiring within the warning fires (and the gauge gets its seconds left); one further away does not', async () => {
    const seconds: Array<[string, number | undefined]> = [];
    const alerts = recorder();
    const stop = watchCertificates(alerts, { files: { tls: file, storage_client: undefined }, warningMs: 14 * 86_400_000, onExpiry: (role, s) => seconds.push([role, s]) });
    const firing = await alerts.next(() => true);
    stop();
    assert.equal(firing.kind, 'certificate_expiry');
    assert.equal(firing.subject, 'tls');
    assert.equal(firing.firing, true);
    assert.match(firing.message, /^TLS certificate \(ssl_cert\) expires in [12]\.\d days$/);
    assert.equal(seconds[0]?.[0], 'tls');
    assert.ok((seconds[0]?.[1] ?? 0) > 86_400 && (seconds[0]?.[1] ?? 0) <= 2 * 86_400);

    const calm = recorder();
    const stopCalm = watchCertificates(calm, { files: { tls: undefined, storage_client: file }, warningMs: 3_600_000 });
    const ok = await calm.next(() => true);
    stopCalm();
    assert.deepEqual([ok.subject, ok.firing], ['storage_client', false]);

    const expired = recorder();
    const stopExpired = watchCertificates(expired, { files: { tls: file, storage_client: undefined }, warningMs: 3_600_000, now: () => Date.now() + 3 * 86_400_000 });
    const gone = await expired.next(() => true);
    stopExpired();
    assert.equal(gone.message, 'TLS certificate (ssl_cert) has expired');
  });
});
