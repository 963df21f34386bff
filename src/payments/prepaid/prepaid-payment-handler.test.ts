import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { SnetError } from '../../errors/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { createKeyedMutex, createMemoryStore, type AtomicStore } from '../../storage/index.ts';
import { PaymentError } from '../payment-error.ts';
import type { PaymentHandler } from '../payment-handler.ts';
import { createPriceResolver } from '../pricing/index.ts';
import { createPrepaidPaymentHandler, type PrepaidCharge } from './prepaid-payment-handler.ts';
import { createPrepaidTokens } from './prepaid-token.ts';
import { decodePrepaidUsage, encodePrepaidUsage, prepaidUsageKey } from './prepaid-usage.ts';

const PREFIX = 'snetd-ts/1/local/org/G=/0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const USER = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const PRICE = 10n;
const METHOD = '/example_service.Calculator/add';
const tokens = createPrepaidTokens({ secret: 's'.repeat(32), expiryMinutes: 60, organizationId: 'org', groupIdBase64: 'G=' });

function headers(channelId: bigint, token = tokens.issue(channelId, USER)): Record<string, string> {
  return {
    'snet-payment-type': 'prepaid-call',
    'snet-payment-channel-id': channelId.toString(),
    'snet-payment-channel-nonce': '0',
    'snet-prepaid-auth-token-bin': Buffer.from(token).toString('base64'),
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SnetError, String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('expected a refusal');
}

describe('createPrepaidPaymentHandler()', () => {
  let store: AtomicStore;
  let handler: PaymentHandler<PrepaidCharge>;
  const create = (price = PRICE): PaymentHandler<PrepaidCharge> =>
    createPrepaidPaymentHandler(
      { store, mutex: createKeyedMutex(), tokens, logger: createSilentLogger() },
      { mpePrefix: PREFIX, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: price }) },
    );
  const plan = (channelId: bigint, planned: bigint, used = 0n): Promise<void> => store.put(prepaidUsageKey(PREFIX, channelId), encodePrepaidUsage({ planned, used }));
  const usage = async (channelId: bigint): Promise<{ planned: bigint; used: bigint } | undefined> => {
    const bytes = await store.get(prepaidUsageKey(PREFIX, channelId));
    if (bytes === undefined) return undefined;
    const { planned, used } = decodePrepaidUsage(bytes);
    return { planned, used };
  };

  beforeEach(() => {
    store = createMemoryStore();
    handler = create();
  });

  it('behavior: a call is charged before the service (one CAS), commit changes nothing more, the payer is the token user', async () => {
    await plan(1n, 30n);
    const charge = await handler.reserve(headers(1n), METHOD);
    assert.deepEqual({ type: charge.type, channelId: charge.channelId, price: charge.priceCogs, user: charge.userAddress }, { type: 'prepaid-call', channelId: 1n, price: PRICE, user: USER });
    assert.deepEqual(await usage(1n), { planned: 30n, used: 10n });
    await handler.commit(charge);
    assert.deepEqual(await usage(1n), { planned: 30n, used: 10n });
  });

  it('behavior: release (service failed or cancelled) refunds the price once', async () => {
    await plan(1n, 30n);
    const charge = await handler.reserve(headers(1n), METHOD);
    await handler.release(charge);
    await handler.release(charge);
    assert.deepEqual(await usage(1n), { planned: 30n, used: 0n });
  });

  it('error: a call over the planned amount is refused before the service with the reference text (INTERNAL); nothing changes', async () => {
    await plan(1n, 25n);
    await handler.reserve(headers(1n), METHOD);
    await handler.reserve(headers(1n), METHOD);
    assert.deepEqual(await refusal(handler.reserve(headers(1n), METHOD)), { code: 'PAYMENT_USAGE_EXCEEDED', message: 'internal error: Usage Exceeded on channel Id 1' });
    assert.deepEqual(await usage(1n), { planned: 25n, used: 20n });
    // A channel never planned (no record) is refused the same way.
    assert.deepEqual(await refusal(handler.reserve(headers(2n), METHOD)), { code: 'PAYMENT_USAGE_EXCEEDED', message: 'internal error: Usage Exceeded on channel Id 2' });
    assert.equal(await usage(2n), undefined);
  });

  it('error: headers and token refusals (INVALID_ARGUMENT / INTERNAL texts of the reference)', async () => {
    await plan(1n, 30n);
    const { 'snet-prepaid-auth-token-bin': _token, ...noToken } = headers(1n);
    assert.deepEqual(await refusal(handler.reserve(noToken, METHOD)), { code: 'PAYMENT_HEADER_MISSING', message: 'missing "snet-prepaid-auth-token-bin"' });
    const { 'snet-payment-channel-id': _id, ...noChannel } = headers(1n);
    assert.deepEqual(await refusal(handler.reserve(noChannel, METHOD)), { code: 'PAYMENT_HEADER_MISSING', message: 'missing "snet-payment-channel-id"' });
    assert.deepEqual(await refusal(handler.reserve(headers(1n, tokens.issue(2n, USER)), METHOD)), {
      code: 'PAYMENT_PREPAID_TOKEN_INVALID',
      message: 'internal error: payload 2 used to generate the Token doesnt match expected values',
    });
    assert.deepEqual(await refusal(handler.reserve(headers(1n, 'not-a-jwt'), METHOD)), {
      code: 'PAYMENT_PREPAID_TOKEN_INVALID',
      message: 'internal error: token is malformed: token contains an invalid number of segments',
    });
    const other = createPrepaidTokens({ secret: 'o'.repeat(32), expiryMinutes: 60, organizationId: 'org', groupIdBase64: 'G=' });
    assert.deepEqual(await refusal(handler.reserve(headers(1n, other.issue(1n, USER)), METHOD)), {
      code: 'PAYMENT_PREPAID_TOKEN_INVALID',
      message: 'internal error: token signature is invalid: signature is invalid',
    });
    const perMethod = createPrepaidPaymentHandler(
      { store, mutex: createKeyedMutex(), tokens, logger: createSilentLogger() },
      { mpePrefix: PREFIX, priceOf: createPriceResolver({ priceModel: 'fixed_price_per_method', packageName: 'example_service', details: [{ serviceName: 'Calculator', methodPricing: [{ methodName: 'mul', priceInCogs: 2n }] }] }) },
    );
    assert.deepEqual(await refusal(perMethod.reserve(headers(1n), METHOD)), { code: 'PAYMENT_PRICE_UNDEFINED', message: `internal error: price is not defined for the Method ${METHOD}` });
    assert.deepEqual(await usage(1n), { planned: 30n, used: 0n });
  });

  it('behavior: dynamic pricing: the estimate (asked with the token user) is charged', async () => {
    await plan(1n, 30n);
    let payer = '';
    const charge = await handler.reserve(headers(1n), METHOD, undefined, (p) => {
      payer = p;
      return Promise.resolve({ ok: true, value: 7n });
    });
    assert.equal(payer, USER);
    assert.equal(charge.priceCogs, 7n);
    assert.deepEqual(await usage(1n), { planned: 30n, used: 7n });
  });

  it('behavior: a price of 0 writes nothing', async () => {
    const free = create(0n);
    const charge = await free.reserve(headers(3n), METHOD);
    await free.release(charge);
    assert.equal(await usage(3n), undefined);
  });

  it('behavior: concurrent calls on one channel from two handlers (replicas) on one store: exactly planned/price accepted, books add up', async () => {
    await plan(1n, 10n * PRICE);
    const replicas = [handler, create()];
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => (replicas[i % 2] as PaymentHandler<PrepaidCharge>).reserve(headers(1n), METHOD)));
    const accepted = results.filter((r): r is PromiseFulfilledResult<PrepaidCharge> => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(accepted.length, 10);
    for (const r of refused) {
      assert.ok(r.reason instanceof PaymentError);
      assert.ok(['PAYMENT_USAGE_EXCEEDED', 'PAYMENT_CONCURRENT_CALL'].includes(r.reason.code), r.reason.message);
    }
    assert.deepEqual(await usage(1n), { planned: 100n, used: 100n });
    // Half of the accepted calls fail at the service: refunded, concurrently, across both replicas.
    await Promise.all(accepted.slice(0, 5).map((r, i) => (replicas[i % 2] as PaymentHandler<PrepaidCharge>).release(r.value)));
    assert.deepEqual(await usage(1n), { planned: 100n, used: 50n });
  });

  it('behavior: a refusal from this process\'s cached record is checked on a fresh read (another replica planned more)', async () => {
    await plan(1n, 10n);
    await handler.reserve(headers(1n), METHOD);
    await plan(1n, 30n, 10n); // GetToken on another replica
    await handler.reserve(headers(1n), METHOD);
    assert.deepEqual(await usage(1n), { planned: 30n, used: 20n });
  });

  it('error: a storage failure refuses the call and leaves the usage as it was', async () => {
    await plan(1n, 30n);
    const failing = createPrepaidPaymentHandler(
      { store: { ...store, compareAndSwap: () => Promise.reject(new SnetError('STORAGE_UNAVAILABLE', 'etcd down')) }, mutex: createKeyedMutex(), tokens, logger: createSilentLogger() },
      { mpePrefix: PREFIX, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) },
    );
    assert.equal((await refusal(failing.reserve(headers(1n), METHOD))).code, 'STORAGE_UNAVAILABLE');
    assert.deepEqual(await usage(1n), { planned: 30n, used: 0n });
  });

  it('behavior: a write that timed out but landed is found by its op id and refunded', async () => {
    await plan(1n, 30n);
    const landedThenTimedOut: AtomicStore = {
      ...store,
      compareAndSwap: async (key, expected, next) => {
        await store.compareAndSwap(key, expected, next);
        throw new SnetError('STORAGE_TIMEOUT', 'etcd request timed out');
      },
    };
    const timing = createPrepaidPaymentHandler(
      { store: landedThenTimedOut, mutex: createKeyedMutex(), tokens, logger: createSilentLogger() },
      { mpePrefix: PREFIX, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) },
    );
    assert.equal((await refusal(timing.reserve(headers(1n), METHOD))).code, 'STORAGE_TIMEOUT');
    assert.deepEqual(await usage(1n), { planned: 30n, used: 0n });
  });
});
