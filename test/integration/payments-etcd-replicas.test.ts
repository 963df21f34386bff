// Two daemons of one group sharing one real etcd: the same signed payment replayed concurrently against both
// is accepted exactly once, and the books (sum of accepted prices) equal the signed amount.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { startEtcd, type TestEtcd } from '../harness/etcd.ts';
import { createCalculatorClient, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const PRICE = 5n;

void describe('paid calls on two replicas sharing etcd', () => {
  let net: DevNetwork;
  let etcd: TestEtcd;
  let replicas: PaidDaemon[] = [];
  let clients: ReturnType<typeof createCalculatorClient>[] = [];

  before(async () => {
    [net, etcd] = await Promise.all([startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE }), startEtcd()]);
    const overrides = { payment_channel_storage_type: 'etcd', 'payment_channel_storage_client.endpoints': [etcd.endpoint] };
    replicas = await Promise.all([startPaidDaemon(net, overrides), startPaidDaemon(net, overrides)]);
    clients = replicas.map((r) => createCalculatorClient(r.target, net.serviceProtoFile));
  });

  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([net.stop(), etcd.stop()]);
  });

  void it('behavior: concurrent replays of each signed payment on both replicas are accepted once; books add up', async () => {
    let books = 0n;
    for (let i = 1n; i <= 5n; i++) {
      const amount = PRICE * i;
      const attempts = Array.from({ length: 8 }, (_, k) =>
        (clients[k % 2] as (typeof clients)[number]).call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount })),
      );
      const results = await Promise.all(attempts);
      const accepted = results.filter((r) => r.error === undefined);
      assert.equal(accepted.length, 1, `amount ${amount}: ${results.map((r) => r.error?.details ?? 'OK').join(' | ')}`);
      for (const r of results) {
        if (r.error !== undefined) assert.match(r.error.details, /another transaction on channel|income 0 does not equal to price 5/);
      }
      books += PRICE;
    }
    assert.equal(books, PRICE * 5n);
    // Both replicas see the same state: the next payment is accepted by either, the old one by neither.
    const replay = await clients[1]?.call('add', 1, 1, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: PRICE * 5n }));
    assert.equal(replay?.error?.details, 'income 0 does not equal to price 5');
    const next = await clients[1]?.call('add', 1, 1, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: PRICE * 6n }));
    assert.equal(next?.value, 2);
    for (const replica of replicas) assert.match(replica.logs(), /"storage":"etcd"/);
  });
});
