import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import {
  addressToBytes,
  buildClaimMessage,
  createSignatureRecoverer,
  privateKeyToAddress,
  signMessage,
} from '../../blockchain/index.ts';
import { SnetError } from '../../errors/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import { createMemoryStore, type AtomicStore } from '../../storage/index.ts';
import { createPriceResolver } from '../pricing/index.ts';
import { createChannelRepository, type ChannelRepository } from './channel-repository.ts';
import { decodeChannelState, encodeChannelState, type ChainChannelView, type ChannelReader, type ChannelState } from './channel-state.ts';
import { createEscrowPaymentHandler, type EscrowPaymentHandler } from './escrow-payment-handler.ts';

const MPE = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
const CLIENT_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
const OTHER_KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const CLIENT = privateKeyToAddress(CLIENT_KEY);
const RECIPIENT = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const GROUP = new Uint8Array(32).fill(7);
const GROUP_HEX = `0x${'07'.repeat(32)}`;
const PRICE = 10n;
const THRESHOLD = 100n;
const METHOD = '/example_service.Calculator/add';

/** A fake chain: a channel table, a block number and a read counter. */
function createFakeChain(): ChannelReader & { channels: Map<bigint, ChainChannelView>; block: bigint; reads: number; failReads: boolean } {
  const fake = {
    channels: new Map<bigint, ChainChannelView>(),
    block: 1000n,
    reads: 0,
    failReads: false,
    getChannel(id: bigint): Promise<ChainChannelView | undefined> {
      fake.reads++;
      if (fake.failReads) return Promise.reject(new SnetError('CHAIN_UNAVAILABLE', 'chain down'));
      return Promise.resolve(fake.channels.get(id));
    },
    getBlockNumber(): Promise<bigint> {
      return Promise.resolve(fake.block);
    },
  };
  return fake;
}

function openChannel(chain: ReturnType<typeof createFakeChain>, id: bigint, overrides: Partial<ChainChannelView> = {}): void {
  chain.channels.set(id, {
    nonce: 0n,
    sender: CLIENT,
    signer: CLIENT,
    recipient: RECIPIENT,
    groupId: GROUP_HEX,
    value: 1000n,
    expiration: 100_000n,
    ...overrides,
  });
}

function paymentHeaders(fields: { channelId: bigint; nonce: bigint; amount: bigint; key?: string; mpe?: string }): Record<string, string> {
  const signature = signMessage(fields.key ?? CLIENT_KEY, buildClaimMessage({ mpeAddress: fields.mpe ?? MPE, channelId: fields.channelId, nonce: fields.nonce, amount: fields.amount }));
  return {
    'snet-payment-type': 'escrow',
    'snet-payment-channel-id': fields.channelId.toString(),
    'snet-payment-channel-nonce': fields.nonce.toString(),
    'snet-payment-channel-amount': fields.amount.toString(),
    'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
  };
}

