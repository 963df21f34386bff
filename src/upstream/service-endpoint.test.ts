import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServiceEndpoint } from './service-endpoint.ts';

describe('parseServiceEndpoint()', () => {
  it('args: every accepted form', () => {
    const cases: [string, string, boolean][] = [
      ['127.0.0.1:7000', 'http://127.0.0.1:7000', false],
      ['grpc://svc:7000', 'http://svc:7000', false],
      ['http://svc:7000/ignored/path', 'http://svc:7000', false],
      ['https://svc.example', 'https://svc.example:443', true],
      ['http://svc.example', 'http://svc.example:80', false],
    ];
    for (const [input, origin, secure] of cases) {
      const parsed = parseServiceEndpoint(input);
      assert.ok(parsed.ok, input);
      assert.equal(parsed.value.origin, origin);
      assert.equal(parsed.value.secure, secure);
    }
  });
  it('error: unknown scheme and empty value', () => {
    const ftp = parseServiceEndpoint('ftp://svc:21');
    assert.ok(!ftp.ok);
    assert.equal(ftp.error.message, 'service_endpoint "ftp://svc:21" is invalid: scheme "ftp" is not one of http, https, grpc');
    assert.equal(parseServiceEndpoint('').ok, false);
  });
});
