import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { buildStoragePrefixes, createMemoryStore, type AtomicStore } from '../../storage/index.ts';
import { decodeChannelState, decodeClaimRecord, encodeChannelState, type ChannelState } from '../escrow/channel-state.ts';
import { channelKeyLayout } from './go-channel-keys.ts';
import { channelToGo } from './go-channel-mapping.ts';
import { exportChannelsToGo, importChannelsFromGo, type GoMigrationOptions } from './go-migration.ts';
import { goPaymentChannelDataCodec, goPaymentCodec } from './go-values.ts';

const identity = { network: 'sepolia', organizationId: 'my-org', groupIdBase64: 'EoFmN3nvaXpf6ew8jJbIPVghE5NXfYupFF7PkRmVyGQ=', mpeAddress: '0x5e592F9b1d303183d963635f895f0f0C48284f4e' };
const goMpe = buildStoragePrefixes({ ...identity, root: '' }).mpe;
const ourMpe = buildStoragePrefixes(identity).mpe;
const goKeys = channelKeyLayout(goMpe);
const ourKeys = channelKeyLayout(ourMpe);
const options: GoMigrationOptions = { goMpePrefix: goMpe, mpePrefix: ourMpe, now: () => 1_000_000 };

const channel = (id: bigint, nonce: bigint, amount: bigint): ChannelState => ({
  channelId: id,
  nonce,
  sender: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  signer: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
  recipient: '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF',
  groupId: `0x${'12'.repeat(32)}`,
  fullAmount: 10_000n,
  expiration: 99_999n,
  authorizedAmount: amount,
  signature: amount === 0n ? undefined : new Uint8Array(65).fill(Number(amount % 200n) + 1),
  pending: undefined,
});

const putGo = (store: AtomicStore, state: ChannelState): Promise<void> => store.put(goKeys.channelKey(state.channelId), goPaymentChannelDataCodec.encode(channelToGo(state)));
const putOurs = (store: AtomicStore, state: ChannelState): Promise<void> => store.put(ourKeys.channelKey(state.channelId), encodeChannelState(state));
const readOurs = async (store: AtomicStore, id: bigint): Promise<ChannelState | undefined> => {
  const bytes = await store.get(ourKeys.channelKey(id));
  return bytes === undefined ? undefined : decodeChannelState(bytes);
};

