// Metadata hot reload (payment_channel_storage_client.hot_reload): the provider publishes new service
// metadata with another price and new org metadata with another threshold; the running daemon applies them
// to the next paid call without a restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildOrgMetadata, buildServiceMetadata, createDevActions, createDevClients, DEV_ROLES, publishJson, startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { createCalculatorClient, escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';

void describe('payment metadata hot reload', () => {
  let net: DevNetwork;
  let paid: PaidDaemon;
  let calculator: ReturnType<typeof createCalculatorClient>;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: 2n });
    paid = await startPaidDaemon(net, { 'payment_channel_storage_client.hot_reload': true });
    calculator = createCalculatorClient(paid.target, net.serviceProtoFile);
  });

  after(async () => {
    calculator.close();
    await paid.stop();
    await net.stop();
  });

  const pay = (amount: bigint): ReturnType<typeof escrowMetadata> =>
    escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount });

  void it('behavior: a new price and a new expiration threshold apply to the next call', async () => {
    assert.equal((await calculator.call('add', 1, 1, pay(2n))).value, 2);
    const actions = createDevActions(createDevClients(net.rpcUrl, net.chainId), net.contracts);

    const service = await publishJson(
      net.ipfsUrl,
      buildServiceMetadata({ mpeAddress: net.contracts.mpe, groupName: net.groupName, groupIdBase64: net.groupId.base64, endpoints: [`http://${paid.target}`], priceCogs: 5n }),
    );
    const reloaded = paid.waitForLog(/service metadata applied/);
    await actions.updateService({ ownerIndex: DEV_ROLES.owner, orgId: net.orgId, serviceId: net.serviceId, metadataUri: service.uri });
    await reloaded;
    assert.equal((await calculator.call('add', 1, 1, pay(4n))).error?.details, 'income 2 does not equal to price 5');
    assert.equal((await calculator.call('add', 2, 2, pay(7n))).value, 4);

    // A threshold beyond the channel's expiration makes the channel "near to be expired".
    const org = await publishJson(
      net.ipfsUrl,
      buildOrgMetadata({ orgId: net.orgId, groupName: net.groupName, groupIdBase64: net.groupId.base64, paymentAddress: net.owner.address, paymentExpirationThreshold: 10_000_000n }),
    );
    const orgReloaded = paid.waitForLog(/organization metadata applied/);
    await actions.changeOrganizationMetadata({ ownerIndex: DEV_ROLES.owner, orgId: net.orgId, metadataUri: org.uri });
    await orgReloaded;
    const refused = await calculator.call('add', 1, 1, pay(12n));
    assert.match(refused.error?.details ?? '', /^payment channel is near to be expired, .* expiration threshold: 10000000$/);
  });
});
