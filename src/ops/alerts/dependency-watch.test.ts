import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertDispatcher } from './alert-dispatcher.ts';
import { watchDependencies } from './dependency-watch.ts';

describe('watchDependencies()', () => {
  it('behavior: fires on failed round trips, keeps the state through a period without any, resolves after one with successes only', async () => {
    const reports: Array<[string, boolean]> = [];
    const alerts: AlertDispatcher = { report: (kind, _subject, firing) => reports.push([kind, firing]), idle: () => Promise.resolve(), close: () => Promise.resolve() };
    const errors = { storage: 0, chain: 0 };
    const trips = { storage: 0, chain: 0 };
    const stop = watchDependencies(alerts, { errors: () => errors, roundTrips: () => trips, periodMs: 20 });
    const period = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));
    try {
      errors.storage = 2;
      trips.storage = 2;
      while (reports.length === 0) await period();
      assert.deepEqual(reports, [['storage_unreachable', true]], 'the chain was not tried: nothing said about it');
      reports.length = 0;
      await period();
      await period();
      assert.deepEqual(reports, [], 'an idle period is not a recovery');
      trips.storage = 3;
      while (reports.length === 0) await period();
      assert.deepEqual(reports[0], ['storage_unreachable', false]);
    } finally {
      stop();
    }
  });
});
