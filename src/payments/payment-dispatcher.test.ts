import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SnetError } from '../errors/index.ts';
import type { AcceptedPayment, PaymentHandler } from './payment-handler.ts';
import { createPaymentDispatcher } from './payment-dispatcher.ts';

function recording(type: AcceptedPayment['type'], events: string[]): PaymentHandler {
  return {
    reserve: () => {
      events.push(`${type}:reserve`);
      return Promise.resolve({ type, userAddress: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23', priceCogs: 1n });
    },
    commit: () => {
      events.push(`${type}:commit`);
      return Promise.resolve();
    },
    release: () => {
      events.push(`${type}:release`);
      return Promise.resolve();
    },
    close: () => events.push(`${type}:close`),
  };
}

const refusal = (code: string, message: RegExp) => (err: unknown) => {
  assert.ok(err instanceof SnetError);
  assert.equal(err.code, code);
  assert.match(err.message, message);
  return true;
};

void describe('createPaymentDispatcher()', () => {
  void it('behavior: picks the handler by snet-payment-type (absent = escrow) and settles with the handler that reserved', async () => {
    const events: string[] = [];
    const dispatcher = createPaymentDispatcher({ escrow: recording('escrow', events), 'prepaid-call': recording('prepaid-call', events) });
    const escrow = await dispatcher.reserve({}, '/p.S/m');
    await dispatcher.commit(escrow);
    const prepaid = await dispatcher.reserve({ 'snet-payment-type': 'prepaid-call' }, '/p.S/m');
    await dispatcher.release(prepaid);
    dispatcher.close();
    assert.deepEqual(events, ['escrow:reserve', 'escrow:commit', 'prepaid-call:reserve', 'prepaid-call:release', 'escrow:close', 'prepaid-call:close']);
  });

  void it('error: unknown, unserved and training payment types are refused before any handler runs', async () => {
    const events: string[] = [];
    const dispatcher = createPaymentDispatcher({ escrow: recording('escrow', events) });
    await assert.rejects(dispatcher.reserve({ 'snet-payment-type': 'bogus' }, '/p.S/m'), refusal('PAYMENT_TYPE_UNKNOWN', /^unexpected "snet-payment-type", value: "bogus"$/));
    await assert.rejects(dispatcher.reserve({ 'snet-payment-type': 'free-call' }, '/p.S/m'), refusal('PAYMENT_TYPE_UNSUPPORTED', /"free-call" is not supported/));
    await assert.rejects(dispatcher.reserve({ 'snet-payment-type': 'train-call' }, '/p.S/m'), refusal('PAYMENT_TYPE_UNIMPLEMENTED', /training API/));
    assert.deepEqual(events, []);
  });
});
