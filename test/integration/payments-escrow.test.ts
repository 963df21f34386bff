// Paid calls end to end: the dev chain with the real MPE/Registry/token, metadata from the local IPFS, the
// daemon started in-process with blockchain_enabled, the example Calculator behind it and grpc-js clients
// signing escrow payments with the client key. Then GetChannelState, the provider claim flow with the
// owner's on-chain multiChannelClaim, and calls continuing on the next nonce.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import {
  buildChannelStateMessage,
  buildClaimMessage,
  buildListInProgressMessage,
  buildListUnclaimedMessage,
  buildStartClaimForMultipleChannelsMessage,
  decodeUint,
  signMessage,
} from '../../src/blockchain/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { getChannelStatePath, providerControlPaths } from '../../src/services/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { frame, parseFrames, rawHttp2Request } from '../harness/raw-grpc.ts';
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

const PRICE = 7n;

void describe('paid escrow calls through the daemon (dev chain)', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let calculator: ReturnType<typeof createCalculatorClient>;
  let control: grpc.Client;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    paid = await startPaidDaemon(net);
    calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
    control = new grpc.Client(paid.target, grpc.credentials.createInsecure());
  });

  after(async () => {
    calculator.close();
    control.close();
    await paid.stop();
    await net.stop();
  });

  const pay = (nonce: bigint, amount: bigint, key = net.client.privateKey): grpc.Metadata =>
    escrowMetadata({ privateKey: key, mpe: net.contracts.mpe, channelId: net.channel.id, nonce, amount });

  const channelState = async (): Promise<Record<string, unknown>> => {
    const block = await currentBlock(net);
    const result = await callEscrowService(control, getChannelStatePath, escrowTypes.ChannelStateRequest, escrowTypes.ChannelStateReply, {
      channelId: Uint8Array.of(0, 0, 0, Number(net.channel.id)), // 4 bytes, as the npm SDK sends it
      currentBlock: block.toString(),
      signature: signMessage(net.client.privateKey, buildChannelStateMessage({ mpeAddress: net.contracts.mpe, channelId: net.channel.id, currentBlock: block })),
    });
    assert.equal(result.error, undefined, result.error?.message);
    return result.reply ?? {};
  };
  const num = (value: unknown): bigint | undefined => (value instanceof Uint8Array ? decodeUint(value) : undefined);

  void it('behavior: paid calls with increasing cumulative amounts reach the service', async () => {
    for (let i = 1n; i <= 3n; i++) {
      const result = await calculator.call('add', 2, Number(i), pay(0n, PRICE * i));
      assert.equal(result.error, undefined, result.error?.message);
      assert.equal(result.value, 2 + Number(i));
    }
    const state = await channelState();
    assert.equal(num(state['currentNonce']), 0n);
    assert.equal(num(state['currentSignedAmount']), PRICE * 3n);
  });

  void it('error: every rejection answers with the reference status and text and leaves the channel as it was', async () => {
    const cases: Array<{ metadata: grpc.Metadata; code: grpc.status; message: string | RegExp }> = [
      { metadata: pay(0n, PRICE * 3n), code: grpc.status.UNAUTHENTICATED, message: 'income 0 does not equal to price 7' },
      { metadata: pay(0n, PRICE * 5n), code: grpc.status.UNAUTHENTICATED, message: 'income 14 does not equal to price 7' },
      // The reference's custom status 1000 (Go `escrow/payment_handler.go`) reaches grpc-js clients unchanged.
      { metadata: pay(1n, PRICE * 4n), code: 1000 as grpc.status, message: 'incorrect payment channel nonce, latest: 0, sent: 1' },
      { metadata: pay(0n, PRICE * 4n, net.owner.privateKey), code: grpc.status.UNAUTHENTICATED, message: 'payment is not signed by channel signer/sender' },
      { metadata: pay(0n, net.channel.valueCogs + 1n), code: grpc.status.UNAUTHENTICATED, message: /^not enough tokens on payment channel, channel amount: \d+, payment amount: \d+$/ },
      {
        metadata: escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: 999n, nonce: 0n, amount: PRICE }),
        code: grpc.status.UNAUTHENTICATED,
        message: 'payment channel "{ID: 999}" not found',
      },
    ];
    const bad = pay(0n, PRICE * 4n);
    bad.set('snet-payment-channel-signature-bin', Buffer.alloc(65, 3));
    cases.push({ metadata: bad, code: grpc.status.UNAUTHENTICATED, message: 'payment signature is not valid' });
    const missing = pay(0n, PRICE * 4n);
    missing.remove('snet-payment-channel-amount');
    cases.push({ metadata: missing, code: grpc.status.INVALID_ARGUMENT, message: 'missing "snet-payment-channel-amount"' });
    const freeCall = pay(0n, PRICE * 4n);
    freeCall.set('snet-payment-type', 'free-call');
    // free-call is served: escrow headers under that type are a v6 free call without its user address.
    cases.push({ metadata: freeCall, code: grpc.status.INVALID_ARGUMENT, message: 'missing "snet-free-call-user-address"' });

    for (const c of cases) {
      const result = await calculator.call('add', 1, 1, c.metadata);
      assert.equal(result.error?.code, c.code, `${String(c.message)}: got ${result.error?.message}`);
      if (typeof c.message === 'string') assert.equal(result.error.details, c.message);
      else assert.match(result.error.details, c.message);
    }
    // Nothing changed: the next correct payment is still 3 prices + 1.
    assert.equal(num((await channelState())['currentSignedAmount']), PRICE * 3n);
    const ok = await calculator.call('mul', 3, 4, pay(0n, PRICE * 4n));
    assert.equal(ok.value, 12);
  });

  void it('behavior: the nonce mismatch is grpc-status 1000 on the wire', async () => {
    const port = Number(paid.target.split(':')[1]);
    const signature = signMessage(net.client.privateKey, buildClaimMessage({ mpeAddress: net.contracts.mpe, channelId: net.channel.id, nonce: 5n, amount: PRICE }));
    const response = await rawHttp2Request(
      port,
      {
        ':path': '/example_service.Calculator/add',
        'content-type': 'application/grpc',
        te: 'trailers',
        'snet-payment-channel-id': net.channel.id.toString(),
        'snet-payment-channel-nonce': '5',
        'snet-payment-channel-amount': PRICE.toString(),
        'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
      },
      frame(new Uint8Array(0)),
    );
    const status = response.trailers['grpc-status'] ?? response.headers['grpc-status'];
    assert.equal(status, '1000');
  });

  void it('behavior: a failed service call is not charged', async () => {
    const failed = await calculator.call('div', 1, 0, pay(0n, PRICE * 5n));
    assert.equal(failed.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(num((await channelState())['currentSignedAmount']), PRICE * 4n);
    const ok = await calculator.call('div', 8, 2, pay(0n, PRICE * 5n));
    assert.equal(ok.value, 4);
  });

  void it('behavior: a paid call over gRPC-Web (HTTP/1.1, -bin header as base64 text) is accepted once', async () => {
    const root = protobuf.loadSync(net.serviceProtoFile);
    const Numbers = root.lookupType('example_service.Numbers');
    const Result = root.lookupType('example_service.Result');
    const body = frame(Numbers.encode(Numbers.fromObject({ a: 20, b: 22 })).finish());
    const signature = signMessage(net.client.privateKey, buildClaimMessage({ mpeAddress: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: PRICE * 6n }));
    const send = (): Promise<Response> =>
      fetch(`http://${paid.target}/example_service.Calculator/add`, {
        method: 'POST',
        headers: {
          'content-type': 'application/grpc-web+proto',
          'x-grpc-web': '1',
          'snet-payment-channel-id': net.channel.id.toString(),
          'snet-payment-channel-nonce': '0',
          'snet-payment-channel-amount': (PRICE * 6n).toString(),
          'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
        },
        body,
      });
    const first = parseFrames(Buffer.from(await (await send()).arrayBuffer()));
    assert.equal(first.trailers?.['grpc-status'], '0');
    assert.equal((Result.toObject(Result.decode(first.messages[0] as Buffer)) as { value: number }).value, 42);
    const replay = await send();
    const replayed = parseFrames(Buffer.from(await replay.arrayBuffer()));
    assert.equal(replayed.trailers?.['grpc-status'] ?? replay.headers.get('grpc-status'), '16');
  });

  void it('behavior: the provider claims via the control service and multiChannelClaim; clients continue on the next nonce', async () => {
    const signedAmount = PRICE * 6n;
    let block = await currentBlock(net);
    const unclaimed = await callEscrowService(control, providerControlPaths.getListUnclaimed, escrowTypes.GetPaymentsListRequest, escrowTypes.PaymentsListReply, {
      mpeAddress: net.contracts.mpe,
      currentBlock: block.toString(),
      signature: signMessage(net.owner.privateKey, buildListUnclaimedMessage({ mpeAddress: net.contracts.mpe, currentBlock: block })),
    });
    assert.equal(unclaimed.error, undefined, unclaimed.error?.message);
    const listed = unclaimed.reply?.['payments'] as Array<Record<string, unknown>>;
    assert.equal(listed.length, 1);
    assert.equal(num(listed[0]?.['signedAmount']), signedAmount);

    // Someone who is not the payment address cannot claim.
    const stranger = await callEscrowService(control, providerControlPaths.startClaimForMultipleChannels, escrowTypes.StartMultipleClaimRequest, escrowTypes.PaymentsListReply, {
      mpeAddress: net.contracts.mpe,
      channelIds: [net.channel.id.toString()],
      currentBlock: block.toString(),
      signature: signMessage(net.client.privateKey, buildStartClaimForMultipleChannelsMessage({ mpeAddress: net.contracts.mpe, channelIds: [net.channel.id], currentBlock: block })),
    });
    assert.equal(stranger.error?.code, grpc.status.UNKNOWN);
    assert.match(stranger.error.details, /does not match to what has been expected \/ registered/);

    block = await currentBlock(net);
    const started = await callEscrowService(control, providerControlPaths.startClaimForMultipleChannels, escrowTypes.StartMultipleClaimRequest, escrowTypes.PaymentsListReply, {
      mpeAddress: net.contracts.mpe,
      channelIds: [net.channel.id.toString()],
      currentBlock: block.toString(),
      signature: signMessage(net.owner.privateKey, buildStartClaimForMultipleChannelsMessage({ mpeAddress: net.contracts.mpe, channelIds: [net.channel.id], currentBlock: block })),
    });
    assert.equal(started.error, undefined, started.error?.message);
    const [claim] = started.reply?.['payments'] as Array<Record<string, unknown>>;
    assert.equal(num(claim?.['channelNonce']), 0n);
    assert.equal(num(claim?.['signedAmount']), signedAmount);

    // While the claim is pending: nonce 1 here, 0 on chain; the old nonce's pair is reported; old-nonce payments fail.
    const pending = await channelState();
    assert.equal(num(pending['currentNonce']), 1n);
    assert.equal(num(pending['oldNonceSignedAmount']), signedAmount);
    assert.equal((await calculator.call('add', 1, 1, pay(0n, PRICE * 7n))).error?.details, 'incorrect payment channel nonce, latest: 1, sent: 0');
    const during = await calculator.call('add', 1, 1, pay(1n, PRICE));
    assert.equal(during.value, 2);

    // The owner lands the claim on chain with the signature the daemon returned.
    await multiChannelClaim(net, [{ channelId: net.channel.id, amount: signedAmount, signature: claim?.['signature'] as Uint8Array }]);
    const settled = await channelState();
    assert.equal(num(settled['currentNonce']), 1n);
    assert.equal(num(settled['currentSignedAmount']), PRICE);
    assert.equal(settled['oldNonceSignedAmount'], undefined);
    const afterClaim = await calculator.call('add', 5, 5, pay(1n, PRICE * 2n));
    assert.equal(afterClaim.value, 10);

    block = await currentBlock(net);
    const inProgress = await callEscrowService(control, providerControlPaths.getListInProgress, escrowTypes.GetPaymentsListRequest, escrowTypes.PaymentsListReply, {
      mpeAddress: net.contracts.mpe,
      currentBlock: block.toString(),
      signature: signMessage(net.owner.privateKey, buildListInProgressMessage({ mpeAddress: net.contracts.mpe, currentBlock: block })),
    });
    assert.equal(inProgress.error, undefined, inProgress.error?.message);
    assert.equal((inProgress.reply?.['payments'] as unknown[]).length, 0, 'the landed claim was swept');
  });

  void it('behavior: no private key or signature reaches the daemon log', () => {
    const logs = paid.logs();
    assert.ok(logs.length > 0);
    assert.ok(!logs.includes(net.client.privateKey.slice(2)));
    assert.ok(!logs.includes(net.owner.privateKey.slice(2)));
  });
});
