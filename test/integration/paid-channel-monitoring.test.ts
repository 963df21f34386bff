// What the payment side feeds into monitoring, through the real daemon on the dev chain (real MPE, signed escrow
// payments): the channel scan (a channel pushed near expiry by mining blocks raises exactly one alert, by e-mail
// through a real SMTP server and by webhook, the gauges show its unclaimed amount, and extending it resolves the alert); storage and chain round
// trips (stopping the real etcd member or the chain RPC raises the unreachable alert, bringing it back resolves
// it); and metering's channel-balance POST after each commit, checked by a local receiver that verifies the
// signature.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { privateKeyToAddress } from '../../src/blockchain/index.ts';
import { createDevActions, createDevClients, DEV_ROLES, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { startAlertReceivers, until, type AlertReceivers } from '../harness/alert-receivers.ts';
import { startEtcd, type TestEtcd } from '../harness/etcd.ts';
import { meteringSignerOf } from '../harness/metering-signature.ts';
import { sample } from '../harness/monitored-daemon.ts';
import { createCalculatorClient, escrowMetadata, startPaidDaemon } from '../harness/payments.ts';

const PRICE = 5n;
const meteringKey = '4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d';

/** A TCP relay in front of the chain's RPC port that can be taken down and brought back on the same port. */
async function startRelay(target: URL): Promise<{ url: string; stop(): Promise<void>; start(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const stop = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    stop,
    start: async () => {
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}

void describe('monitoring of paid channels (dev chain)', () => {
  let network: DevNetwork;
  let receivers: AlertReceivers;

  before(async () => {
    [network, receivers] = await Promise.all([startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE }), startAlertReceivers()]);
  });
  after(async () => {
    await Promise.all([network.stop(), receivers.close()]);
  });

  const clients = () => createDevClients(network.rpcUrl, network.chainId);
  /** A new channel from the dev client to the group, expiring `blocks` from now. */
  const openChannel = async (blocks: bigint): Promise<bigint> => {
    const current = await clients().publicClient.getBlockNumber({ cacheTime: 0 });
    return createDevActions(clients(), network.contracts).openChannel({ senderIndex: DEV_ROLES.client, recipient: network.owner.address, groupId: network.groupId.hex, valueCogs: 1000n, expiration: current + blocks });
  };
  const pay = (channelId: bigint, amount: bigint) => escrowMetadata({ privateKey: network.client.privateKey, mpe: network.contracts.mpe, channelId, nonce: 0n, amount });

  void it('behavior: a channel pushed near expiry with unclaimed funds sends one e-mail and one webhook POST, the gauges show it; extending it resolves', async () => {
    const received = receivers.received;
    received.emails.length = 0;
    received.posts.length = 0;
    // payment_expiration_threshold of the dev org metadata is 100 blocks: paid calls need more than that left.
    const channelId = await openChannel(300n);
    const paid = await startPaidDaemon(network, { heartbeat_interval: '0s', 'alerts.check_interval': '200ms', ...receivers.daemonConfig });
    const calculator = createCalculatorClient(paid.target, network.serviceProtoFile);
    try {
      for (const amount of [PRICE, 2n * PRICE]) assert.equal((await calculator.call('add', 1, 2, pay(channelId, amount))).error, undefined);
      const metricsUrl = `http://${paid.target}/metrics`;
      const scrape = async (): Promise<string> => (await fetch(metricsUrl)).text();
      while (sample(await scrape(), 'snetd_unclaimed_cogs') !== Number(2n * PRICE)) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(sample(await scrape(), 'snetd_channels_near_expiry'), 0);
      assert.equal(received.emails.length + received.posts.length, 0, 'nothing near expiry yet');

      await clients().publicClient.request({ method: 'hardhat_mine' as 'eth_chainId', params: ['0xc8'] as never }); // 200 blocks
      await until(() => received.emails.length >= 1 && received.posts.length >= 1);
      const text = await scrape();
      assert.equal(sample(text, 'snetd_channels_near_expiry'), 1);
      assert.equal(sample(text, 'snetd_unclaimed_cogs'), Number(2n * PRICE));
      const post = received.posts[0];
      assert.equal(post?.body['type'], 'channel_expiry');
      assert.equal(post?.body['level'], 'ERROR');
      assert.match(post?.body['message'] ?? '', new RegExp(`^Channel ${channelId} expires in \\d+ blocks holding ${2n * PRICE} unclaimed cogs: claim it$`));
      const email = received.emails[0];
      assert.deepEqual(email?.to, ['owner@example.com']);
      assert.match(email?.raw ?? '', new RegExp(`Subject: .*ALERT: Channel ${channelId} expires in \\d+ blocks`));

      // Many more scans find the same channel: no repeat.
      const before = paid.logs().split('channel scan').length;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.equal(received.posts.length, 1);
      assert.equal(received.emails.length, 1);
      assert.equal(paid.logs().split('channel scan').length, before, 'scans did not fail meanwhile');

      // The client extends the channel: the daemon refreshes the record from the event, the next scan resolves.
      const current = await clients().publicClient.getBlockNumber({ cacheTime: 0 });
      await createDevActions(clients(), network.contracts).extendChannel({ senderIndex: DEV_ROLES.client, channelId, expiration: current + 10_000n });
      await until(() => received.emails.length >= 2 && received.posts.length >= 2);
      assert.equal(received.posts[1]?.body['type'], 'channel_expiry');
      assert.equal(received.posts[1]?.body['level'], 'INFO');
      assert.match(received.emails[1]?.raw ?? '', new RegExp(`Subject: .*RESOLVED: Channel ${channelId} is no longer at risk`));
      const resolved = await scrape();
      assert.equal(sample(resolved, 'snetd_channels_near_expiry'), 0);
      assert.equal(sample(resolved, 'snetd_unclaimed_cogs'), Number(2n * PRICE), 'still unclaimed, no longer at risk');
    } finally {
      calculator.close();
      await paid.stop();
    }
  });

  void it('behavior: stopping etcd or the chain RPC raises its unreachable alert once, bringing it back resolves it', async () => {
    const received = receivers.received;
    received.emails.length = 0;
    received.posts.length = 0;
    let etcd: TestEtcd | undefined;
    const relay = await startRelay(new URL(network.rpcUrl));
    try {
      etcd = await startEtcd();
      const paid = await startPaidDaemon(network, {
        heartbeat_interval: '0s',
        'alerts.check_interval': '300ms',
        payment_channel_storage_type: 'etcd',
        'payment_channel_storage_client.endpoints': [etcd.endpoint],
        'payment_channel_storage_client.request_timeout': '1s',
        ethereum_json_rpc_http_endpoint: relay.url,
        notification_endpoint: receivers.daemonConfig['notification_endpoint'],
      });
      const calculator = createCalculatorClient(paid.target, network.serviceProtoFile);
      const posts = (type: string) => received.posts.filter((post) => post.body['type'] === type).map((post) => post.body['level']);
      try {
        assert.equal((await calculator.call('add', 1, 2, pay(network.channel.id, PRICE))).error, undefined);
        const text = await (await fetch(`http://${paid.target}/metrics`)).text();
        assert.ok((sample(text, 'snetd_dependency_duration_seconds_count{dependency="storage"}') ?? 0) > 0, 'etcd round trips are timed');
        assert.ok((sample(text, 'snetd_dependency_duration_seconds_count{dependency="chain"}') ?? 0) > 0, 'RPC round trips are timed');
        assert.equal(sample(text, 'snetd_dependency_errors_total{dependency="storage"}') ?? 0, 0);
        await new Promise((resolve) => setTimeout(resolve, 700));
        assert.deepEqual(received.posts, [], 'healthy dependencies send nothing');

        await etcd.supervisor.stop();
        await until(() => posts('storage_unreachable').length >= 1);
        await etcd.supervisor.start();
        // The etcd client reconnects by itself (grpc backoff); the next scans succeed.
        await until(() => posts('storage_unreachable').length >= 2);
        assert.deepEqual(posts('storage_unreachable'), ['ERROR', 'INFO']);

        await relay.stop();
        await until(() => posts('chain_unreachable').length >= 1);
        await relay.start();
        await until(() => posts('chain_unreachable').length >= 2);
        await new Promise((resolve) => setTimeout(resolve, 700));
        assert.deepEqual(posts('chain_unreachable'), ['ERROR', 'INFO']);
        assert.deepEqual(posts('storage_unreachable'), ['ERROR', 'INFO'], 'no repeat');
        const after = await (await fetch(`http://${paid.target}/metrics`)).text();
        assert.ok((sample(after, 'snetd_dependency_errors_total{dependency="storage"}') ?? 0) > 0);
        assert.ok((sample(after, 'snetd_dependency_errors_total{dependency="chain"}') ?? 0) > 0);
        assert.equal((await calculator.call('add', 1, 2, pay(network.channel.id, 2n * PRICE))).error, undefined, 'paid calls work again');
      } finally {
        calculator.close();
        await paid.stop();
      }
    } finally {
      await relay.close();
      await etcd?.stop();
    }
  });

  void it('behavior: each committed escrow payment POSTs its channel balance, signed, without the call waiting for it', async () => {
    const seen: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string; signer: string }> = [];
    let holdBalances = true;
    const held: Array<() => void> = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void (async () => {
          const h = req.headers;
          const signer = await meteringSignerOf(h);
          const answer = (): void => {
            seen.push({ path: req.url ?? '', headers: h, body: Buffer.concat(chunks).toString(), signer });
            if (req.url === '/metering/verify') res.writeHead(200).end('{"data":"success"}');
            else res.writeHead(200).end('{}');
          };
          // The marketplace is slow on balances at first: the paid call must not wait for it.
          if (holdBalances && (req.url ?? '').endsWith('/balance')) held.push(answer);
          else answer();
        })();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const endpoint = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}`;
    const paid = await startPaidDaemon(network, { heartbeat_interval: '0s', metering_enabled: true, metering_endpoint: endpoint, private_key_for_metering: meteringKey });
    const calculator = createCalculatorClient(paid.target, network.serviceProtoFile);
    try {
      const channelId = await openChannel(10_000n);
      assert.equal((await calculator.call('add', 1, 2, pay(channelId, PRICE))).error, undefined);
      assert.equal((await calculator.call('add', 1, 2, pay(channelId, 2n * PRICE))).error, undefined, 'answered while the balance POST is held');
      await until(() => held.length >= 2);
      holdBalances = false;
      for (const answer of held.splice(0)) answer();
      const balances = () => seen.filter((request) => request.path === `/contract-api/channel/${channelId}/balance`);
      await until(() => balances().length >= 2);
      for (const [index, request] of balances().entries()) {
        assert.equal(request.signer, privateKeyToAddress(meteringKey), 'signed with private_key_for_metering');
        assert.equal(request.headers['x-username'], network.client.address, 'X-username is the channel sender');
        assert.equal(request.headers['x-organizationid'], network.orgId);
        assert.equal(request.headers['x-groupid'], network.groupId.base64);
        assert.equal(
          request.body,
          `{"OrganizationID":"${network.orgId}","ServiceID":"${network.serviceId}","GroupID":"${network.groupId.base64}","AuthorizedAmount":${BigInt(index + 1) * PRICE},"FullAmount":1000,"ChannelId":${channelId},"Nonce":0}`,
        );
      }
      // A refused call commits nothing: no balance POST.
      assert.equal((await calculator.call('add', 1, 2, pay(channelId, PRICE))).error?.code !== undefined, true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(balances().length, 2);
    } finally {
      calculator.close();
      await paid.stop();
      receiver.close();
      receiver.closeAllConnections();
    }
  });
});