void describe('importChannelsFromGo()', () => {
  let goStore: AtomicStore;
  let store: AtomicStore;
  beforeEach(() => {
    goStore = createMemoryStore();
    store = createMemoryStore();
  });

  void it('copies channels and claims in progress, and a rerun changes nothing', async () => {
    await putGo(goStore, channel(1n, 0n, 120n));
    await putGo(goStore, channel(2n, 3n, 0n));
    await goStore.put(goKeys.claimKey(2n, 2n), goPaymentCodec.encode({ mpeContractAddress: new Uint8Array(20), channelId: 2n, channelNonce: 2n, amount: 700n, signature: new Uint8Array(65).fill(4) }));
    await goStore.put(goKeys.lockKey(1n), new TextEncoder().encode('unlocked'));

    const report = await importChannelsFromGo(goStore, store, options);
    assert.deepEqual(report.channels.map((c) => [c.channelId, c.action]), [[1n, 'copied'], [2n, 'copied']]);
    assert.deepEqual(report.claims.map((c) => [c.channelId, c.nonce, c.action]), [[2n, 2n, 'copied']]);
    assert.equal(report.unclaimedCogs, 120n);
    assert.equal(report.claimCogs, 700n);
    assert.deepEqual(await readOurs(store, 1n), channel(1n, 0n, 120n));
    assert.deepEqual(await readOurs(store, 2n), channel(2n, 3n, 0n));
    const claim = await store.get(ourKeys.claimKey(2n, 2n));
    assert.ok(claim !== undefined);
    assert.deepEqual(decodeClaimRecord(claim), { channelId: 2n, nonce: 2n, amount: 700n, signature: new Uint8Array(65).fill(4) });

    const again = await importChannelsFromGo(goStore, store, options);
    assert.deepEqual(again.channels.map((c) => c.action), ['unchanged', 'unchanged']);
    assert.deepEqual(again.claims.map((c) => c.action), ['unchanged']);
    assert.equal(again.unclaimedCogs, 120n);
  });

  void it('never overwrites a newer state, updates an older one, and reports a different claim as a conflict', async () => {
    await putGo(goStore, channel(1n, 0n, 100n));
    await putGo(goStore, channel(2n, 0n, 100n));
    await putGo(goStore, channel(3n, 1n, 5n));
    await putOurs(store, channel(1n, 0n, 130n)); // snetd-ts served more calls since: keep
    await putOurs(store, channel(2n, 0n, 40n)); // older: update
    await putOurs(store, channel(3n, 2n, 0n)); // later nonce: keep
    await goStore.put(goKeys.claimKey(9n, 0n), goPaymentCodec.encode({ mpeContractAddress: new Uint8Array(20), channelId: 9n, channelNonce: 0n, amount: 10n, signature: new Uint8Array(65) }));
    await store.put(ourKeys.claimKey(9n, 0n), new TextEncoder().encode('{"v":1,"channelId":"9","nonce":"0","amount":"11","signature":"0x00"}'));

    const report = await importChannelsFromGo(goStore, store, options);
    assert.deepEqual(report.channels.map((c) => [c.channelId, c.action]), [[1n, 'kept-newer'], [2n, 'updated'], [3n, 'kept-newer']]);
    assert.equal(report.channels[0]?.targetAmount, 130n);
    assert.equal((await readOurs(store, 1n))?.authorizedAmount, 130n);
    assert.equal((await readOurs(store, 2n))?.authorizedAmount, 100n);
    assert.equal((await readOurs(store, 3n))?.nonce, 2n);
    assert.equal(report.claims[0]?.action, 'conflict');
    assert.equal(report.unclaimedCogs, 100n);
  });

  void it('skips a channel whose Go lock is "locked" unless told otherwise; a dry run writes nothing', async () => {
    await putGo(goStore, channel(5n, 0n, 50n));
    await goStore.put(goKeys.lockKey(5n), new TextEncoder().encode('locked'));
    const skipped = await importChannelsFromGo(goStore, store, options);
    assert.equal(skipped.channels[0]?.action, 'skipped-locked');
    assert.equal(await readOurs(store, 5n), undefined);

    const dry = await importChannelsFromGo(goStore, store, { ...options, includeLocked: true, dryRun: true });
    assert.equal(dry.channels[0]?.action, 'copied');
    assert.equal(await readOurs(store, 5n), undefined);

    await importChannelsFromGo(goStore, store, { ...options, includeLocked: true });
    assert.equal((await readOurs(store, 5n))?.authorizedAmount, 50n);
  });

  void it('reports an unreadable Go value and carries on with the others', async () => {
    await goStore.put(goKeys.channelKey(1n), new Uint8Array([1, 2, 3]));
    await goStore.put(goKeys.channelKey(2n), goPaymentChannelDataCodec.encode(channelToGo(channel(3n, 0n, 1n)))); // names channel 3
    await putGo(goStore, channel(4n, 0n, 9n));
    const report = await importChannelsFromGo(goStore, store, options);
    assert.deepEqual(report.channels.map((c) => [c.channelId, c.action]), [[1n, 'unreadable'], [2n, 'unreadable'], [4n, 'copied']]);
    assert.match(report.channels[1]?.detail ?? '', /is channel 3/);
  });

  void it('skips a channel with a live reservation of ours; an expired one counts as accepted', async () => {
    await putGo(goStore, channel(1n, 0n, 10n));
    await putOurs(store, { ...channel(1n, 0n, 5n), pending: { previousAmount: 0n, previousSignature: undefined, leaseUntilMs: 2_000_000, owner: 'ab' } });
    assert.equal((await importChannelsFromGo(goStore, store, options)).channels[0]?.action, 'skipped-in-flight');
    const expired = await importChannelsFromGo(goStore, store, { ...options, now: () => 3_000_000 });
    assert.equal(expired.channels[0]?.action, 'updated');
  });

  void it('reports a record that changed between read and write', async () => {
    await putGo(goStore, channel(1n, 0n, 10n));
    const racing: AtomicStore = {
      ...store,
      get: async (key, callOptions) => {
        const value = await store.get(key, callOptions);
        await putOurs(store, channel(1n, 0n, 1n)); // another writer gets in after our read
        return value;
      },
    };
    assert.equal((await importChannelsFromGo(goStore, racing, options)).channels[0]?.action, 'changed-meanwhile');
    assert.equal((await readOurs(store, 1n))?.authorizedAmount, 1n);
  });
});

