import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createMemoryStore, type AtomicStore } from '../../storage/index.ts';
import { createChannelRepository, type ChannelRepository } from './channel-repository.ts';
import { encodeChannelState, type ChainChannelView, type ChannelState } from './channel-state.ts';

const SENDER = '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23';
const RECIPIENT = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const GROUP_HEX = `0x${'07'.repeat(32)}`;

const chainView = (overrides: Partial<ChainChannelView> = {}): ChainChannelView => ({
  nonce: 3n,
  sender: SENDER,
  signer: SENDER,
  recipient: RECIPIENT,
  groupId: GROUP_HEX,
  value: 1000n,
  expiration: 5000n,
  ...overrides,
});

const storedState = (overrides: Partial<ChannelState> = {}): ChannelState => ({
  channelId: 9n,
  nonce: 3n,
  sender: SENDER,
  signer: SENDER,
  recipient: RECIPIENT,
  groupId: GROUP_HEX,
  fullAmount: 900n,
  expiration: 4000n,
  authorizedAmount: 50n,
  signature: new Uint8Array(65).fill(1),
  pending: undefined,
  ...overrides,
});

describe('createChannelRepository()', () => {
  let store: AtomicStore;
  let chain: Map<bigint, ChainChannelView>;
  let repository: ChannelRepository;

  beforeEach(() => {
    store = createMemoryStore();
    chain = new Map();
    repository = createChannelRepository(
      { store, chain: { getChannel: (id) => Promise.resolve(chain.get(id)), getBlockNumber: () => Promise.resolve(1n) } },
      { mpePrefix: 'snetd-ts/1/local/org/G=/0xMPE', groupId: new Uint8Array(32).fill(7), recipient: RECIPIENT },
    );
  });

  describe('merge() (Go MergeStorageAndBlockchainChannelState)', () => {
    it('behavior: nothing stored → the chain view with no authorisation', () => {
      const merged = repository.merge(9n, undefined, { ok: true, value: chainView() });
      assert.deepEqual([merged?.channelId, merged?.nonce, merged?.fullAmount, merged?.authorizedAmount, merged?.signature], [9n, 3n, 1000n, 0n, undefined]);
    });
    it('behavior: stored nonce ahead (claim started) → storage wins', () => {
      const s = storedState({ nonce: 4n });
      assert.equal(repository.merge(9n, s, { ok: true, value: chainView() }), s);
    });
    it('behavior: chain nonce ahead (claim landed, timeout) → the chain view, authorisation reset', () => {
      const merged = repository.merge(9n, storedState({ nonce: 2n }), { ok: true, value: chainView() });
      assert.deepEqual([merged?.nonce, merged?.authorizedAmount, merged?.fullAmount], [3n, 0n, 1000n]);
    });
    it('behavior: equal nonces → storage with the chain value and expiration (funds added, extended)', () => {
      const merged = repository.merge(9n, storedState(), { ok: true, value: chainView() });
      assert.deepEqual([merged?.authorizedAmount, merged?.fullAmount, merged?.expiration], [50n, 1000n, 5000n]);
    });
    it('behavior: stored and the chain failed or forgot the channel → storage', () => {
      const s = storedState();
      assert.equal(repository.merge(9n, s, { ok: false, error: new Error('down') }), s);
      assert.equal(repository.merge(9n, s, { ok: true, value: undefined }), s);
    });
    it('error: first-seen channel of another group, or a chain failure with nothing stored', () => {
      assert.throws(() => repository.merge(9n, undefined, { ok: true, value: chainView({ groupId: `0x${'08'.repeat(32)}` }) }), { code: 'PAYMENT_WRONG_GROUP' });
      assert.throws(() => repository.merge(9n, undefined, { ok: false, error: new Error('rpc down') }), { code: 'PAYMENT_CHANNEL_READ_FAILED', message: 'payment channel error: rpc down' });
      assert.equal(repository.merge(9n, undefined, { ok: true, value: undefined }), undefined);
    });
  });

  it('error: readChain refuses a channel paying someone else', async () => {
    chain.set(9n, chainView({ recipient: SENDER }));
    await assert.rejects(repository.readChain(9n), { code: 'PAYMENT_WRONG_RECIPIENT' });
  });

  it('behavior: refreshFromChain stores added funds and extensions of a stored channel, keeping a reservation', async () => {
    const pending = { previousAmount: 40n, previousSignature: undefined, leaseUntilMs: Date.now() + 60_000, owner: 'ab' };
    await store.put(repository.channelKey(9n), encodeChannelState(storedState({ pending })));
    chain.set(9n, chainView({ value: 2000n, expiration: 9000n }));
    await repository.refreshFromChain(9n);
    const after = await repository.readStored(9n);
    assert.deepEqual([after?.state.fullAmount, after?.state.expiration, after?.state.authorizedAmount, after?.state.pending], [2000n, 9000n, 50n, pending]);
    await repository.refreshFromChain(10n); // not stored: nothing to do
    assert.equal(await repository.readStored(10n), undefined);
  });

  it('behavior: unlock ends a reservation and keeps its amount', async () => {
    await store.put(repository.channelKey(9n), encodeChannelState(storedState({ pending: { previousAmount: 40n, previousSignature: undefined, leaseUntilMs: Date.now() + 60_000, owner: 'ab' } })));
    assert.equal(await repository.unlock(9n), true);
    assert.equal(await repository.unlock(9n), false);
    const after = await repository.readStored(9n);
    assert.deepEqual([after?.state.authorizedAmount, after?.state.pending], [50n, undefined]);
  });

  it('behavior: removeClaimedPayments keeps claims the chain has not passed and stops at an unknown channel', async () => {
    await store.put(repository.channelKey(9n), encodeChannelState(storedState()));
    chain.set(9n, chainView());
    const claim = await repository.startClaim(9n);
    assert.deepEqual([claim.nonce, claim.amount], [3n, 50n]);
    await repository.removeClaimedPayments();
    assert.equal((await repository.listClaims()).length, 1);
    chain.set(9n, chainView({ nonce: 4n }));
    await repository.removeClaimedPayments();
    assert.equal((await repository.listClaims()).length, 0);
  });
});
