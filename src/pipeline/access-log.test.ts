import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SnetError } from '../errors/index.ts';
import { createSilentLogger, type Logger } from '../shared/index.ts';
import type { CallContext } from './call-context.ts';
import { createContextValues } from './context-values.ts';
import { createAccessLog } from './access-log.ts';
import { paymentInfoKey } from './payment-info.ts';
import { applyInterceptors, type CallHandler } from './interceptor.ts';

function recordingLogger(lines: Array<Record<string, unknown>>): Logger {
  return { ...createSilentLogger(), info: (obj: object) => lines.push({ ...obj }) };
}

// A unit-level context: the access log reads method, metadata and values only.
function context(): CallContext {
  const request = { encoding: 'identity' };
  return { method: '/pkg.Svc/M', protocol: 'grpc', requestMetadata: { 'snet-payment-type': 'free-call' }, values: createContextValues(), request, response: {} } as unknown as CallContext;
}

describe('access log interceptors', () => {
  it('behavior: the payment accepted by an inner interceptor (paymentInfoKey) shows in the line', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createAccessLog(recordingLogger(lines), 'info');
    const handler: CallHandler = (ctx) => {
      ctx.values.set(paymentInfoKey, { type: 'prepaid-call', priceCogs: 12n, channelId: 4n });
      return Promise.resolve({ code: 0, message: '' });
    };
    await applyInterceptors(handler, [log.outer, log.serviceTimer])(context());
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['priceCogs'], '12');
    assert.equal(lines[0]?.['payment'], 'prepaid-call', 'the accepted payment wins over the header');
    assert.equal(lines[0]?.['channel'], '4');
  });

  it('error: a call failing inside the daemon logs its error code as the status and still throws', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = createAccessLog(recordingLogger(lines), 'info');
    const failing: CallHandler = () => Promise.reject(new SnetError('PAYMENT_HEADER_MISSING', 'no snet-payment-type'));
    await assert.rejects(applyInterceptors(failing, [log.outer])(context()));
    assert.equal(lines[0]?.['status'], 'PAYMENT_HEADER_MISSING');
    assert.equal(lines[0]?.['serviceMs'], undefined, 'the service was never reached');
  });
});
