import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EscrowPaymentHandler, Reservation } from '../payments/index.ts';
import type { CallContext, CallOutcome } from '../pipeline/index.ts';
import { createPaymentInterceptor } from './payment-interceptor.ts';

function recordingHandler(): EscrowPaymentHandler & { events: string[] } {
  const events: string[] = [];
  const reservation: Reservation = { channelId: 1n, nonce: 0n, amount: 10n, priceCogs: 10n, userAddress: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23' };
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
  ({ method: '/x.Y/z', requestMetadata, upstreamMetadata: { 'snet-user-address': 'spoofed' }, signal: new AbortController().signal }) as unknown as CallContext;

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
