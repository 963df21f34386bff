import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SnetError } from '../../errors/index.ts';
import { grpcStatusByErrorCode, grpcStatusFromError } from './status-map.ts';

describe('grpcStatusFromError()', () => {
  it('behavior: pins the transport codes (other domains add their own rows)', () => {
    const transportRows = Object.fromEntries(Object.entries(grpcStatusByErrorCode).filter(([code]) => !/^(PAYMENT|CHAIN|STORAGE|ADMIN)_/.test(code)));
    assert.deepEqual(transportRows, {
      REQUEST_MALFORMED: 13,
      REQUEST_TOO_LARGE: 8,
      REQUEST_TIMEOUT: 4,
      REQUEST_CANCELLED: 1,
      DAEMON_SHUTTING_DOWN: 14,
      METHOD_UNIMPLEMENTED: 12,
      UPSTREAM_UNAVAILABLE: 14,
      UPSTREAM_FAILED: 13,
      UPSTREAM_BUSY: 8,
      REQUEST_NOT_UNARY: 3,
      REQUEST_UNDECODABLE: 3,
      INTERNAL: 13,
      RATE_LIMITED: 8,
      DAEMON_NOT_PROCESSING: 14,
      CONFIG_UPDATE_REFUSED: 3,
    });
  });
  it('behavior: a refusal with details.retryAfterMs carries retry-after (whole seconds, up) and a google.rpc.Status with RetryInfo', () => {
    const status = grpcStatusFromError(new SnetError('RATE_LIMITED', 'slow down', { details: { retryAfterMs: 1500 } }));
    assert.equal(status.code, 8);
    assert.equal(status.trailers?.['retry-after'], '2');
    const details = Buffer.from(String(status.trailers?.['grpc-status-details-bin']), 'base64');
    // Status{code 8, message, details[Any{type_url, RetryInfo{Duration{1 s, 500 ms}}}]}
    assert.equal(details[0], 0x08);
    assert.equal(details[1], 8);
    assert.ok(details.includes(Buffer.from('type.googleapis.com/google.rpc.RetryInfo')));
    assert.ok(details.includes(Buffer.from([0x08, 0x01, 0x10])), 'seconds 1, then nanos');
  });
  it('behavior: chain and storage outages answer UNAVAILABLE, not INTERNAL', () => {
    for (const code of ['CHAIN_UNAVAILABLE', 'CHAIN_CALL_FAILED', 'STORAGE_UNAVAILABLE', 'STORAGE_TIMEOUT', 'STORAGE_CLOSED'] as const) {
      assert.equal(grpcStatusFromError(new SnetError(code, 'x')).code, 14, code);
    }
  });
  it('behavior: the message is sent, the cause and hint are not', () => {
    const error = new SnetError('UPSTREAM_UNAVAILABLE', 'service down', { cause: new Error('secret detail'), hint: 'start it' });
    assert.deepEqual(grpcStatusFromError(error), { code: 14, message: 'service down' });
  });
  it('behavior: an unmapped code answers INTERNAL', () => {
    assert.equal(grpcStatusFromError(new SnetError('CONFIG_INVALID', 'x')).code, 13);
  });
});
