// The Go-format channel repository (mixed fleets) on a real etcd: each CAS the escrow handler makes maps onto the
// reference's lock protocol (reserve = Go lock + reserved gob value in one transaction, commit = unlock, release =
// base value back + unlock), a Go replica's lock reads as a call in flight, our locks vanish with our lease and
// leave the reserved payment charged, a lock lost mid-call counts nothing twice, and the claim / refresh / unlock
// paths write gob values under the Go lock.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { channelToGo, createGoChannelRepository, encodeChannelState, encodeGoChannel, goPaymentChannelDataCodec, goPaymentCodec, type ChainChannelView, type ChannelRepository, type ChannelState } from '../../src/payments/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { createEtcdStore, createReferenceLocks, type AtomicStore, type ReferenceLocks } from '../../src/storage/index.ts';
import { startEtcd, type TestEtcd } from '../harness/etcd.ts';
import { createGoReplica, type GoReplica } from '../harness/go-replica.ts';

const SENDER = '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23';
const RECIPIENT = '0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF';
const GROUP_HEX = `0x${'07'.repeat(32)}`;
const MPE_PREFIX = 'local/org/Bwc=/0x5e592F9b1d303183d963635f895f0f0C48284f4e';

const state = (overrides: Partial<ChannelState> = {}): ChannelState => ({
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

const reserved = (from: ChannelState, amount: bigint, owner: string): ChannelState => ({
  ...from,
  authorizedAmount: amount,
  signature: new Uint8Array(65).fill(2),
  pending: { previousAmount: from.authorizedAmount, previousSignature: from.signature, leaseUntilMs: Date.now() + 30_000, owner },
});

void describe('createGoChannelRepository() on a real etcd', () => {
  let etcd: TestEtcd;
  let store: AtomicStore;
  let raw: Etcd3;
  let locks: ReferenceLocks;
  let repository: ChannelRepository;
  let goReplica: GoReplica;
  const chain = new Map<bigint, ChainChannelView>();
  let run = 0;
  let prefix = MPE_PREFIX;
  const channelKey = (): string => `${prefix}//payment-channel/storage/{ID: 9}`;
  const lockKey = (): string => `${prefix}//payment-channel/lock/{ID: 9}`;
  const lockEntry = async (): Promise<{ value: string; lease: string } | undefined> => {
    const kv = (await raw.kv.range({ key: Buffer.from(lockKey()) })).kvs[0];
    return kv === undefined ? undefined : { value: kv.value.toString(), lease: String(kv.lease) };
  };

  before(async () => {
    etcd = await startEtcd();
    store = await createEtcdStore({ endpoints: [etcd.endpoint], logger: createSilentLogger() });
    raw = new Etcd3({ hosts: [etcd.endpoint] });
  });

  beforeEach(async () => {
    // A fresh prefix per test: no state leaks between them.
    prefix = `${MPE_PREFIX}${run++}`;
    chain.clear();
    await locks?.close();
    goReplica?.close();
    locks = createReferenceLocks({ endpoints: [etcd.endpoint], logger: createSilentLogger(), ttlMs: 2000 });
    repository = createGoChannelRepository(
      { store, locks, logger: createSilentLogger(), chain: { getChannel: (id) => Promise.resolve(chain.get(id)), getBlockNumber: () => Promise.resolve(1n) } },
      { mpePrefix: prefix, groupId: new Uint8Array(32).fill(7), recipient: RECIPIENT },
    );
    goReplica = createGoReplica(etcd.endpoint, prefix);
  });

  after(async () => {
    await locks.close();
    goReplica.close();
    raw.close();
    await store.close();
    await etcd.stop();
  });

  void it('behavior: reserve takes the Go lock on our lease and writes the reserved gob value in one step; commit only unlocks', async () => {
    const before = state();
    await store.put(channelKey(), encodeGoChannel(before));
    const read = await repository.readStored(9n);
    assert.deepEqual(read?.state, before);

    const next = reserved(before, 55n, 'aa01');
    assert.equal(await repository.casChannelKey(channelKey(), read?.bytes, encodeChannelState(next)), true);
    const lock = await lockEntry();
    assert.equal(lock?.value, 'locked');
    assert.notEqual(lock?.lease, '0', 'our lock key is attached to a lease');
    assert.deepEqual((await repository.readStored(9n))?.state, next, 'we see our own reservation');
    assert.equal(await goReplica.pay(9n, 3n, 55n, new Uint8Array(65), 5n), 'busy', 'a Go replica sees the channel locked');
    const charged = await goReplica.channel(9n);
    assert.equal(charged?.authorizedAmount, 55n, 'the reserved payment is in the gob value while the call runs');
    assert.deepEqual(charged?.signature, new Uint8Array(65).fill(2));
    const reservedRevision = (await store.getEntry(channelKey()))?.version;

    // Lease renewal of the handler: nothing to write.
    const renewed: ChannelState = { ...next, pending: { ...(next.pending as NonNullable<ChannelState['pending']>), leaseUntilMs: Date.now() + 60_000 } };
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(next), encodeChannelState(renewed)), true);

    const committed: ChannelState = { ...renewed, pending: undefined };
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(renewed), encodeChannelState(committed)), true);
    assert.equal(await lockEntry(), undefined, 'unlocked');
    assert.equal((await store.getEntry(channelKey()))?.version, reservedRevision, 'the commit rewrote nothing');
    const stored = await goReplica.channel(9n);
    assert.equal(stored?.authorizedAmount, 55n);
    assert.deepEqual(stored?.signature, new Uint8Array(65).fill(2));
    assert.equal(await goReplica.pay(9n, 3n, 60n, new Uint8Array(65).fill(3), 5n), 'accepted', 'a Go replica continues the channel');
    assert.equal(await lockEntry().then((l) => l?.value), 'unlocked');
    assert.equal((await repository.readStored(9n))?.state.authorizedAmount, 60n);
  });

  void it('behavior: release puts the base value back (a refund); a reserve from a stale view or on a Go-held lock changes nothing', async () => {
    const before = state();
    await store.put(channelKey(), encodeGoChannel(before));
    const next = reserved(before, 55n, 'bb01');
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(before), encodeChannelState(next)), true);
    assert.equal((await goReplica.channel(9n))?.authorizedAmount, 55n);
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(next), encodeChannelState(before)), true);
    assert.equal(await lockEntry(), undefined);
    assert.deepEqual(await store.get(channelKey()), encodeGoChannel(before), 'the base value is back byte for byte');

    // A Go replica accepted a payment meanwhile: our view (authorised 50) is stale.
    assert.equal(await goReplica.pay(9n, 3n, 55n, new Uint8Array(65).fill(3), 5n), 'accepted');
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(before), encodeChannelState(reserved(before, 55n, 'bb02'))), false);
    assert.deepEqual(await lockEntry(), { value: 'unlocked', lease: '0' }, 'the Go replica\'s unlocked key is untouched: no lock was taken');
    assert.equal((await goReplica.channel(9n))?.authorizedAmount, 55n);

    // A Go replica holds the lock: a call in flight that never expires by itself, and a reserve fails.
    await raw.put(lockKey()).value('locked');
    const held = await repository.readStored(9n);
    assert.equal(held?.state.pending?.owner, '0');
    assert.equal(held?.state.pending?.leaseUntilMs, Number.MAX_SAFE_INTEGER);
    const fresh = state({ authorizedAmount: 55n, signature: new Uint8Array(65).fill(3) });
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(fresh), encodeChannelState(reserved(fresh, 60n, 'bb03'))), false);
    assert.equal(await lockEntry().then((l) => l?.value), 'locked', 'the Go lock is untouched');
    // The operator's unlock (Go `snetd channel --unlock`) deletes it.
    assert.equal(await repository.unlock(9n), true);
    assert.equal(await repository.unlock(9n), false);
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(fresh), encodeChannelState(reserved(fresh, 60n, 'bb04'))), true);
  });

  void it('behavior: a first-seen channel is created with the lock; a crash keeps the charge and our lock vanishes with our lease', async () => {
    const first = state({ authorizedAmount: 0n, signature: undefined });
    assert.equal(await repository.readStored(9n), undefined);
    const next = reserved(first, 5n, 'cc01');
    assert.equal(await repository.casChannelKey(channelKey(), undefined, encodeChannelState(next)), true);
    assert.equal(await goReplica.pay(9n, 3n, 5n, new Uint8Array(65), 5n), 'busy');
    // This process stops mid-call (lease revoked): the lock is gone, the reserved payment stays charged.
    await locks.close();
    assert.equal(await lockEntry(), undefined);
    assert.equal((await goReplica.channel(9n))?.authorizedAmount, 5n);
    assert.equal(await goReplica.pay(9n, 3n, 5n, new Uint8Array(65).fill(4), 5n), 'wrong-price', 'the same amount again pays nothing');
    assert.equal(await goReplica.pay(9n, 3n, 10n, new Uint8Array(65).fill(4), 5n), 'accepted');
  });

  void it('behavior: a lock lost mid-call (lease ended) makes commit and release write nothing; nothing is counted twice', async () => {
    const before = state();
    await store.put(channelKey(), encodeGoChannel(before));
    const first = reserved(before, 55n, 'ee01');
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(before), encodeChannelState(first)), true);
    // The lock key vanishes as after a lost lease; a Go replica continues from the charged value.
    await raw.delete().key(lockKey());
    assert.equal(await goReplica.pay(9n, 3n, 55n, new Uint8Array(65).fill(3), 5n), 'wrong-price');
    assert.equal(await goReplica.pay(9n, 3n, 60n, new Uint8Array(65).fill(3), 5n), 'accepted');
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(first), encodeChannelState({ ...first, pending: undefined })), false);
    assert.equal((await goReplica.channel(9n))?.authorizedAmount, 60n, 'the commit did not overwrite the Go replica\'s payment');

    // Same for a release (a refund): it cannot undo a payment it no longer owns.
    const current = state({ authorizedAmount: 60n, signature: new Uint8Array(65).fill(3) });
    const second = reserved(current, 65n, 'ee02');
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(current), encodeChannelState(second)), true);
    await raw.delete().key(lockKey());
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(second), encodeChannelState(current)), false);
    assert.equal((await goReplica.channel(9n))?.authorizedAmount, 65n, 'the charge stays');
    assert.equal(await lockEntry(), undefined);
  });

  void it('behavior: a Go-written value with other gob bytes for the same state is reserved on a second try', async () => {
    const before = state();
    // No ChannelID field: the same channel state, other bytes than our encoding.
    const goBytes = goPaymentChannelDataCodec.encode({ ...channelToGo(before), channelId: undefined });
    assert.notDeepEqual(goBytes, encodeGoChannel(before));
    await store.put(channelKey(), goBytes);
    await raw.put(lockKey()).value('unlocked');
    const read = await repository.readStored(9n);
    assert.deepEqual(read?.state, before);
    const next = reserved(before, 55n, 'ff01');
    assert.equal(await repository.casChannelKey(channelKey(), read?.bytes, encodeChannelState(next)), true);
    assert.equal(await lockEntry().then((l) => l?.value), 'locked');
    assert.equal((await goReplica.channel(9n))?.authorizedAmount, 55n);
    assert.equal(await repository.casChannelKey(channelKey(), encodeChannelState(next), encodeChannelState(before)), true);
    assert.deepEqual(await store.get(channelKey()), encodeGoChannel(before), 'released: the base state is back (in our bytes)');
  });

  void it('behavior: releaseOrphan after an unknown-outcome lockAndPut puts the previous value back with the lock', async () => {
    const before = encodeGoChannel(state());
    const charged = encodeGoChannel(state({ authorizedAmount: 55n }));
    await store.put(channelKey(), before);
    const outcome = await locks.lockAndPut(lockKey(), channelKey(), before, charged);
    assert.equal(outcome.ok, true);
    assert.deepEqual(await store.get(channelKey()), charged);
    assert.equal(await locks.releaseOrphan(lockKey(), { valueKey: channelKey(), written: charged, previous: before }), true);
    assert.equal(await lockEntry(), undefined);
    assert.deepEqual(await store.get(channelKey()), before);
    // A refused lockAndPut writes nothing and says why.
    await raw.put(lockKey()).value('locked');
    const busy = await locks.lockAndPut(lockKey(), channelKey(), before, charged);
    assert.equal(busy.ok, false);
    assert.equal(busy.ok ? undefined : busy.read.lock?.value, 'locked');
    assert.deepEqual(await store.get(channelKey()), before);
  });

  void it('behavior: StartClaim moves the gob value to the next nonce and writes the gob claim; refresh and list read gob', async () => {
    const before = state({ authorizedAmount: 70n });
    chain.set(9n, { nonce: 3n, sender: SENDER, signer: SENDER, recipient: RECIPIENT, groupId: GROUP_HEX, value: 1000n, expiration: 6000n });
    await store.put(channelKey(), encodeGoChannel(before));
    await repository.refreshFromChain(9n);
    assert.equal((await goReplica.channel(9n))?.fullAmount, 1000n, 'chain funds and expiry stored');
    assert.equal((await goReplica.channel(9n))?.expiration, 6000n);

    const claim = await repository.startClaim(9n);
    assert.equal(claim.amount, 70n);
    assert.equal(claim.nonce, 3n);
    const after = await goReplica.channel(9n);
    assert.equal(after?.nonce, 4n);
    assert.equal(after?.authorizedAmount ?? 0n, 0n);
    assert.equal(after?.fullAmount, 930n);
    const claimBytes = await store.get(`${prefix}//payment/storage/9/3`);
    assert.equal(goPaymentCodec.decode(claimBytes as Uint8Array).amount, 70n);
    assert.deepEqual((await repository.listClaims()).map((c) => c.amount), [70n]);
    assert.equal((await repository.getClaim(9n, 3n))?.amount, 70n);
    assert.deepEqual((await repository.listChannels()).map((c) => c.nonce), [4n]);
    assert.equal(await lockEntry(), undefined);

    await raw.put(lockKey()).value('locked');
    await assert.rejects(repository.startClaim(9n), /another transaction on channel: \{ID: 9\} is in progress|authorized amount is zero/);
  });

  void it('behavior: an unreadable gob value is refused and leaves no lock behind', async () => {
    await store.put(channelKey(), new Uint8Array([1, 2, 3]));
    await assert.rejects(repository.readStored(9n), (err: Error & { code?: string }) => err.code === 'STORAGE_GO_FORMAT_INVALID');
    const first = state();
    await assert.rejects(repository.casChannelKey(channelKey(), encodeChannelState(first), encodeChannelState(reserved(first, 55n, 'dd01'))));
    assert.equal(await lockEntry(), undefined);
  });
});
