// The counting interceptors over hand-made handlers: each way a call can end (answered, refused by the payment
// layer, thrown before a promise exists, cancelled by the client) lands in exactly one cell, with the listener
// told the status the client got. The real-daemon counts are in test/integration/metrics*.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SnetError } from '../../errors/index.ts';
import { applyInterceptors, createContextValues, paymentInfoKey, type CallContext, type CallHandler } from '../../pipeline/index.ts';
import { createCallMetrics, serviceTimer, type CallEnd } from './call-metrics.ts';
import { createDaemonMetrics } from './daemon-metrics.ts';
import { paymentRefusalIndex } from './label-sets.ts';

const method = '/calc.Calc/Add';

function context(headers: Record<string, string> = {}, abort?: AbortController): CallContext {
  return { method, values: createContextValues(), requestMetadata: headers, signal: (abort ?? new AbortController()).signal } as unknown as CallContext;
}

describe('createCallMetrics()', () => {
  it('behavior: answered, refused, thrown and cancelled calls each count once, with the status the client got', async () => {
    const metrics = createDaemonMetrics({ version: 't', knownMethods: [method], processMetrics: false });
    const ends: CallEnd[] = [];
    const callMetrics = createCallMetrics(metrics, {
      paymentsEnabled: true,
      isDaemonMethod: () => false,
      statusOf: (error) => (error instanceof SnetError ? 3 : error === 'cancelled' ? 1 : 13),
      onCallEnd: (_ctx, end) => ends.push(end),
    });
    let inner: CallHandler = () => Promise.resolve({ code: 0, message: '' });
    const service: CallHandler = (ctx) => inner(ctx);
    const pipeline = applyInterceptors(applyInterceptors(service, [serviceTimer]), [callMetrics.outer]);
    // Where the payment interceptor sits: between the outer counter and the service timer.
    const paying = (ctx: CallContext): Promise<{ code: number; message: string }> => {
      ctx.values.set(paymentInfoKey, { type: 'escrow', priceCogs: 5n });
      return pipeline(ctx);
    };
    const cell = (payment: string, code: number): number => metrics.calls.value(metrics.calls.cell(metrics.methodIndex(method), ['none', 'escrow', 'free-call'].indexOf(payment), code));

    assert.deepEqual(await paying(context({ 'snet-payment-type': 'escrow' })), { code: 0, message: '' });
    assert.equal(cell('escrow', 0), 1);
    assert.equal(metrics.earnedCogs.value(1), 5);
    assert.equal(metrics.serviceSeconds.count(metrics.methodIndex(method)), 1);

    // Refused by the payment layer: its own outcome, never reaches the service.
    const outer = applyInterceptors(() => Promise.reject(new SnetError('PAYMENT_INSUFFICIENT_FUNDS', 'not enough', { hint: 'pay' })), [callMetrics.outer]);
    await assert.rejects(outer(context({ 'snet-payment-type': 'escrow' })), /not enough/);
    assert.equal(cell('escrow', 3), 1);
    assert.equal(metrics.payments.value(metrics.payments.cell(1, paymentRefusalIndex('PAYMENT_INSUFFICIENT_FUNDS'))), 1);
    assert.equal(metrics.serviceSeconds.count(metrics.methodIndex(method)), 1);

    // A handler that throws before returning a promise: still counted, still a rejected promise for the caller.
    inner = () => {
      throw new Error('boom');
    };
    await assert.rejects(paying(context({ 'snet-payment-type': 'escrow' })), /boom/);
    assert.equal(cell('escrow', 13), 1);
    assert.equal(metrics.serviceSeconds.count(metrics.methodIndex(method)), 2, 'the service timer saw it');
    assert.equal(metrics.earnedCogs.value(1), 5, 'a failed call earns nothing');

    // Cancelled by the client while the service answers later: counted with the abort's status.
    const abort = new AbortController();
    inner = () => new Promise((resolve) => setImmediate(() => resolve({ code: 0, message: '' })));
    const cancelled = paying(context({ 'snet-payment-type': 'escrow' }, abort));
    abort.abort('cancelled');
    await cancelled;
    assert.equal(cell('escrow', 1), 1);

    assert.deepEqual(
      ends.map((end) => [end.code, end.message]),
      [
        [0, ''],
        [3, 'not enough'],
        [13, ''],
        [1, ''],
      ],
    );
    assert.ok(ends.every((end) => end.endedAtMs >= end.startedAtMs && end.startedAtMs > 0));
    assert.deepEqual(callMetrics.totals(), { calls: 4, serverErrors: 1 });
  });
});
