// Money safety under real concurrency (issue #5 acceptance): two daemon replicas of one group on one real etcd
// (Debian etcd-server), several channels, many grpc-js clients. Replica A runs in-process (startDaemon), replica B
// is a `snetd serve` child so it can be SIGKILLed by PID while calls are in flight.
//
// Every signed payment (nonce, amount, signature) is sent several times at once to both replicas. Invariants:
// - at most one OK per signed payment (exactly one while both replicas live); every other replay gets one of the
//   documented refusals: FAILED_PRECONDITION `another transaction on channel: {ID: <id>} is in progress` or
//   UNAUTHENTICATED `income 0 does not equal to price <p>` (docs/payments.md, src/payments/README.md);
// - books: the client-side ledger (sum of accepted increments per channel) equals what the daemons report
//   (GetChannelState current_signed_amount), what StartClaimForMultipleChannels hands the provider, and what
//   the owner's multiChannelClaim moves on chain;
// - after kill -9 of B: no payment B answered OK is missing; a payment B had reserved when it died counts as
//   accepted (docs/payments.md "Crash safety": lease expiry = accepted), at most one per channel; every
//   channel is served again by A within the reservation lease (6 s here), checked with a bounded poll.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  buildChannelStateMessage,
  buildStartClaimForMultipleChannelsMessage,
  decodeUint,
  loadContractArtifact,
  signMessage,
} from '../../src/blockchain/index.ts';
import { createDevActions, createDevClients, DEV_ROLES, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { getChannelStatePath, providerControlPaths } from '../../src/services/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { startEtcd, type TestEtcd } from '../harness/etcd.ts';
import {
  callEscrowService,
  createCalculatorClient,
  currentBlock,
  escrowMetadata,
  escrowTypes,
  multiChannelClaim,
  startPaidDaemon,
  type PaidDaemon,
} from '../harness/payments.ts';
import { startSnetd, type RunningCli } from '../harness/run-cli.ts';

const PRICE = 5n;
const CHANNELS = 4;
/** grpc-js connections per replica (each is its own HTTP/2 session). */
const CLIENTS_PER_REPLICA = 3;
/** Concurrent sends of each signed payment (alternating replicas and connections). */
const REPLAYS = 6;
const ROUNDS_BEFORE_KILL = 6;
const ROUNDS_AFTER_KILL = 3;
/** A short reservation lease (config payment_reservation_lease) keeps the kill -9 wait short. */
const LEASE = '6s';
/** The lease plus a margin for a loaded machine. */
const LEASE_BOUND_MS = 6_000 + 15_000;

type Calculator = ReturnType<typeof createCalculatorClient>;

/**
 * Replica B's service: a Calculator that forwards `add` to the example service. Once `holdNext()` is armed, the
 * next call is held (never answered) and reported: replica B has then reserved that payment in etcd for sure.
 */
async function startForwardingService(protoFile: string, upstream: string): Promise<{ endpoint: string; holdNext(): Promise<void>; stop(): void }> {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(protoFile)) as unknown as { example_service: { Calculator: grpc.ServiceClientConstructor } };
  const forward = createCalculatorClient(upstream.replace(/^http:\/\//, ''), protoFile);
  let hold: (() => void) | undefined;
  const held: grpc.sendUnaryData<unknown>[] = [];
  const server = new grpc.Server();
  server.addService(pkg.example_service.Calculator.service, {
    add: (call: grpc.ServerUnaryCall<{ a: number; b: number }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      if (hold !== undefined) {
        held.push(callback);
        hold();
        hold = undefined;
        return;
      }
      void forward.call('add', call.request.a, call.request.b, new grpc.Metadata()).then((r) => callback(r.error ?? null, r.error === undefined ? { value: r.value } : undefined));
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    holdNext: () => new Promise<void>((resolve) => (hold = resolve)),
    stop: () => {
      forward.close();
      server.forceShutdown();
    },
  };
}
type Outcome = { replica: 'A' | 'B'; sent: number; value?: number; error?: grpc.ServiceError };

void describe('two replicas on one etcd: exactly-once payments, books, kill -9', () => {
  let net: DevNetwork;
  let etcd: TestEtcd;
  let replicaA: PaidDaemon;
  let replicaB: RunningCli | undefined;
  const channelIds: bigint[] = [];
  const clients: { replica: 'A' | 'B'; client: Calculator }[] = [];
  let control: grpc.Client;
  let serviceB: Awaited<ReturnType<typeof startForwardingService>> | undefined;

  before(async () => {
    [net, etcd] = await Promise.all([startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE }), startEtcd()]);
    const actions = createDevActions(createDevClients(net.rpcUrl, net.chainId), net.contracts);
    channelIds.push(net.channel.id);
    for (let i = 1; i < CHANNELS; i++) {
      channelIds.push(
        await actions.openChannel({ senderIndex: DEV_ROLES.client, recipient: net.owner.address, groupId: net.groupId.hex, valueCogs: 10n ** 9n, expiration: net.channel.expiration }),
      );
    }
    const storage = { payment_channel_storage_type: 'etcd', 'payment_channel_storage_client.endpoints': etcd.endpoint, payment_reservation_lease: LEASE };
    replicaA = await startPaidDaemon(net, storage);
    serviceB = await startForwardingService(net.serviceProtoFile, net.serviceEndpoint);
    const settings: Record<string, string> = {
      ...Object.fromEntries(Object.entries(net.daemonConfig).map(([k, v]) => [k, String(v)])),
      daemon_endpoint: '127.0.0.1:0',
      service_endpoint: serviceB.endpoint,
      ...storage,
      'log.output.type': 'stdout',
    };
    replicaB = startSnetd(['serve', ...Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`])]);
    const [, portB] = (await replicaB.waitFor(/"address":"127\.0\.0\.1:(\d+)"/)) as unknown as [string, string];
    for (let i = 0; i < CLIENTS_PER_REPLICA; i++) {
      clients.push({ replica: 'A', client: createCalculatorClient(replicaA.target, net.serviceProtoFile) });
      clients.push({ replica: 'B', client: createCalculatorClient(`127.0.0.1:${portB}`, net.serviceProtoFile) });
    }
    control = new grpc.Client(replicaA.target, grpc.credentials.createInsecure());
  });

  after(async () => {
    for (const { client } of clients) client.close();
    control?.close();
    await replicaB?.stop();
    await replicaA?.stop();
    serviceB?.stop();
    await Promise.all([net?.stop(), etcd?.stop()]);
  });

  const pay = (channelId: bigint, amount: bigint): grpc.Metadata =>
    escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId, nonce: 0n, amount });

  /** A refusal the implementation documents for a replayed payment. */
  const assertDocumentedRefusal = (channelId: bigint, error: grpc.ServiceError, context: string): void => {
    const concurrent = error.code === grpc.status.FAILED_PRECONDITION && error.details === `another transaction on channel: {ID: ${channelId}} is in progress`;
    const alreadyPaid = error.code === grpc.status.UNAUTHENTICATED && error.details === `income 0 does not equal to price ${PRICE}`;
    assert.ok(concurrent || alreadyPaid, `${context}: unexpected refusal ${error.code} ${error.details}`);
  };

  const channelState = async (channelId: bigint): Promise<{ nonce: bigint; signed: bigint }> => {
    const block = await currentBlock(net);
    const result = await callEscrowService(control, getChannelStatePath, escrowTypes.ChannelStateRequest, escrowTypes.ChannelStateReply, {
      channelId: Buffer.from(channelId.toString(16).padStart(8, '0'), 'hex'),
      currentBlock: block.toString(),
      signature: signMessage(net.client.privateKey, buildChannelStateMessage({ mpeAddress: net.contracts.mpe, channelId, currentBlock: block })),
    });
    assert.equal(result.error, undefined, result.error?.message);
    const num = (value: unknown): bigint => (value instanceof Uint8Array ? decodeUint(value) : 0n);
    return { nonce: num(result.reply?.['currentNonce']), signed: num(result.reply?.['currentSignedAmount']) };
  };

  void it('behavior: each signed payment is accepted once across replicas; kill -9 of one loses nothing and frees every channel within the lease; books = state = claim = chain', async (t) => {
    const ledger = new Map<bigint, bigint>(channelIds.map((id) => [id, 0n]));
    const okBy = { A: 0, B: 0 };
    const settledWithoutOk = new Map<bigint, number>(channelIds.map((id) => [id, 0]));
    let killedAt: number | undefined;
    let lastFreeMs = 0;

    const killB = (): void => {
      const child = replicaB?.child;
      assert.ok(child?.pid !== undefined);
      process.kill(child.pid, 'SIGKILL');
      killedAt = Date.now();
    };

    /** One signed payment, REPLAYS concurrent sends; returns after the payment is known to be accepted. */
    const round = async (channelId: bigint, worker: number, roundNo: number): Promise<void> => {
      const amount = (ledger.get(channelId) ?? 0n) + PRICE;
      const metadata = pay(channelId, amount);
      const send = (k: number): Promise<Outcome> => {
        const target = clients[(worker + k) % clients.length];
        assert.ok(target !== undefined);
        return target.client.call('add', roundNo, k, metadata).then((r) => ({ replica: target.replica, sent: k, ...r }));
      };
      // Replica A runs in this process and usually wins the race of concurrent replays; so that B is proven
      // to accept payments too, every third round before the kill B gets the payment first, alone, and the
      // replays follow once it answered (they must then all be refused as already paid).
      const bFirst = killedAt === undefined && roundNo % 3 === 1;
      const first = bFirst ? (worker % clients.length === 1 ? 0 : 1) : undefined;
      const outcomes: Outcome[] = first === undefined ? [] : [await send(first)];
      outcomes.push(...(await Promise.all(Array.from({ length: REPLAYS }, (_, k) => k).filter((k) => k !== first).map(send))));
      const context = `channel ${channelId} amount ${amount}: ${outcomes.map((o) => `${o.replica}:${o.error === undefined ? 'OK' : `${o.error.code} ${o.error.details}`}`).join(' | ')}`;
      const oks = outcomes.filter((o) => o.error === undefined);
      assert.ok(oks.length <= 1, `double-counted payment: ${context}`);
      const transportFailures = outcomes.filter((o) => o.error !== undefined && o.replica === 'B' && killedAt !== undefined && ![grpc.status.FAILED_PRECONDITION, grpc.status.UNAUTHENTICATED].includes(o.error.code));
      for (const o of outcomes) {
        if (o.error === undefined) assert.equal(o.value, roundNo + o.sent, context);
        else if (!transportFailures.includes(o)) assertDocumentedRefusal(channelId, o.error, context);
      }
      if (oks.length === 1) {
        okBy[(oks[0] as Outcome).replica] += 1;
        ledger.set(channelId, amount);
        return;
      }
      // No OK: only possible around the kill (B reserved or held the payment, or A saw B's reservation).
      assert.ok(killedAt !== undefined, `no replica accepted a payment while both were up: ${context}`);
      // Bounded poll on A with the same signed payment until it is decided: OK (A accepts it now) or
      // `income 0` (B's reservation settled as accepted). FAILED_PRECONDITION = B's reservation still live.
      const victim = clients.find((c) => c.replica === 'A');
      assert.ok(victim !== undefined);
      for (;;) {
        const retry = await victim.client.call('add', 1, 1, metadata);
        if (retry.error === undefined) {
          okBy.A += 1;
          break;
        }
        assertDocumentedRefusal(channelId, retry.error, `poll ${context}`);
        if (retry.error.code === grpc.status.UNAUTHENTICATED) {
          settledWithoutOk.set(channelId, (settledWithoutOk.get(channelId) ?? 0) + 1);
          break;
        }
        assert.ok(Date.now() - killedAt < LEASE_BOUND_MS, `channel ${channelId} still locked ${Date.now() - killedAt} ms after the kill: ${context}`);
        await delay(250);
      }
      lastFreeMs = Math.max(lastFreeMs, Date.now() - killedAt);
      ledger.set(channelId, amount);
    };

    const roundsByChannel = new Map<bigint, number>(channelIds.map((id) => [id, 0]));
    let warmedUp: () => void = () => undefined;
    const allWarm = new Promise<void>((resolve) => (warmedUp = resolve));
    /** Every channel keeps paying until the kill (so calls are in flight on all of them), then ROUNDS_AFTER_KILL more. */
    const worker = async (channelId: bigint, index: number): Promise<void> => {
      let r = 0;
      while (killedAt === undefined) {
        await round(channelId, index, r++);
        roundsByChannel.set(channelId, r);
        if (Math.min(...roundsByChannel.values()) >= ROUNDS_BEFORE_KILL) warmedUp();
      }
      for (let k = 0; k < ROUNDS_AFTER_KILL; k++) await round(channelId, index, 1000 + k);
      roundsByChannel.set(channelId, r + ROUNDS_AFTER_KILL);
    };
    // The kill: once every channel has paid a few times, the next call replica B forwards is held at its service
    // (so B has reserved that payment in etcd) and B gets SIGKILL while it, and others, are in flight.
    const killer = async (): Promise<void> => {
      await allWarm;
      assert.ok(serviceB !== undefined);
      await serviceB.holdNext();
      killB();
    };

    const exited = once(replicaB?.child as NonNullable<typeof replicaB>['child'], 'exit');
    await Promise.all([killer(), ...channelIds.map((id, index) => worker(id, index))]);
    await exited;
    assert.equal(replicaB?.child.signalCode, 'SIGKILL');

    // Both replicas answered OKs before the kill; a payment accepted without an OK is at most one per channel.
    assert.ok(okBy.A > 0 && okBy.B > 0, `OKs by replica: ${JSON.stringify(okBy)}`);
    for (const [id, count] of settledWithoutOk) assert.ok(count <= 1, `channel ${id}: ${count} payments accepted without an OK`);
    const rounds = [...roundsByChannel.values()].reduce((a, b) => a + b, 0);
    const settled = [...settledWithoutOk.values()].reduce((a, b) => a + b, 0);
    // The payment B held at its service was reserved by B alone: no OK anywhere, accepted once its lease ended.
    assert.ok(settled >= 1, 'the payment B reserved when it died is counted');
    assert.equal(okBy.A + okBy.B + settled, rounds);
    t.diagnostic(`rounds ${rounds}, OK by A ${okBy.A}, OK by B ${okBy.B}, accepted without an OK reaching the client (B's reservations at the kill) ${settled}, last channel free ${lastFreeMs} ms after the kill`);

    // Books: the daemon state equals the ledger for every channel.
    for (const id of channelIds) {
      const state = await channelState(id);
      assert.deepEqual(state, { nonce: 0n, signed: ledger.get(id) }, `channel ${id}`);
    }

    // The provider claims every channel; the chain moves exactly the ledger's total to the owner's MPE balance.
    const mpeAbi = loadContractArtifact('MultiPartyEscrow').abi;
    const { publicClient } = createDevClients(net.rpcUrl, net.chainId);
    const balance = (): Promise<bigint> =>
      publicClient.readContract({ address: net.contracts.mpe, abi: mpeAbi, functionName: 'balances', args: [net.owner.address] }) as Promise<bigint>;
    const before = await balance();
    const block = await currentBlock(net);
    const started = await callEscrowService(control, providerControlPaths.startClaimForMultipleChannels, escrowTypes.StartMultipleClaimRequest, escrowTypes.PaymentsListReply, {
      mpeAddress: net.contracts.mpe,
      channelIds: channelIds.map(String),
      currentBlock: block.toString(),
      signature: signMessage(net.owner.privateKey, buildStartClaimForMultipleChannelsMessage({ mpeAddress: net.contracts.mpe, channelIds, currentBlock: block })),
    });
    assert.equal(started.error, undefined, started.error?.message);
    const payments = (started.reply?.['payments'] ?? []) as Array<Record<string, unknown>>;
    const claims = payments.map((p) => ({
      channelId: decodeUint(p['channelId'] as Uint8Array),
      amount: decodeUint(p['signedAmount'] as Uint8Array),
      signature: p['signature'] as Uint8Array,
    }));
    assert.deepEqual(
      new Map(claims.map((c) => [c.channelId, c.amount])),
      ledger,
      'the claim hands the provider exactly the ledger',
    );
    await multiChannelClaim(net, claims);
    const total = [...ledger.values()].reduce((a, b) => a + b, 0n);
    assert.equal((await balance()) - before, total);
    assert.equal(total, BigInt(rounds) * PRICE);
  });
});
