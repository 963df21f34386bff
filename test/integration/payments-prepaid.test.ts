// Prepaid (concurrency) calls through a real daemon on the dev chain: GetToken plans a signed amount, concurrent
// calls on one channel are each charged before the service, a failing call is refunded, a call over the planned
// amount is refused before the service is reached, and the amount behind the tokens is claimed on chain by the
// provider through the ordinary claim flow.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { buildListUnclaimedMessage, buildStartClaimForMultipleChannelsMessage, decodeUint, signMessage } from '../../src/blockchain/index.ts';
import { createDevClients, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { mpeAbi } from '../../src/blockchain/index.ts';
import { providerControlPaths } from '../../src/services/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { callEscrowService, createCalculatorClient, currentBlock, escrowMetadata, escrowTypes, multiChannelClaim, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';
import { prepaidMetadata, requestToken } from '../harness/payments-prepaid.ts';

const PRICE = 7n;

void describe('prepaid calls (dev chain)', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let daemonClient: grpc.Client;
  let calculator: ReturnType<typeof createCalculatorClient>;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE });
    paid = await startPaidDaemon(net);
    daemonClient = new grpc.Client(paid.target, grpc.credentials.createInsecure());
    calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
  });

  after(async () => {
    calculator.close();
    daemonClient.close();
    await paid.stop();
    await net.stop();
  });

  void it('behavior: a channel paid with escrow switches to prepaid; concurrent calls within the plan pass, the next is refused before the service', async () => {
    const escrowCall = await calculator.call('add', 1, 1, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount: PRICE }));
    assert.equal(escrowCall.value, 2);
    const renewed = await requestToken(daemonClient, net, { amount: PRICE });
    assert.deepEqual([renewed.error, renewed.planned, renewed.used], [undefined, 0n, 0n], 'nothing planned yet: the SDK then asks for more');
    const planned = await requestToken(daemonClient, net, { amount: PRICE * 5n });
    assert.equal(planned.error, undefined, planned.error?.message);
    assert.deepEqual([planned.planned, planned.used], [PRICE * 4n, 0n]);
    const token = planned.token as string;

    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => calculator.call('mul', i, 3, prepaidMetadata(net.channel.id, token))));
    assert.deepEqual(results.map((r) => r.value), [0, 3, 6, 9]);
    const over = await calculator.call('add', 2, 2, prepaidMetadata(net.channel.id, token));
    assert.equal(over.error?.code, grpc.status.INTERNAL);
    assert.equal(over.error?.details, `internal error: Usage Exceeded on channel Id ${net.channel.id}`);
    const after = await requestToken(daemonClient, net, { amount: PRICE * 5n });
    assert.deepEqual([after.planned, after.used], [PRICE * 4n, PRICE * 4n]);
  });

  void it('behavior: a call the service fails is refunded; the service sees the token user as snet-user-address', async () => {
    const { token, planned, used } = await requestToken(daemonClient, net, { amount: PRICE * 7n });
    assert.deepEqual([planned, used], [PRICE * 6n, PRICE * 4n]);
    const failed = await calculator.call('div', 1, 0, prepaidMetadata(net.channel.id, token as string));
    assert.equal(failed.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(failed.error?.details, 'division by zero');
    const unchanged = await requestToken(daemonClient, net, { amount: PRICE * 7n });
    assert.equal(unchanged.used, PRICE * 4n, 'the failed call cost nothing');
    assert.equal((await calculator.call('div', 8, 2, prepaidMetadata(net.channel.id, token as string))).value, 4);
  });

  void it('error: a token for another channel, a forged token and a missing token are refused before the service', async () => {
    const { token } = await requestToken(daemonClient, net, { amount: PRICE * 7n });
    const other = await calculator.call('add', 1, 1, prepaidMetadata(net.channel.id + 1n, token as string));
    assert.equal(other.error?.code, grpc.status.INTERNAL);
    assert.equal(other.error?.details, `internal error: payload ${net.channel.id} used to generate the Token doesnt match expected values`);
    const [head, body] = (token as string).split('.');
    const forged = await calculator.call('add', 1, 1, prepaidMetadata(net.channel.id, `${head}.${body}.AAAA`));
    assert.equal(forged.error?.details, 'internal error: token signature is invalid: signature is invalid');
    const missing = new grpc.Metadata();
    missing.set('snet-payment-type', 'prepaid-call');
    missing.set('snet-payment-channel-id', net.channel.id.toString());
    const none = await calculator.call('add', 1, 1, missing);
    assert.equal(none.error?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(none.error?.details, 'missing "snet-prepaid-auth-token-bin"');
    assert.doesNotMatch(paid.logs(), new RegExp(head as string), 'no token in the logs');
  });

  void it('behavior: the signed amount behind the tokens is listed unclaimed and claimed on chain by the provider', async () => {
    const block = await currentBlock(net);
    const listed = await callEscrowService(daemonClient, providerControlPaths.getListUnclaimed, escrowTypes.GetPaymentsListRequest, escrowTypes.PaymentsListReply, {
      mpeAddress: net.contracts.mpe,
      currentBlock: block.toString(),
      signature: signMessage(net.owner.privateKey, buildListUnclaimedMessage({ mpeAddress: net.contracts.mpe, currentBlock: block })),
    });
    assert.equal(listed.error, undefined, listed.error?.message);
    const [unclaimed] = listed.reply?.['payments'] as Array<Record<string, unknown>>;
    assert.equal(decodeUint(unclaimed?.['signedAmount'] as Uint8Array), PRICE * 7n);
    const started = await callEscrowService(daemonClient, providerControlPaths.startClaimForMultipleChannels, escrowTypes.StartMultipleClaimRequest, escrowTypes.PaymentsListReply, {
      mpeAddress: net.contracts.mpe,
      channelIds: [net.channel.id.toString()],
      currentBlock: block.toString(),
      signature: signMessage(net.owner.privateKey, buildStartClaimForMultipleChannelsMessage({ mpeAddress: net.contracts.mpe, channelIds: [net.channel.id], currentBlock: block })),
    });
    const [claim] = started.reply?.['payments'] as Array<Record<string, unknown>>;
    const { publicClient } = createDevClients(net.rpcUrl, net.chainId);
    const balance = (): Promise<bigint> => publicClient.readContract({ address: net.contracts.mpe, abi: mpeAbi, functionName: 'balances', args: [net.owner.address] });
    const before = await balance();
    await multiChannelClaim(net, [{ channelId: net.channel.id, amount: PRICE * 7n, signature: claim?.['signature'] as Uint8Array }]);
    assert.equal((await balance()) - before, PRICE * 7n);
  });
});
