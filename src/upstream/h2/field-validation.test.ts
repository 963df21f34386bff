import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkResponseFields, contentLengthOf } from './field-validation.ts';

const check = (list: string[], trailers = false): { result: string | undefined; list: string[] } => {
  const copy = list.slice();
  return { result: checkResponseFields(copy, trailers), list: copy };
};

describe('checkResponseFields', () => {
  it('behavior: a gRPC response and its trailers pass unchanged', () => {
    const response = [':status', '200', 'content-type', 'application/grpc', 'grpc-accept-encoding', 'identity,gzip', 'x-a', 'a\tb', 'x_b', 'caf\xe9', 'x-empty', '', 'te', 'trailers'];
    assert.deepEqual(check(response), { result: undefined, list: response });
    const trailers = ['grpc-status', '0', 'grpc-message', 'fine%20thanks', 'x-bin', 'AAEC'];
    assert.deepEqual(check(trailers, true), { result: undefined, list: trailers });
  });

  it('error: what nghttp2 treats as a stream error is one here', () => {
    const cases: [string[], boolean, RegExp][] = [
      [[':status', '200', 'X-Up', 'v'], false, /upper-case header name "X-Up"/],
      [[':status', '200', 'connection', 'close'], false, /connection-specific header connection/],
      [[':status', '200', 'keep-alive', '1'], false, /connection-specific/],
      [[':status', '200', 'proxy-connection', '1'], false, /connection-specific/],
      [[':status', '200', 'transfer-encoding', 'chunked'], false, /connection-specific/],
      [[':status', '200', 'upgrade', 'h2c'], false, /connection-specific/],
      [[':status', '200', 'te', 'gzip'], false, /te "gzip"/],
      [[':status', '20'], false, /not three digits/],
      [[':status', '2000'], false, /not three digits/],
      [[':status', 'abc'], false, /not three digits/],
      [['x', 'y'], false, /without :status/],
      [[':status', '200', ':status', '200'], false, /a second :status/],
      [[':status', '200', ':path', '/'], false, /pseudo-header :path/],
      [[':status', '200', 'x-a', 'b', ':foo', '1'], false, /after a regular header/],
      [[':status', '200'], true, /pseudo-header :status in trailers/],
      [['grpc-status', '0', 'Grpc-Message', 'x'], true, /upper-case/],
      [['connection', 'x'], true, /connection-specific/],
    ];
    for (const [list, trailers, reason] of cases) assert.match(String(check(list, trailers).result), reason, JSON.stringify(list));
  });

  it('behavior: fields nghttp2 ignores are dropped, the others kept in order', () => {
    const bad = [['x a', 'v'], ['', 'v'], ['x{a', 'v'], ['x-a', 'a\x00b'], ['x-a', 'a\rb'], ['x-a', 'a\nb'], ['x-a', ' lead'], ['x-a', 'trail '], ['x-a', '\t'], ['x-a', 'a\x01b'], ['x-a', 'a\x7fb']];
    for (const field of bad) {
      assert.deepEqual(check([':status', '200', 'k1', '1', ...field, 'k2', '2']), { result: undefined, list: [':status', '200', 'k1', '1', 'k2', '2'] }, JSON.stringify(field));
      assert.deepEqual(check(['grpc-status', '0', ...field], true), { result: undefined, list: ['grpc-status', '0'] }, JSON.stringify(field));
    }
  });

  it('behavior: content-length is read as nghttp2 does (absent -1; not one decimal number -2)', () => {
    assert.equal(contentLengthOf([':status', '200', 'content-type', 'application/grpc']), -1);
    assert.equal(contentLengthOf([':status', '200', 'content-length', '0']), 0);
    assert.equal(contentLengthOf([':status', '200', 'x', 'y', 'content-length', '100000']), 100_000);
    for (const bad of ['', '5x', '-1', '+5', ' 5', '0x10', '1.5']) assert.equal(contentLengthOf([':status', '200', 'content-length', bad]), -2, JSON.stringify(bad));
    assert.equal(contentLengthOf([':status', '200', 'content-length', '5', 'content-length', '5']), -2, 'repeated');
  });
});
