// Issue #4 acceptance through a running daemon: channel changes made on chain (ChannelAddFunds,
// ChannelExtend) are honoured by the next call, with no restart of the daemon.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDevActions, createDevClients, DEV_ROLES, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { createCalculatorClient, currentBlock, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

const PRICE = 10n;
const UNAUTHENTICATED = 16;

describe('channel changes on chain reach a running daemon', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let calculator: ReturnType<typeof createCalculatorClient>;
  let actions: ReturnType<typeof createDevActions>;

  before(async () => {
    // 25 cogs: room for two calls at 10 cogs.
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: PRICE, channelValueCogs: 25n });
    paid = await startPaidDaemon(net);
    calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
    actions = createDevActions(createDevClients(net.rpcUrl, net.chainId), net.contracts);
  });

  after(async () => {
    calculator.close();
    await paid.stop();
    await net.stop();
  });

  const call = (channelId: bigint, amount: bigint) =>
    calculator.call('add', 1, 2, escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId, nonce: 0n, amount }));

  it('behavior: ChannelAddFunds lets the next call through', async () => {
    assert.equal((await call(net.channel.id, 10n)).value, 3);
    assert.equal((await call(net.channel.id, 20n)).value, 3);
    const refused = await call(net.channel.id, 30n);
    assert.equal(refused.error?.code, UNAUTHENTICATED, 'a third call is more than the channel holds');
    await actions.addFunds({ fromIndex: DEV_ROLES.client, channelId: net.channel.id, amountCogs: 100n });
    const accepted = await call(net.channel.id, 30n);
    assert.equal(accepted.error, undefined, accepted.error?.message);
    assert.equal(accepted.value, 3);
  });

  it('behavior: ChannelExtend lets calls through on a channel that was too close to expiry', async () => {
    // The dev metadata's payment_expiration_threshold is 100 blocks: 50 blocks left is too few.
    const expiring = await actions.openChannel({
      senderIndex: DEV_ROLES.client,
      recipient: net.owner.address,
      groupId: net.groupId.hex,
      valueCogs: 1000n,
      expiration: (await currentBlock(net)) + 50n,
    });
    const refused = await call(expiring, 10n);
    assert.equal(refused.error?.code, UNAUTHENTICATED);
    assert.match(refused.error?.details ?? '', /expir/i);
    await actions.extendChannel({ senderIndex: DEV_ROLES.client, channelId: expiring, expiration: (await currentBlock(net)) + 10_000n });
    const accepted = await call(expiring, 10n);
    assert.equal(accepted.error, undefined, accepted.error?.message);
    assert.equal(accepted.value, 3);
  });
});