void describe('exportChannelsToGo()', () => {
  void it('writes our channels and claims as the Go daemon stores them; import of the result is unchanged', async () => {
    const goStore = createMemoryStore();
    const store = createMemoryStore();
    await putOurs(store, channel(1n, 2n, 300n));
    await putOurs(store, { ...channel(2n, 0n, 80n), pending: { previousAmount: 60n, previousSignature: undefined, leaseUntilMs: 2_000_000, owner: 'ab' } });
    await putOurs(store, { ...channel(3n, 0n, 90n), pending: { previousAmount: 70n, previousSignature: undefined, leaseUntilMs: 500, owner: 'ab' } });
    await store.put(ourKeys.claimKey(1n, 1n), new TextEncoder().encode('{"v":1,"channelId":"1","nonce":"1","amount":"50","signature":"0x0102"}'));
    await goStore.put(goKeys.lockKey(1n), new TextEncoder().encode('unlocked'));

    const report = await exportChannelsToGo(store, goStore, options);
    assert.deepEqual(report.channels.map((c) => [c.channelId, c.action]), [[1n, 'copied'], [2n, 'skipped-in-flight'], [3n, 'copied']]);
    assert.equal(report.unclaimedCogs, 390n);
    const go1 = await goStore.get(goKeys.channelKey(1n));
    assert.ok(go1 !== undefined);
    assert.deepEqual(goPaymentChannelDataCodec.decode(go1), channelToGo(channel(1n, 2n, 300n)));
    const go3 = await goStore.get(goKeys.channelKey(3n));
    assert.equal(go3 === undefined ? undefined : goPaymentChannelDataCodec.decode(go3).authorizedAmount, 90n);
    const claim = await goStore.get(goKeys.claimKey(1n, 1n));
    assert.ok(claim !== undefined);
    assert.deepEqual(goPaymentCodec.decode(claim), { mpeContractAddress: new Uint8Array(20), channelId: 1n, channelNonce: 1n, amount: 50n, signature: new Uint8Array([1, 2]) });

    const back = await importChannelsFromGo(goStore, store, options);
    assert.deepEqual(back.channels.map((c) => c.action), ['unchanged', 'unchanged']);
    assert.deepEqual(back.claims.map((c) => c.action), ['unchanged']);
  });

  void it('leaves a channel alone while a Go replica holds its lock, and never lowers a newer Go state', async () => {
    const goStore = createMemoryStore();
    const store = createMemoryStore();
    await putOurs(store, channel(1n, 0n, 40n));
    await putOurs(store, channel(2n, 0n, 40n));
    await putGo(goStore, channel(2n, 0n, 60n)); // the Go side served more since the last import
    await goStore.put(goKeys.lockKey(1n), new TextEncoder().encode('locked'));
    const report = await exportChannelsToGo(store, goStore, options);
    assert.deepEqual(report.channels.map((c) => [c.channelId, c.action]), [[1n, 'skipped-locked'], [2n, 'kept-newer']]);
    assert.equal(await goStore.get(goKeys.channelKey(1n)), undefined);
    const go2 = await goStore.get(goKeys.channelKey(2n));
    assert.equal(go2 === undefined ? undefined : goPaymentChannelDataCodec.decode(go2).authorizedAmount, 60n);
  });
});
