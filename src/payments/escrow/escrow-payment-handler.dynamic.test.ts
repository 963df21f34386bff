// Dynamic pricing through the escrow handler (docs/payments.md "Dynamic pricing"): the estimate replaces the metadata
// price of one call, runs once, after the other checks, and a failed estimate reserves nothing.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { buildClaimMessage, createSignatureRecoverer, privateKeyToAddress, signMessage } from '../../blockchain/index.ts';
import { SnetError } from '../../errors/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { createMemoryStore, type AtomicStore } from '../../storage/index.ts';
import { createPriceResolver, dynamicPriceFailedError, type PriceResult } from '../pricing/index.ts';
import { createChannelRepository } from './channel-repository.ts';
import type { ChainChannelView, ChannelReader } from './channel-state.ts';
import { createEscrowPaymentHandler, type EscrowPaymentHandler } from './escrow-payment-handler.ts';

const MPE = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const CLIENT_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const CLIENT = privateKeyToAddress(CLIENT_KEY);
const RECIPIENT = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const GROUP = new Uint8Array(32).fill(7);
const STATIC_PRICE = 10n;
const METHOD = '/priced.Writer/write';

function headers(nonce: bigint, amount: bigint): Record<string, string> {
  const signature = signMessage(CLIENT_KEY, buildClaimMessage({ mpeAddress: MPE, channelId: 1n, nonce, amount }));
  return {
    'snet-payment-type': 'escrow',
    'snet-payment-channel-id': '1',
    'snet-payment-channel-nonce': nonce.toString(),
    'snet-payment-channel-amount': amount.toString(),
    'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
  };
}

describe('createEscrowPaymentHandler() with a dynamic price', () => {
  let store: AtomicStore;
  let handler: EscrowPaymentHandler;
  let estimates: number;

  beforeEach(() => {
    store = createMemoryStore();
    const channel: ChainChannelView = { nonce: 0n, sender: CLIENT, signer: CLIENT, recipient: RECIPIENT, groupId: `0x${'07'.repeat(32)}`, value: 1000n, expiration: 100_000n };
    const chain: ChannelReader = { getChannel: () => Promise.resolve(channel), getBlockNumber: () => Promise.resolve(1000n) };
    const repository = createChannelRepository({ store, chain }, { mpePrefix: `snetd-ts/1/local/org/G=/${MPE}`, groupId: GROUP, recipient: RECIPIENT });
    handler = createEscrowPaymentHandler(
      { repository, chain, recoverer: createSignatureRecoverer(), logger: createSilentLogger() },
      { mpeAddress: MPE, expirationThresholdBlocks: 100n, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: STATIC_PRICE }) },
    );
    estimates = 0;
  });

  const payers: string[] = [];
  const estimate = (result: PriceResult) => (payer: string): Promise<PriceResult> => {
    estimates++;
    payers.push(payer);
    return Promise.resolve(result);
  };
  const stored = async (): Promise<string> => JSON.stringify((await store.getByPrefix('')).map((e) => [e.key, Buffer.from(e.value).toString()]));

  it('behavior: the estimated price replaces the metadata price, once per call', async () => {
    const r = await handler.reserve(headers(0n, 42n), METHOD, undefined, estimate({ ok: true, value: 42n }));
    assert.equal(r.priceCogs, 42n);
    assert.equal(estimates, 1);
    assert.deepEqual(payers.splice(0), [CLIENT], 'the estimate is told the channel sender');
    await handler.commit(r);
    // The next call without an estimate is priced from metadata again.
    const next = await handler.reserve(headers(0n, 52n), METHOD);
    assert.equal(next.priceCogs, STATIC_PRICE);
    await handler.commit(next);
  });

  it('error: paying the metadata price for a dynamically priced call is the reference amount mismatch', async () => {
    const before = await stored();
    await assert.rejects(handler.reserve(headers(0n, STATIC_PRICE), METHOD, undefined, estimate({ ok: true, value: 42n })), {
      code: 'PAYMENT_AMOUNT_MISMATCH',
      message: 'income 10 does not equal to price 42',
    });
    assert.equal(await stored(), before);
  });

  it('error: a failed estimate refuses the call with its INTERNAL error and reserves nothing', async () => {
    const before = await stored();
    await assert.rejects(handler.reserve(headers(0n, 42n), METHOD, undefined, estimate({ ok: false, error: dynamicPriceFailedError('price estimate /priced.Writer/estimate_write failed with status 13: boom') })), {
      code: 'PAYMENT_DYNAMIC_PRICE_FAILED',
      message: 'internal error: price estimate /priced.Writer/estimate_write failed with status 13: boom',
    });
    assert.equal(estimates, 1);
    assert.equal(await stored(), before);
    // The channel is free: the same amount is accepted next.
    await handler.commit(await handler.reserve(headers(0n, 42n), METHOD, undefined, estimate({ ok: true, value: 42n })));
  });

  it('error: an estimate that rejects (cancelled call) rejects reserve and reserves nothing', async () => {
    const before = await stored();
    const cancelled = new SnetError('REQUEST_CANCELLED', 'the call was cancelled');
    await assert.rejects(handler.reserve(headers(0n, 42n), METHOD, undefined, () => Promise.reject(cancelled)), cancelled);
    assert.equal(await stored(), before);
  });

  it('behavior: the estimate is not asked for when an earlier check refuses the payment (same order as Go)', async () => {
    await assert.rejects(handler.reserve(headers(1n, 42n), METHOD, undefined, estimate({ ok: true, value: 42n })), { code: 'PAYMENT_NONCE_MISMATCH' });
    await assert.rejects(handler.reserve(headers(0n, 5000n), METHOD, undefined, estimate({ ok: true, value: 5000n })), { code: 'PAYMENT_INSUFFICIENT_FUNDS' });
    assert.equal(estimates, 0);
  });
});
