// The bounded label sets stay complete: a new payment error code must get its own outcome label (else its
// refusals hide under `other` on the dashboard), and the status and payment-type maps cover what clients send.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCatalogue } from '../../errors/index.ts';
import { paymentOutcomeLabels, paymentRefusalIndex, paymentTypeIndex, paymentTypeLabels, statusIndex, statusLabels } from './label-sets.ts';

describe('label sets', () => {
  it('behavior: every PAYMENT_* error code has its own outcome label (code without PAYMENT_, lower case)', () => {
    const paymentCodes = Object.keys(errorCatalogue).filter((code) => code.startsWith('PAYMENT_'));
    assert.ok(paymentCodes.length >= 30);
    for (const code of paymentCodes) assert.equal(paymentOutcomeLabels[paymentRefusalIndex(code)], code.slice('PAYMENT_'.length).toLowerCase(), code);
    assert.equal(new Set(paymentOutcomeLabels).size, paymentOutcomeLabels.length, 'no label twice');
    assert.equal(paymentOutcomeLabels[paymentRefusalIndex('PAYMENT_FROM_A_NEWER_DAEMON')], 'other');
  });

  it('behavior: statuses and payment types map onto their lists, anything else onto the catch-all', () => {
    assert.equal(statusLabels[statusIndex(0)], 'OK');
    assert.equal(statusLabels[statusIndex(16)], 'UNAUTHENTICATED');
    assert.equal(statusLabels[statusIndex(1000)], 'SNET_INCORRECT_NONCE');
    assert.equal(statusLabels[statusIndex(17)], 'OTHER');
    assert.equal(statusLabels[statusIndex(-1)], 'OTHER');
    for (const type of ['escrow', 'free-call', 'prepaid-call', 'train-call']) assert.equal(paymentTypeLabels[paymentTypeIndex(type)], type);
    assert.equal(paymentTypeLabels[paymentTypeIndex('Escrow; DROP TABLE')], 'other');
  });
});
