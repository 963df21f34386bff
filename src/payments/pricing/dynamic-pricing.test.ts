import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SnetError } from '../../errors/index.ts';
import { createDynamicPricing, type EstimateCall, type EstimateRequest } from './dynamic-pricing.ts';

const METHODS = new Map([['/p.S/m', '/p.S/estimate_m']]);

function request(overrides: Partial<EstimateRequest> = {}): EstimateRequest {
  return { methodPath: '/p.S/m', estimateMethod: '/p.S/estimate_m', message: Uint8Array.of(10, 2, 104, 105), metadata: { 'x-tag': 'a' }, timeoutMs: 5000, signal: new AbortController().signal, ...overrides };
}

describe('createDynamicPricing()', () => {
  it('behavior: estimateMethodOf answers only for marked methods', () => {
    const pricing = createDynamicPricing({ call: () => Promise.reject(new Error('unused')) }, { estimateMethods: METHODS });
    assert.equal(pricing.estimateMethodOf('/p.S/m'), '/p.S/estimate_m');
    assert.equal(pricing.estimateMethodOf('/p.S/other'), undefined);
    assert.equal(pricing.estimateMethodOf('constructor'), undefined);
    assert.equal(pricing.size, 1);
  });

  it('behavior: sends the first message unchanged with the metadata and deadline, and decodes PriceInCogs', async () => {
    const seen: Parameters<EstimateCall>[0][] = [];
    const pricing = createDynamicPricing(
      {
        call: (r) => {
          seen.push(r);
          return Promise.resolve({ ok: true, message: Uint8Array.of(0x08, 0xac, 0x02) });
        },
      },
      { estimateMethods: METHODS },
    );
    const req = request();
    assert.deepEqual(await pricing.estimate(req), { ok: true, value: 300n });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.method, '/p.S/estimate_m');
    assert.equal(seen[0]?.message, req.message);
    assert.equal(seen[0]?.metadata, req.metadata);
    assert.equal(seen[0]?.timeoutMs, 5000);
    assert.equal(seen[0]?.signal, req.signal);
  });

  const failures: [string, EstimateCall, Partial<EstimateRequest>, string][] = [
    ['an error status', () => Promise.resolve({ ok: false, code: 3, message: 'bad input' }), {}, 'internal error: price estimate /p.S/estimate_m failed with status 3: bad input'],
    [
      'a service that is down',
      () => Promise.reject(new SnetError('UPSTREAM_UNAVAILABLE', 'the service at 127.0.0.1:1 is unavailable: ECONNREFUSED')),
      {},
      'internal error: price estimate /p.S/estimate_m failed: the service at 127.0.0.1:1 is unavailable: ECONNREFUSED',
    ],
    ['a reply that is not PriceInCogs', () => Promise.resolve({ ok: true, message: Uint8Array.of(0x0a, 0x01, 0x00) }), {}, 'internal error: price estimate /p.S/estimate_m answered an invalid reply: PriceInCogs: field 1 (price) has wire type 2, expected a varint'],
    ['no request message', () => Promise.reject(new Error('must not be called')), { message: undefined }, 'internal error: no request message to estimate the price of /p.S/m from'],
  ];
  for (const [what, call, overrides, message] of failures) {
    it(`error: ${what} is INTERNAL PAYMENT_DYNAMIC_PRICE_FAILED`, async () => {
      const result = await createDynamicPricing({ call }, { estimateMethods: METHODS }).estimate(request(overrides));
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.error.code, 'PAYMENT_DYNAMIC_PRICE_FAILED');
        assert.equal(result.error.message, message);
      }
    });
  }

  it('error: a cancelled call rejects with the cancellation, not a pricing error', async () => {
    const controller = new AbortController();
    const cancelled = new SnetError('REQUEST_CANCELLED', 'the call was cancelled');
    const pricing = createDynamicPricing(
      {
        call: () => {
          controller.abort(cancelled);
          return Promise.reject(cancelled);
        },
      },
      { estimateMethods: METHODS },
    );
    await assert.rejects(pricing.estimate(request({ signal: controller.signal })), cancelled);
  });
});
