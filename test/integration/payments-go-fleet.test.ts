// A mixed fleet on one real etcd (payment_channel_storage_format: go): two snetd-ts replicas in Go format and a
// "Go replica" (a test client doing the Go daemon's lock → read → CAS → unlock with gob values) serve one channel.
// Concurrent replays of each signed payment across all three are accepted exactly once and the gob value holds
// the sum of the accepted prices. A snetd-ts replica (a real `snetd serve` child) killed with SIGKILL while its
// service holds the call leaves a lock on its lease only: it vanishes after the TTL, the killed call stays paid
// (as in our own format) and the others continue; a service failure refunds the call.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildClaimMessage, signMessage, toChecksumAddress } from '../../src/blockchain/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { buildStoragePrefixes } from '../../src/storage/index.ts';
import { startEtcd, type TestEtcd } from '../harness/etcd.ts';
import { createGoReplica, type GoReplica } from '../harness/go-replica.ts';
import { startHoldingService } from '../harness/holding-service.ts';
import { createCalculatorClient, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';
import { startServeChild } from '../harness/serve-child.ts';
import { runCliInProcess } from '../harness/run-cli.ts';

const PRICE = 5n;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const LEASE = '2s';

void describe('a mixed fleet: snetd-ts replicas in Go format beside a Go replica on one etcd', () => {
  let net: DevNetwork;
  let etcd: TestEtcd;
  let replicas: PaidDaemon[] = [];
  let clients: ReturnType<typeof createCalculatorClient>[] = [];
  let goReplica: GoReplica;
  let overrides: Record<string, unknown>;

  const sign = (amount: bigint): Uint8Array => signMessage(net.client.privateKey, buildClaimMessage({ mpeAddress: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount }));
  const pay = (replica: number, amount: bigint): Promise<string> =>
    (clients[replica] as (typeof clients)[number])
      .call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount }))
      .then((r) => (r.error === undefined ? 'accepted' : r.error.details));
  const storedAmount = async (): Promise<bigint> => (await goReplica.channel(net.channel.id))?.authorizedAmount ?? 0n;

  before(async () => {
    [net, etcd] = await Promise.all([startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE }), startEtcd()]);
    overrides = {
      payment_channel_storage_type: 'etcd',
      'payment_channel_storage_client.endpoints': [etcd.endpoint],
      payment_channel_storage_format: 'go',
      payment_reservation_lease: LEASE,
      private_key_for_free_calls: '',
    };
    replicas = await Promise.all([startPaidDaemon(net, overrides), startPaidDaemon(net, overrides)]);
    clients = replicas.map((r) => createCalculatorClient(r.target, net.serviceProtoFile));
    const mpe = buildStoragePrefixes({ network: 'local', organizationId: net.orgId, groupIdBase64: net.groupId.base64, mpeAddress: toChecksumAddress(net.contracts.mpe), root: '' }).mpe;
    goReplica = createGoReplica(etcd.endpoint, mpe);
  });

  after(async () => {
    for (const client of clients) client.close();
    goReplica.close();
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([net.stop(), etcd.stop()]);
  });

  void it('behavior: free calls with the Go format are refused at start-up, naming the combination', async () => {
    await assert.rejects(startPaidDaemon(net, { ...overrides, private_key_for_free_calls: 'ab'.repeat(32) }), /payment_channel_storage_format go cannot be combined with free calls/);
    await assert.rejects(startPaidDaemon(net, { ...overrides, payment_channel_storage_type: 'embedded' }), /payment_channel_storage_format go needs etcd storage/);
  });

  void it('behavior: concurrent replays across two snetd-ts replicas and a Go replica are accepted once; the gob value is the sum', async () => {
    // The channel's first payment (a snetd-ts replica reads the chain and stores the gob value).
    assert.equal(await pay(0, PRICE), 'accepted');
    let books = PRICE;
    for (let i = 2n; i <= 6n; i++) {
      const amount = PRICE * i;
      const signature = sign(amount);
      const attempts: Array<Promise<string>> = [];
      for (let k = 0; k < 9; k++) {
        // The Go replica talks to etcd directly and wins a plain race; in odd rounds it starts a little later so
        // the snetd-ts replicas win some rounds too (either way the others are refused).
        const goDelayMs = i % 2n === 1n ? 5 * k : 0;
        attempts.push(k % 3 === 2 ? sleep(goDelayMs).then(() => goReplica.pay(net.channel.id, 0n, amount, signature, PRICE)) : pay(k % 3, amount));
      }
      const results = await Promise.all(attempts);
      const accepted = results.filter((r) => r === 'accepted');
      assert.equal(accepted.length, 1, `amount ${amount}: ${results.join(' | ')}`);
      for (const r of results) {
        if (r !== 'accepted') assert.match(r, /^(busy|wrong-price|another transaction on channel: \{ID: \d+\} is in progress|income 0 does not equal to price 5)$/);
      }
      books += PRICE;
      assert.equal(await storedAmount(), books, 'the gob value holds every accepted price');
    }
    // Every replica sees the same state: the old payment is refused, the next one accepted by either kind.
    assert.equal(await pay(1, PRICE * 6n), 'income 0 does not equal to price 5');
    assert.equal(await goReplica.pay(net.channel.id, 0n, PRICE * 7n, sign(PRICE * 7n), PRICE), 'accepted');
    assert.equal(await pay(1, PRICE * 8n), 'accepted');
    assert.equal(await storedAmount(), PRICE * 8n);
    assert.notEqual(await goReplica.lockValue(net.channel.id), 'locked', 'no lock left behind');
    for (const replica of replicas) assert.match(replica.logs(), /payments ready \(escrow only: Go storage format\)/);
  });

  void it('behavior: a service failure puts the base value back (a refund); the reserved amount is in the gob value while the call runs', async () => {
    const holding = await startHoldingService(net.serviceProtoFile);
    const replica = await startPaidDaemon(net, { ...overrides, service_endpoint: holding.endpoint }).catch(async (err: unknown) => {
      await holding.stop();
      throw err;
    });
    const client = createCalculatorClient(replica.target, net.serviceProtoFile);
    const before = await storedAmount();
    try {
      const pending = client.call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: before + PRICE }));
      await holding.received;
      assert.equal(await goReplica.lockValue(net.channel.id), 'locked');
      assert.equal(await storedAmount(), before + PRICE, 'the reserved payment is stored while the call runs');
      // The service goes away under the call: the call fails and its payment is released.
      await holding.stop();
      assert.ok((await pending).error !== undefined, 'the client saw the call fail');
    } finally {
      client.close();
      await replica.stop();
      await holding.stop();
    }
    assert.equal(await storedAmount(), before, 'refunded: the base value is back');
    assert.equal(await goReplica.lockValue(net.channel.id), undefined, 'our lock is deleted');
    assert.equal(await pay(0, before + PRICE), 'accepted', 'the client pays the same amount again for its next call');
    assert.equal(await storedAmount(), before + PRICE);
  });

  void it('behavior: a snetd-ts replica killed with SIGKILL mid-call keeps that call charged and leaves no lock behind after its lease TTL', async () => {
    const holding = await startHoldingService(net.serviceProtoFile);
    const child = await startServeChild(net, {
      service_endpoint: holding.endpoint,
      payment_channel_storage_type: 'etcd',
      'payment_channel_storage_client.endpoints': etcd.endpoint,
      payment_channel_storage_format: 'go',
      payment_reservation_lease: LEASE,
      private_key_for_free_calls: '',
    }).catch(async (err: unknown) => {
      await holding.stop();
      throw err;
    });
    const before = await storedAmount();
    try {
      const client = createCalculatorClient(child.target, net.serviceProtoFile);
      const pending = client.call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: before + PRICE }));
      await holding.received;
      assert.equal(await goReplica.lockValue(net.channel.id), 'locked', 'the crashing replica holds the Go lock during the call');
      assert.equal(await goReplica.pay(net.channel.id, 0n, before + PRICE, sign(before + PRICE), PRICE), 'busy');
      await child.kill();
      assert.ok((await pending).error !== undefined, 'the client saw the call fail');
      client.close();
    } finally {
      await child.cli.stop();
      await holding.stop();
    }
    // The lock lives on the dead replica's lease: etcd deletes it after the TTL (2 s, plus etcd's lease checks).
    let lock = await goReplica.lockValue(net.channel.id);
    for (let waited = 0; lock === 'locked' && waited < 30; waited++) {
      await sleep(500);
      lock = await goReplica.lockValue(net.channel.id);
    }
    assert.equal(lock, undefined, 'the lock key vanished with the lease');
    // As in our own format, the crashed call counts as paid: its amount and signature are in the gob value.
    assert.equal(await storedAmount(), before + PRICE);
    assert.deepEqual((await goReplica.channel(net.channel.id))?.signature, sign(before + PRICE));
    // The same signed amount again buys nothing on any replica; the next call signs that amount plus the price.
    assert.equal(await goReplica.pay(net.channel.id, 0n, before + PRICE, sign(before + PRICE), PRICE), 'wrong-price');
    assert.equal(await pay(0, before + PRICE), 'income 0 does not equal to price 5');
    assert.equal(await pay(1, before + 2n * PRICE), 'accepted');
    assert.equal(await goReplica.pay(net.channel.id, 0n, before + 3n * PRICE, sign(before + 3n * PRICE), PRICE), 'accepted');
    assert.equal(await storedAmount(), before + 3n * PRICE);
  });

  void it('behavior: a crashed Go replica\'s lock stays until `snetd channel unlock <id>` deletes it', async () => {
    const before = await storedAmount();
    assert.equal(await goReplica.crashWhileLocked(net.channel.id), true);
    assert.equal(await pay(0, before + PRICE), `another transaction on channel: {ID: ${net.channel.id}} is in progress`);
    const flags = Object.entries({ ...net.daemonConfig, ...overrides, 'payment_channel_storage_client.endpoints': etcd.endpoint }).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`]);
    const listed = await runCliInProcess(['list', 'channels', ...flags]);
    assert.match(listed.out, new RegExp(`channel ${net.channel.id}: nonce 0, signed amount ${before} `));
    const unlocked = await runCliInProcess(['channel', 'unlock', net.channel.id.toString(), ...flags]);
    assert.equal(unlocked.code, 0, unlocked.out);
    assert.match(unlocked.out, /unlocked \(its Go lock key deleted; a Go replica's call that held it was not recorded, a snetd-ts replica's stays paid\)/);
    assert.equal(await goReplica.lockValue(net.channel.id), undefined);
    assert.equal(await pay(1, before + PRICE), 'accepted');
    assert.equal(await storedAmount(), before + PRICE);
  });
});
