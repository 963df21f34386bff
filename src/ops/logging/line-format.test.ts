import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLineToText, parseLine, levelWordOf } from './line-format.ts';

describe('parseLine()', () => {
  it('behavior: splits level, ts, message and fields', () => {
    const line = '{"level":"INFO","ts":"2026-01-01T00:00:00Z","channelId":"42","nested":{"a":[1,2]},"msg":"payment \\"ok\\"\\n"}\n';
    assert.deepEqual(parseLine(line), {
      level: 'INFO', ts: '2026-01-01T00:00:00Z', msg: 'payment "ok"\n', fields: '{"channelId":"42","nested":{"a":[1,2]}}',
    });
  });

  it('behavior: no message and no fields', () => {
    assert.deepEqual(parseLine('{"level":"WARN","ts":"t"}\n'), { level: 'WARN', ts: 't', msg: '', fields: '' });
    assert.deepEqual(parseLine('{"level":"WARN","ts":"t","msg":"m"}\n'), { level: 'WARN', ts: 't', msg: 'm', fields: '' });
  });

  it('behavior: a nested msg key is a field, not the message', () => {
    const line = '{"level":"INFO","ts":"t","a":{"b":1,"msg":"inner"}}\n';
    assert.deepEqual(parseLine(line), { level: 'INFO', ts: 't', msg: '', fields: '{"a":{"b":1,"msg":"inner"}}' });
  });

  it('behavior: the fast path agrees with JSON.parse on varied lines', () => {
    const samples = [
      { a: 1, msg: 'x' }, { msg: ',"msg":"fake"}' }, { a: { msg: 'y' }, msg: 'z' }, { a: 'x"y', b: null }, {},
      { arr: [{ msg: 'q' }] }, { msg: '' }, { u: '\u2028é', msg: 'ünï' },
    ];
    for (const s of samples) {
      const line = `{"level":"DEBUG","ts":"T",${JSON.stringify(s).slice(1)}\n`.replace('"T",}', '"T"}');
      const { msg, ...rest } = s as Record<string, unknown>;
      const p = parseLine(line);
      assert.equal(p.msg, msg ?? '', line);
      assert.deepEqual(p.fields === '' ? {} : JSON.parse(p.fields), rest, line);
    }
  });

  it('behavior: other shapes fall back to JSON.parse', () => {
    assert.deepEqual(parseLine('{"msg":"m","level":"INFO","ts":"t","k":1}'), { level: 'INFO', ts: 't', msg: 'm', fields: '{"k":1}' });
    assert.equal(levelWordOf('{"x":1}'), undefined);
  });
});

describe('jsonLineToText()', () => {
  it('behavior: tab-separated time, level, message and JSON fields', () => {
    assert.equal(jsonLineToText('{"level":"ERROR","ts":"t","k":"v","msg":"boom"}\n'), 't\tERROR\tboom\t{"k":"v"}\n');
    assert.equal(jsonLineToText('{"level":"INFO","ts":"t","msg":"hi"}\n'), 't\tINFO\thi\n');
  });
});
