import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planRenewal } from './renewal-plan.ts';

const hour = 3_600_000;
const day = 24 * hour;
const issued = Date.parse('2026-12-01T00:00:00Z');
const ninetyDays = { notBefore: issued, notAfter: issued + 90 * day };

describe('planRenewal()', () => {
  it('behavior: a window shorter than the lifetime renews that long before expiry', () => {
    assert.deepEqual(planRenewal(ninetyDays, 30 * day, undefined), { at: issued + 60 * day, renewBeforeMs: 30 * day, clamped: false });
    assert.deepEqual(planRenewal(ninetyDays, 30 * day, issued), { at: issued + 60 * day, renewBeforeMs: 30 * day, clamped: false });
  });

  it('behavior: a window as long as the lifetime or longer is replaced by a third of it (no tight loop)', () => {
    for (const window of [90 * day, 91 * day, 9999 * day]) {
      assert.deepEqual(planRenewal(ninetyDays, window, issued), { at: issued + 60 * day, renewBeforeMs: 30 * day, clamped: true }, `window ${window / day} days`);
    }
    const sixDays = { notBefore: issued, notAfter: issued + 6 * day };
    assert.deepEqual(planRenewal(sixDays, 30 * day, issued), { at: issued + 4 * day, renewBeforeMs: 2 * day, clamped: true });
  });

  it('behavior: never two orders closer than min(1 h, max(1 s, lifetime / 10)), even when the certificate is already due', () => {
    // A window just under the lifetime: due 1 s after issuance, held back to one order an hour.
    assert.equal(planRenewal(ninetyDays, 90 * day - 1000, issued).at, issued + hour);
    // Already expired by our clock (clock far ahead, or an old certificate): the same floor after the last order.
    const lastOrderAt = issued + 200 * day;
    assert.equal(planRenewal(ninetyDays, 30 * day, lastOrderAt).at, lastOrderAt + hour);
    // A 60 s test certificate: at most one order per 6 s.
    const oneMinute = { notBefore: issued, notAfter: issued + 60_000 };
    assert.equal(planRenewal(oneMinute, 59_000, issued).at, issued + 6000);
    // No previous order in this process (start-up): only the window decides.
    assert.equal(planRenewal(ninetyDays, 30 * day, undefined).at, issued + 60 * day);
  });

  it('error: a certificate without lifetime (notAfter not after notBefore) is due at once, then at most once a second', () => {
    const none = { notBefore: issued, notAfter: issued };
    assert.deepEqual(planRenewal(none, 30 * day, undefined), { at: issued, renewBeforeMs: 0, clamped: true });
    assert.equal(planRenewal(none, 30 * day, issued).at, issued + 1000);
  });
});
