import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDynamicPricing, type EscrowPaymentHandler, type PriceResult, type Reservation } from '../payments/index.ts';
import { createContextValues, paymentInfoKey, type CallContext, type CallOutcome } from '../pipeline/index.ts';
import { createPaymentInterceptor } from './payment-interceptor.ts';

function recordingHandler(): EscrowPaymentHandler & { events: string[] } {
  const events: string[] = [];
  const reservation: Reservation = { type: 'escrow', channelId: 1n, nonce: 0n, amount: 10n, priceCogs: 10n, userAddress: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23' };
  return {
    events,
    reserve: (metadata) => {
      events.push('reserve');
      if (metadata['refuse'] !== undefined) return Promise.reject(new Error('refused'));
      return Promise.resolve(reservation);
    },
    commit: () => {
      events.push('commit');
      return Promise.resolve();
    },
    release: () => {
      events.push('release');
      return Promise.resolve();
    },
    close: () => undefined,
  };
}

const ctx = (requestMetadata: Record<string, string> = {}): CallContext =>
  ({ method: '/x.Y/z', requestMetadata, upstreamMetadata: { 'snet-user-address': 'spoofed' }, signal: new AbortController().signal, values: createContextValues() }) as unknown as CallContext;

describe('createPaymentInterceptor()', () => {
  it('behavior: overrides snet-user-address with the channel sender and commits on OK', async () => {
    const handler = recordingHandler();
    const call = ctx();
    const outcome = await createPaymentInterceptor(handler)((c) => {
      assert.equal(c.upstreamMetadata['snet-user-address'], '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23');
      assert.equal(c.upstreamMetadata['snet-daemon-debug'], 'streamIntercept');
      return Promise.resolve({ code: 0, message: '' });
    })(call);
    assert.equal(outcome.code, 0);
    assert.deepEqual(handler.events, ['reserve', 'commit']);
    assert.equal(call.values.get(paymentInfoKey)?.priceCogs, 10n, 'observers see the accepted payment');
  });

  it('behavior: releases on a non-OK status and on a throw', async () => {
    const handler = recordingHandler();
    const failed: CallOutcome = { code: 3, message: 'bad' };
    assert.equal((await createPaymentInterceptor(handler)(() => Promise.resolve(failed))(ctx())).code, 3);
    await assert.rejects(createPaymentInterceptor(handler)(() => Promise.reject(new Error('boom')))(ctx()), /boom/);
    assert.deepEqual(handler.events, ['reserve', 'release', 'reserve', 'release']);
  });

  it('error: a refused payment never reaches the service', async () => {
    const handler = recordingHandler();
    let called = false;
    await assert.rejects(
      createPaymentInterceptor(handler)(() => {
        called = true;
        return Promise.resolve({ code: 0, message: '' });
      })(ctx({ refuse: '1' })),
      /refused/,
    );
    assert.equal(called, false);
    assert.deepEqual(handler.events, ['reserve']);
  });
});

describe('createPaymentInterceptor() with dynamic pricing', () => {
  const message = Uint8Array.of(10, 5, 104, 101, 108, 108, 111);
  /** A handler that records the estimate it was given and runs it, as the escrow handler does at the price step. */
  function estimatingHandler(): EscrowPaymentHandler & { prices: (PriceResult | 'static')[] } {
    const prices: (PriceResult | 'static')[] = [];
    return {
      prices,
      async reserve(_metadata, _method, _signal, estimatePrice) {
        if (estimatePrice === undefined) {
          prices.push('static');
          return { type: 'escrow', channelId: 1n, nonce: 0n, amount: 10n, priceCogs: 10n, userAddress: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23' };
        }
        const price = await estimatePrice('0x2c7536E3605D9C16a7a3D7b1898e529396a65c23');
        prices.push(price);
        if (!price.ok) throw price.error;
        return { type: 'escrow', channelId: 1n, nonce: 0n, amount: price.value, priceCogs: price.value, userAddress: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23' };
      },
      commit: () => Promise.resolve(),
      release: () => Promise.resolve(),
      close: () => undefined,
    };
  }
  const pricedCtx = (method: string, first: Uint8Array | undefined): CallContext & { firstCalls: number } => {
    const c = {
      method,
      requestMetadata: { 'x-tag': 'client', 'snet-user-address': '0xspoofed' },
      upstreamMetadata: { 'x-tag': 'client', 'snet-user-address': '0xspoofed' },
      signal: new AbortController().signal,
      deadline: undefined,
      values: createContextValues(),
      firstCalls: 0,
      request: {
        first: () => {
          c.firstCalls++;
          return Promise.resolve(first);
        },
      },
    };
    return c as unknown as CallContext & { firstCalls: number };
  };

  it('behavior: a marked method is priced by its estimate on the first message and metadata', async () => {
    const calls: { method: string; message: Uint8Array; metadata: unknown }[] = [];
    const pricing = createDynamicPricing(
      {
        call: (r) => {
          calls.push({ method: r.method, message: r.message, metadata: { ...r.metadata } });
          return Promise.resolve({ ok: true, message: Uint8Array.of(0x08, 15) });
        },
      },
      { estimateMethods: new Map([['/p.S/m', '/p.S/estimate_m']]) },
    );
    const handler = estimatingHandler();
    const call = pricedCtx('/p.S/m', message);
    let served = false;
    await createPaymentInterceptor(handler, () => pricing)(() => {
      served = true;
      return Promise.resolve({ code: 0, message: '' });
    })(call);
    assert.equal(served, true);
    assert.deepEqual(handler.prices, [{ ok: true, value: 15n }]);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.method, '/p.S/estimate_m');
    assert.equal(calls[0]?.message, message);
    // The client's metadata, with snet-user-address set to the channel sender (the client cannot pose as another user).
    assert.deepEqual(calls[0]?.metadata, { 'x-tag': 'client', 'snet-user-address': '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23' });
  });

  it('behavior: other methods keep the metadata price and never read the first message', async () => {
    const pricing = createDynamicPricing({ call: () => Promise.reject(new Error('not for static methods')) }, { estimateMethods: new Map([['/p.S/m', '/p.S/estimate_m']]) });
    const handler = estimatingHandler();
    const call = pricedCtx('/p.S/other', message);
    await createPaymentInterceptor(handler, () => pricing)(() => Promise.resolve({ code: 0, message: '' }))(call);
    assert.deepEqual(handler.prices, ['static']);
    assert.equal(call.firstCalls, 0);
  });

  it('error: a failed estimate is INTERNAL and the service is never called', async () => {
    const pricing = createDynamicPricing({ call: () => Promise.resolve({ ok: false, code: 13, message: 'boom' }) }, { estimateMethods: new Map([['/p.S/m', '/p.S/estimate_m']]) });
    let served = false;
    await assert.rejects(
      createPaymentInterceptor(estimatingHandler(), () => pricing)(() => {
        served = true;
        return Promise.resolve({ code: 0, message: '' });
      })(pricedCtx('/p.S/m', message)),
      { code: 'PAYMENT_DYNAMIC_PRICE_FAILED', message: 'internal error: price estimate /p.S/estimate_m failed with status 13: boom' },
    );
    assert.equal(served, false);
  });
});
