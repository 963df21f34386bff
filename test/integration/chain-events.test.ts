import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createChainClient, watchMetadata, type ChainClient, type ChainEvent, type OrgMetadata, type ServiceMetadata } from '../../src/blockchain/index.ts';
import { isSnetError, type SnetError } from '../../src/errors/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { buildOrgMetadata, buildServiceMetadata, DEV_ROLES, devAccount, devGroupId, startTestChain, type TestChain } from '../harness/chain.ts';

const logger = createSilentLogger();

/** Collects events and lets a test await the first one matching a predicate. */
function eventSink(): { push: (events: readonly ChainEvent[]) => void; next: (match: (e: ChainEvent) => boolean) => Promise<ChainEvent> } {
  const seen: ChainEvent[] = [];
  const waiters: { match: (e: ChainEvent) => boolean; resolve: (e: ChainEvent) => void }[] = [];
  return {
    push: (events) => {
      for (const event of events) {
        seen.push(event);
        for (const waiter of [...waiters]) {
          if (waiter.match(event)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(event);
          }
        }
      }
    },
    next: (match) => {
      const found = seen.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

/** A queue of values delivered by a callback, awaited one by one. */
function queue<T>(): { push: (value: T) => void; shift: () => Promise<T> } {
  const values: T[] = [];
  const waiting: ((value: T) => void)[] = [];
  return {
    push: (value) => {
      const waiter = waiting.shift();
      if (waiter === undefined) values.push(value);
      else waiter(value);
    },
    shift: () => (values.length > 0 ? Promise.resolve(values.shift() as T) : new Promise((resolve) => waiting.push(resolve))),
  };
}

void describe('chain events seen by a running watcher (no restart)', { timeout: 120_000 }, () => {
  let chain: TestChain;
  let client: ChainClient;
  const groupId = devGroupId('default_group');
  before(async () => {
    chain = await startTestChain();
    client = createChainClient(
      { logger },
      { rpcHttpUrl: chain.rpcUrl, registryAddress: chain.contracts.registry, mpeAddress: chain.contracts.mpe, readRetries: 0, blockNumberCacheMs: 0, eventPollIntervalMs: 25 },
    );
  });
  after(async () => {
    await client?.close();
    await chain?.stop();
  });
  beforeEach(async () => {
    await chain.reset();
  });

  void it('behavior: ChannelOpen, ChannelAddFunds and ChannelExtend reach the subscriber', async () => {
    const sink = eventSink();
    const watcher = client.watchEvents({ onEvents: sink.push });
    await watcher.ready;
    try {
      const recipient = devAccount(DEV_ROLES.owner).address;
      const head = await client.getBlockNumber();
      const channelId = await chain.actions.openChannel({ recipient, groupId: groupId.hex, valueCogs: 100n, expiration: head + 500n });
      const opened = await sink.next((e) => e.kind === 'ChannelOpen');
      assert.ok(opened.kind === 'ChannelOpen');
      assert.equal(opened.channelId, channelId);
      assert.equal(opened.recipient, recipient);
      assert.equal(opened.amount, 100n);

      await chain.actions.addFunds({ fromIndex: DEV_ROLES.client, channelId, amountCogs: 50n });
      const funded = await sink.next((e) => e.kind === 'ChannelAddFunds');
      assert.ok(funded.kind === 'ChannelAddFunds');
      assert.deepEqual([funded.channelId, funded.additionalFunds], [channelId, 50n]);

      await chain.actions.extendChannel({ senderIndex: DEV_ROLES.client, channelId, expiration: head + 9000n });
      const extended = await sink.next((e) => e.kind === 'ChannelExtend');
      assert.ok(extended.kind === 'ChannelExtend');
      assert.deepEqual([extended.channelId, extended.newExpiration], [channelId, head + 9000n]);
      assert.ok(funded.blockNumber < extended.blockNumber);

      const channel = await client.getChannel(channelId);
      assert.equal(channel?.value, 150n);
      assert.equal(channel?.expiration, head + 9000n);
    } finally {
      await watcher.stop();
    }
  });

  void it('behavior: organization and service metadata changes are reloaded without restart', async () => {
    const owner = devAccount(DEV_ROLES.owner).address;
    await chain.registerService({ orgId: 'hot-org', serviceId: 'svc' });
    const orgUpdates = queue<OrgMetadata>();
    const serviceUpdates = queue<ServiceMetadata>();
    const errors = queue<SnetError>();
    const watcher = watchMetadata(
      { logger, chain: client },
      {
        orgId: 'hot-org',
        serviceId: 'svc',
        metadata: { ipfsEndpoint: chain.ipfs.url },
        pollIntervalMs: 25,
        onOrgMetadata: orgUpdates.push,
        onServiceMetadata: serviceUpdates.push,
        onError: errors.push,
      },
    );
    await watcher.ready;
    try {
      // The recipient moves to a new address and the threshold changes.
      const newRecipient = devAccount(DEV_ROLES.spare).address;
      const orgV2 = await chain.publishJson(
        buildOrgMetadata({ orgId: 'hot-org', groupName: 'default_group', groupIdBase64: groupId.base64, paymentAddress: newRecipient, paymentExpirationThreshold: 250n, etcdEndpoints: ['http://127.0.0.1:2379'] }),
      );
      await chain.actions.changeOrganizationMetadata({ ownerIndex: DEV_ROLES.owner, orgId: 'hot-org', metadataUri: orgV2.uri });
      const org = await orgUpdates.shift();
      assert.equal(org.groups[0]?.paymentAddress, newRecipient);
      assert.equal(org.groups[0]?.paymentExpirationThreshold, 250n);
      assert.deepEqual(org.groups[0]?.storageClient.endpoints, ['http://127.0.0.1:2379']);

      const serviceV2 = await chain.publishJson(
        buildServiceMetadata({ mpeAddress: chain.contracts.mpe, groupName: 'default_group', groupIdBase64: groupId.base64, endpoints: ['http://127.0.0.1:7001'], priceCogs: 7n }),
      );
      await chain.actions.updateService({ ownerIndex: DEV_ROLES.owner, orgId: 'hot-org', serviceId: 'svc', metadataUri: serviceV2.uri });
      const service = await serviceUpdates.shift();
      assert.deepEqual(service.groups[0]?.defaultPricing, { priceModel: 'fixed_price', isDefault: true, priceCogs: 7n });

      // Invalid new metadata is reported and not delivered.
      const broken = await chain.publishJson({ org_id: 'hot-org', groups: [{ group_name: 'default_group', group_id: groupId.base64, payment: { payment_address: owner } }] });
      await chain.actions.changeOrganizationMetadata({ ownerIndex: DEV_ROLES.owner, orgId: 'hot-org', metadataUri: broken.uri });
      const error = await errors.shift();
      assert.ok(isSnetError(error, 'METADATA_INVALID'));
      assert.match(error.message, /payment_expiration_threshold/);
    } finally {
      await watcher.stop();
    }
  });

  void it('behavior: events of another organization are filtered out', async () => {
    const sink = eventSink();
    const watcher = client.watchEvents({ orgId: 'mine', mpeAddress: null, onEvents: sink.push });
    await watcher.ready;
    try {
      await chain.registerService({ orgId: 'other', serviceId: 's' });
      await chain.registerService({ orgId: 'mine', serviceId: 's' });
      const created = await sink.next((e) => e.kind === 'OrganizationCreated');
      assert.ok(created.kind === 'OrganizationCreated');
      assert.equal(created.orgId, 'mine');
    } finally {
      await watcher.stop();
    }
  });
});
