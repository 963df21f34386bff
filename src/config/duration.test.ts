import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDurationMs } from './duration.ts';

describe('parseGoDurationMs()', () => {
  it('behavior: reads the Go units and compound forms', () => {
    assert.equal(parseGoDurationMs('100s'), 100_000);
    assert.equal(parseGoDurationMs('1m30s'), 90_000);
    assert.equal(parseGoDurationMs('1.5h'), 5_400_000);
    assert.equal(parseGoDurationMs('250ms'), 250);
    assert.equal(parseGoDurationMs('0s'), 0);
    assert.equal(parseGoDurationMs('0'), 0);
    assert.equal(parseGoDurationMs('1500us'), 1.5);
  });
  it('error: rejects what Go rejects', () => {
    for (const bad of ['', '10', 's', '1x', '1m 2s', '-', 'abc', '1.2.3s']) {
      assert.equal(parseGoDurationMs(bad), undefined, bad);
    }
  });
});
