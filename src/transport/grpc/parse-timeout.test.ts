import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimeout } from './parse-timeout.ts';

describe('parseTimeout()', () => {
  it('args: every unit', () => {
    const cases: [string, number][] = [['2H', 7_200_000], ['3M', 180_000], ['4S', 4000], ['250m', 250], ['1500u', 1.5], ['2000000n', 2]];
    for (const [text, ms] of cases) assert.deepEqual(parseTimeout(text), { ok: true, value: ms });
  });
  it('args: absent header means no deadline', () => {
    assert.deepEqual(parseTimeout(undefined), { ok: true, value: undefined });
  });
  it('error: more than 8 digits, no unit, bad unit, sign', () => {
    for (const text of ['123456789m', '100', '10x', '-1S', ' 1S', '']) assert.equal(parseTimeout(text).ok, false, text);
  });
  it('error: names the bad value', () => {
    assert.deepEqual(parseTimeout('soon'), { ok: false, error: 'protocol error: invalid grpc-timeout value "soon"' });
  });
});