// Every case runs with recovery on the event loop and on a worker thread: the answers must not differ.
for (const threads of [0, 1]) describe(`createEscrowPaymentHandler() (signature threads: ${threads})`, () => {
  const recoverer = createSignatureRecoverer({ threads });
  after(() => recoverer.close());
  let store: AtomicStore;
  let chain: ReturnType<typeof createFakeChain>;
  let repository: ChannelRepository;
  let handler: EscrowPaymentHandler;
  let clock: number;

  const build = (leaseMs = 30_000): void => {
    repository = createChannelRepository({ store, chain, now: () => clock }, { mpePrefix: `snetd-ts/1/local/org/G=/${MPE}`, groupId: GROUP, recipient: RECIPIENT });
    handler = createEscrowPaymentHandler(
      { repository, chain, recoverer, logger: createSilentLogger(), now: () => clock },
      { mpeAddress: MPE, expirationThresholdBlocks: THRESHOLD, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }), leaseMs },
    );
  };

  beforeEach(() => {
    store = createMemoryStore();
    chain = createFakeChain();
    clock = 1_000_000;
    openChannel(chain, 1n);
    build();
  });

  const snapshot = async (): Promise<string> => JSON.stringify((await store.getByPrefix('')).map((e) => [e.key, Buffer.from(e.value).toString()]));

  const pay = async (amount: bigint, nonce = 0n, channelId = 1n): Promise<void> => {
    const r = await handler.reserve(paymentHeaders({ channelId, nonce, amount }), METHOD);
    await handler.commit(r);
  };

  const rejects = async (headers: Record<string, string>, code: string, message: string | RegExp): Promise<void> => {
    const before = await snapshot();
    await assert.rejects(handler.reserve(headers, METHOD), (err: unknown) => {
      assert.ok(err instanceof SnetError);
      assert.equal(err.code, code);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });
    assert.equal(await snapshot(), before, 'a rejected payment changes nothing in the store');
  };

  it('behavior: accepts increasing cumulative amounts, stores them and reports the checksummed sender', async () => {
    const r = await handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n }), METHOD);
    assert.equal(r.userAddress, CLIENT);
    assert.equal(r.priceCogs, PRICE);
    await handler.commit(r);
    await pay(20n);
    const stored = await repository.readStored(1n);
    assert.equal(stored?.state.authorizedAmount, 20n);
    assert.equal(stored?.state.pending, undefined);
  });

  it('behavior: onCommitted gets each committed record; a released payment reports nothing', async () => {
    const committed: ChannelState[] = [];
    handler = createEscrowPaymentHandler(
      { repository, chain, recoverer, logger: createSilentLogger(), now: () => clock, onCommitted: (state) => committed.push(state) },
      { mpeAddress: MPE, expirationThresholdBlocks: THRESHOLD, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) },
    );
    await pay(10n);
    await handler.release(await handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 20n }), METHOD));
    await pay(20n);
    assert.deepEqual(
      committed.map((state) => [state.channelId, state.nonce, state.authorizedAmount, state.fullAmount, state.sender, state.pending]),
      [
        [1n, 0n, 10n, 1000n, CLIENT, undefined],
        [1n, 0n, 20n, 1000n, CLIENT, undefined],
      ],
    );
  });

  it('behavior: a known channel is served without a chain read', async () => {
    await pay(10n);
    const reads = chain.reads;
    await pay(20n);
    await pay(30n);
    assert.equal(chain.reads, reads);
  });

  it('behavior: release restores the previous authorisation (a failed call is free)', async () => {
    await pay(10n);
    const r = await handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 20n }), METHOD);
    await handler.release(r);
    const stored = await repository.readStored(1n);
    assert.equal(stored?.state.authorizedAmount, 10n);
    assert.equal(stored?.state.pending, undefined);
    await pay(20n);
  });

  it('error: wrong nonce is PAYMENT_NONCE_MISMATCH (status 1000) and changes nothing', async () => {
    await pay(10n);
    await rejects(paymentHeaders({ channelId: 1n, nonce: 1n, amount: 20n }), 'PAYMENT_NONCE_MISMATCH', 'incorrect payment channel nonce, latest: 0, sent: 1');
  });

  it('error: a signature that does not recover is PAYMENT_SIGNATURE_INVALID', async () => {
    const headers = paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n });
    headers['snet-payment-channel-signature-bin'] = Buffer.alloc(64, 1).toString('base64');
    await rejects(headers, 'PAYMENT_SIGNATURE_INVALID', 'payment signature is not valid');
  });

  it('error: a signature by someone else is PAYMENT_WRONG_SIGNER', async () => {
    await rejects(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n, key: OTHER_KEY }), 'PAYMENT_WRONG_SIGNER', 'payment is not signed by channel signer/sender');
  });

  it('error: after accepted payments on a channel, a signature by someone else is still PAYMENT_WRONG_SIGNER (no cached signer answers)', async () => {
    await pay(10n);
    await pay(20n);
    await rejects(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 30n, key: OTHER_KEY }), 'PAYMENT_WRONG_SIGNER', 'payment is not signed by channel signer/sender');
    await pay(30n);
  });

  it('error: a payment signed for another MPE contract does not recover to the signer', async () => {
    await rejects(
      paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n, mpe: '0x0000000000000000000000000000000000000001' }),
      'PAYMENT_WRONG_SIGNER',
      'payment is not signed by channel signer/sender',
    );
  });

  it('error: a channel expiring within the threshold is PAYMENT_CHANNEL_EXPIRED (equality rejected)', async () => {
    openChannel(chain, 2n, { expiration: 1100n });
    await rejects(
      paymentHeaders({ channelId: 2n, nonce: 0n, amount: 10n }),
      'PAYMENT_CHANNEL_EXPIRED',
      'payment channel is near to be expired, expiration time: 1100, current block: 1000, expiration threshold: 100',
    );
  });

  it('error: an amount above the channel value is PAYMENT_INSUFFICIENT_FUNDS', async () => {
    openChannel(chain, 3n, { value: 5n });
    await rejects(paymentHeaders({ channelId: 3n, nonce: 0n, amount: 10n }), 'PAYMENT_INSUFFICIENT_FUNDS', 'not enough tokens on payment channel, channel amount: 5, payment amount: 10');
  });

  it('error: income different from the price is PAYMENT_AMOUNT_MISMATCH', async () => {
    await rejects(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 11n }), 'PAYMENT_AMOUNT_MISMATCH', 'income 11 does not equal to price 10');
    await pay(10n);
    await rejects(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n }), 'PAYMENT_AMOUNT_MISMATCH', 'income 0 does not equal to price 10');
  });

  it('error: an unknown channel is PAYMENT_CHANNEL_NOT_FOUND', async () => {
    await rejects(paymentHeaders({ channelId: 9n, nonce: 0n, amount: 10n }), 'PAYMENT_CHANNEL_NOT_FOUND', 'payment channel "{ID: 9}" not found');
  });

  it('error: a channel of another group is PAYMENT_WRONG_GROUP', async () => {
    openChannel(chain, 4n, { groupId: `0x${'08'.repeat(32)}` });
    await rejects(paymentHeaders({ channelId: 4n, nonce: 0n, amount: 10n }), 'PAYMENT_WRONG_GROUP', /belongs to another group of replicas, current group: \[7 7/);
  });

  it('error: a channel paying someone else is PAYMENT_WRONG_RECIPIENT', async () => {
    openChannel(chain, 5n, { recipient: CLIENT });
    await rejects(paymentHeaders({ channelId: 5n, nonce: 0n, amount: 10n }), 'PAYMENT_WRONG_RECIPIENT', /recipient Address from org metadata does not Match/);
  });

  it('error: a chain failure on an unknown channel is PAYMENT_CHANNEL_READ_FAILED', async () => {
    chain.failReads = true;
    await rejects(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n }), 'PAYMENT_CHANNEL_READ_FAILED', 'payment channel error: chain down');
  });

  it('error: with curation on, a signer outside the allow-list is refused (PAYMENT_USER_NOT_ALLOWED) and changes nothing', async () => {
    handler.close();
    handler = createEscrowPaymentHandler(
      { repository, chain, recoverer, logger: createSilentLogger(), now: () => clock },
      { mpeAddress: MPE, expirationThresholdBlocks: THRESHOLD, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }), allowedSigners: [addressToBytes(RECIPIENT)] },
    );
    await rejects(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n }), 'PAYMENT_USER_NOT_ALLOWED', 'you are not Authorized to call this service during curation process');
    handler.close();
    handler = createEscrowPaymentHandler(
      { repository, chain, recoverer, logger: createSilentLogger(), now: () => clock },
      { mpeAddress: MPE, expirationThresholdBlocks: THRESHOLD, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }), allowedSigners: [addressToBytes(RECIPIENT), addressToBytes(CLIENT)] },
    );
    await pay(10n);
    assert.equal((await repository.readStored(1n))?.state.authorizedAmount, 10n);
  });

  it('error: header problems are refused before any storage access', async () => {
    const headers = paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n });
    delete headers['snet-payment-channel-nonce'];
    await rejects(headers, 'PAYMENT_HEADER_MISSING', 'missing "snet-payment-channel-nonce"');
  });

  it('behavior: a known channel keeps working from storage while channel reads fail', async () => {
    await pay(10n);
    chain.failReads = true;
    await pay(20n);
  });

  it('behavior: funds added on chain are picked up when the stored value is not enough', async () => {
    openChannel(chain, 6n, { value: 15n });
    await pay(10n, 0n, 6n);
    await assert.rejects(handler.reserve(paymentHeaders({ channelId: 6n, nonce: 0n, amount: 20n }), METHOD), { code: 'PAYMENT_INSUFFICIENT_FUNDS' });
    openChannel(chain, 6n, { value: 100n });
    await pay(20n, 0n, 6n);
  });

  it('behavior: an extension on chain is picked up when the stored expiration is too close', async () => {
    await pay(10n);
    chain.block = 99_950n;
    await assert.rejects(handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 20n }), METHOD), { code: 'PAYMENT_CHANNEL_EXPIRED' });
    openChannel(chain, 1n, { expiration: 200_000n });
    await pay(20n);
  });

  it('behavior: a second call on a channel with a call in flight is PAYMENT_CONCURRENT_CALL', async () => {
    const first = await handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n }), METHOD);
    await rejects(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 20n }), 'PAYMENT_CONCURRENT_CALL', 'another transaction on channel: {ID: 1} is in progress');
    await handler.commit(first);
  });

  it('behavior: N concurrent replays of one signed payment are accepted exactly once', async () => {
    const headers = paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, async () => {
        const r = await handler.reserve(headers, METHOD);
        await handler.commit(r);
        return r.priceCogs;
      }),
    );
    const accepted = results.filter((r) => r.status === 'fulfilled');
    assert.equal(accepted.length, 1);
    for (const r of results) if (r.status === 'rejected') assert.match((r.reason as SnetError).code, /PAYMENT_CONCURRENT_CALL|PAYMENT_AMOUNT_MISMATCH/);
    // Sequential replays after the commit are refused too.
    await assert.rejects(handler.reserve(headers, METHOD), { code: 'PAYMENT_AMOUNT_MISMATCH' });
  });

  it('behavior: two replicas sharing one store accept each signed payment once and the books add up', async () => {
    const other = createEscrowPaymentHandler(
      {
        repository: createChannelRepository({ store, chain, now: () => clock }, { mpePrefix: `snetd-ts/1/local/org/G=/${MPE}`, groupId: GROUP, recipient: RECIPIENT }),
        chain,
        recoverer: createSignatureRecoverer(),
        logger: createSilentLogger(),
        now: () => clock,
      },
      { mpeAddress: MPE, expirationThresholdBlocks: THRESHOLD, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) },
    );
    let books = 0n;
    for (let amount = 10n; amount <= 100n; amount += 10n) {
      const headers = paymentHeaders({ channelId: 1n, nonce: 0n, amount });
      const outcomes = await Promise.allSettled(
        [handler, other, handler, other].map(async (h) => {
          const r = await h.reserve(headers, METHOD);
          await h.commit(r);
          return r.priceCogs;
        }),
      );
      const ok = outcomes.filter((o): o is PromiseFulfilledResult<bigint> => o.status === 'fulfilled');
      assert.equal(ok.length, 1, `amount ${amount} accepted once`);
      books += ok[0]?.value ?? 0n;
    }
    assert.equal(books, 100n);
    assert.equal((await repository.readStored(1n))?.state.authorizedAmount, 100n);
  });

  it('behavior: a record changed by another replica is re-read before refusing (no stale cache answers)', async () => {
    const other = createEscrowPaymentHandler(
      {
        repository: createChannelRepository({ store, chain, now: () => clock }, { mpePrefix: `snetd-ts/1/local/org/G=/${MPE}`, groupId: GROUP, recipient: RECIPIENT }),
        chain,
        recoverer: createSignatureRecoverer(),
        logger: createSilentLogger(),
        now: () => clock,
      },
      { mpeAddress: MPE, expirationThresholdBlocks: THRESHOLD, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }) },
    );
    await pay(10n); // this replica now has the record cached
    await other.commit(await other.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 20n }), METHOD));
    // From the cached record 30 would be "income 20"; the store says 20 is authorised, so 30 is right.
    await pay(30n);
    // And a replay of 20 here is refused from what the store holds.
    await assert.rejects(handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 20n }), METHOD), { code: 'PAYMENT_AMOUNT_MISMATCH', message: 'income -10 does not equal to price 10' });
  });

  it('behavior: an expired reservation (crashed daemon) frees the channel and counts as accepted', async () => {
    await pay(10n);
    // What a daemon killed between its reservation and its commit leaves behind: amount 20 reserved.
    const stored = await repository.readStored(1n);
    assert.ok(stored !== undefined);
    const signature = signMessage(CLIENT_KEY, buildClaimMessage({ mpeAddress: MPE, channelId: 1n, nonce: 0n, amount: 20n }));
    await store.put(
      repository.channelKey(1n),
      encodeChannelState({
        ...stored.state,
        authorizedAmount: 20n,
        signature,
        pending: { previousAmount: 10n, previousSignature: stored.state.signature, leaseUntilMs: clock + 1000, owner: 'abc' },
      }),
    );
    await rejects(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 30n }), 'PAYMENT_CONCURRENT_CALL', 'another transaction on channel: {ID: 1} is in progress');
    clock += 1001;
    // The lease ended: the reserved 20 counts as accepted, so the next payment is 30, not 20.
    await assert.rejects(handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 20n }), METHOD), { code: 'PAYMENT_AMOUNT_MISMATCH' });
    await pay(30n);
    assert.equal((await repository.readStored(1n))?.state.authorizedAmount, 30n);
  });

  it('behavior: a call longer than the lease renews its reservation', async () => {
    build(30);
    const r = await handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n }), METHOD);
    const first = (await repository.readStored(1n))?.state.pending?.leaseUntilMs;
    clock += 25;
    // Wait for a renewal write (event-driven: poll the store between timer turns, no fixed sleep assertion).
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const lease = (await repository.readStored(1n))?.state.pending?.leaseUntilMs;
      if (lease !== undefined && first !== undefined && lease > first) break;
    }
    await handler.commit(r);
    assert.equal((await repository.readStored(1n))?.state.pending, undefined);
  });

  it('behavior: the lease sweeper renews only calls older than a third of the lease; finished ones are left alone', async () => {
    build(30);
    openChannel(chain, 2n);
    openChannel(chain, 3n);
    const finished = await handler.reserve(paymentHeaders({ channelId: 2n, nonce: 0n, amount: 10n }), METHOD);
    await handler.commit(finished);
    const finishedBytes = await store.get(repository.channelKey(2n));
    const long = await handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n }), METHOD);
    const longLease = (await repository.readStored(1n))?.state.pending?.leaseUntilMs;
    clock += 11; // past a third of the 30 ms lease for `long`
    const young = await handler.reserve(paymentHeaders({ channelId: 3n, nonce: 0n, amount: 10n }), METHOD);
    const youngBytes = await store.get(repository.channelKey(3n));
    // Wait for the sweep that renews `long` (event-driven: poll the store between timer turns).
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const lease = (await repository.readStored(1n))?.state.pending?.leaseUntilMs;
      if (lease !== undefined && longLease !== undefined && lease > longLease) break;
    }
    assert.deepEqual(await store.get(repository.channelKey(2n)), finishedBytes, 'a committed call is never renewed');
    assert.deepEqual(await store.get(repository.channelKey(3n)), youngBytes, 'a call younger than a third of the lease is not renewed');
    // The renewed reservation still commits (its CAS expects the renewed bytes).
    await handler.commit(long);
    await handler.commit(young);
    assert.equal((await repository.readStored(1n))?.state.pending, undefined);
    assert.equal((await repository.readStored(1n))?.state.authorizedAmount, 10n);
    assert.equal((await repository.readStored(3n))?.state.pending, undefined);
    handler.close();
  });

  it('behavior: a reservation keeps being renewed after a chain event rewrote its record (funds added mid-call)', async () => {
    const warnings: string[] = [];
    const logger = { ...createSilentLogger(), warn: (_obj: object, msg?: string) => void warnings.push(msg ?? ''), child: () => logger };
    repository = createChannelRepository({ store, chain, now: () => clock }, { mpePrefix: `snetd-ts/1/local/org/G=/${MPE}`, groupId: GROUP, recipient: RECIPIENT });
    handler = createEscrowPaymentHandler(
      { repository, chain, recoverer: createSignatureRecoverer(), logger, now: () => clock },
      { mpeAddress: MPE, expirationThresholdBlocks: THRESHOLD, priceOf: createPriceResolver({ priceModel: 'fixed_price', priceInCogs: PRICE }), leaseMs: 30 },
    );
    const r = await handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n }), METHOD);
    const first = (await repository.readStored(1n))?.state.pending?.leaseUntilMs;
    // ChannelAddFunds while the call runs: the event handler stores the new value, keeping the reservation.
    openChannel(chain, 1n, { value: 5000n });
    await repository.refreshFromChain(1n);
    assert.equal((await repository.readStored(1n))?.state.fullAmount, 5000n);
    clock += 25;
    // Wait for the sweep's outcome (event-driven): a renewed lease, or the renewal giving up.
    let lease: number | undefined;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      lease = (await repository.readStored(1n))?.state.pending?.leaseUntilMs;
      if ((lease !== undefined && first !== undefined && lease > first) || warnings.length > 0) break;
    }
    assert.deepEqual(warnings, [], 'the renewal must not give up on a reservation that is still ours');
    assert.ok(lease !== undefined && first !== undefined && lease > first, 'the lease was renewed');
    await handler.commit(r);
    const stored = (await repository.readStored(1n))?.state;
    assert.equal(stored?.pending, undefined);
    assert.equal(stored?.authorizedAmount, 10n);
    assert.equal(stored?.fullAmount, 5000n, 'the renewal and the commit keep the refreshed channel value');
    handler.close();
  });

  it('behavior: after close() (sweeper stopped) calls still reserve and commit', async () => {
    build(30);
    handler.close();
    const r = await handler.reserve(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 10n }), METHOD);
    await handler.commit(r);
    assert.equal((await repository.readStored(1n))?.state.authorizedAmount, 10n);
  });

  it('error: a reservation object not made by the handler is refused', async () => {
    await assert.rejects(async () => handler.commit({ type: 'escrow', channelId: 1n, nonce: 0n, amount: 10n, priceCogs: 10n, userAddress: CLIENT }), TypeError);
  });

  it('behavior: a claim advances the nonce; the client continues at nonce+1 with amount = price', async () => {
    await pay(10n);
    await pay(20n);
    const claim = await repository.startClaim(1n);
    assert.deepEqual([claim.nonce, claim.amount], [0n, 20n]);
    const stored = decodeChannelState((await store.get(repository.channelKey(1n))) ?? new Uint8Array());
    assert.deepEqual([stored.nonce, stored.fullAmount, stored.authorizedAmount], [1n, 980n, 0n]);
    await rejects(paymentHeaders({ channelId: 1n, nonce: 0n, amount: 30n }), 'PAYMENT_NONCE_MISMATCH', 'incorrect payment channel nonce, latest: 1, sent: 0');
    await pay(10n, 1n);
    // The claim lands on chain: nonce 1, value 980; the stored record and the chain agree.
    openChannel(chain, 1n, { nonce: 1n, value: 980n });
    await repository.removeClaimedPayments();
    assert.equal((await repository.listClaims()).length, 0);
    await pay(20n, 1n);
  });
});
