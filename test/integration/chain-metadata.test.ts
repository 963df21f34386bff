import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  createChainClient,
  findGroup,
  loadOrgMetadata,
  loadServiceMetadata,
  parseOrgMetadata,
  parseServiceMetadata,
  resolveNetwork,
  type ChainClient,
} from '../../src/blockchain/index.ts';
import { isSnetError } from '../../src/errors/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { buildOrgMetadata, buildServiceMetadata, DEV_ROLES, devAccount, devGroupId, startTestChain, type TestChain } from '../harness/chain.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/go-snetd/${name}`, import.meta.url));
const logger = createSilentLogger();

void describe('Go fixtures: parseServiceMetadata() / parseOrgMetadata()', () => {
  void it('behavior: service metadata with default fixed price, per-method entry, free calls', async () => {
    const md = parseServiceMetadata(await readFile(fixture('service_metadata.json')));
    assert.equal(md.mpeAddress, '0x34E2EeE197EfAAbEcC495FdF3B1781a3b894eB5f');
    assert.equal(md.serviceType, 'http');
    assert.equal(md.encoding, 'proto');
    assert.equal(md.modelIpfsHash, 'Qmd21xqgX8fkU4fD2bFMNG2Q86wAB4GmGBekQfLoiLtXYv');
    const group = findGroup(md.groups, 'default_group', 'service metadata');
    assert.deepEqual(group.defaultPricing, { priceModel: 'fixed_price', isDefault: true, priceCogs: 1n });
    assert.equal(group.freeCalls, 12n);
    assert.equal(group.freeCallSignerAddress, '0x7DF35C98f41F3Af0df1dc4c7F7D4C19a71Dd059F');
    assert.deepEqual(group.endpoints, ['https://tz-services-1.snet.sh:8005']);
    assert.equal(group.groupId?.bytes.length, 32);
    const perMethod = group.pricing[1];
    assert.equal(perMethod?.priceModel, 'fixed_price_per_method');
    assert.equal(perMethod.methodPrices.get('/example_service.Calculator/mul'), 3n);
    assert.equal(perMethod.methodPrices.get('/example_service.Calculator2/div'), 3n);
  });

  void it('behavior: legacy layout with top-level fixed_price_per_method pricing and endpoints', async () => {
    const md = parseServiceMetadata(await readFile(fixture('service_metadata_method_pricing.json')));
    const group = findGroup(md.groups, 'default_group', 'service metadata');
    assert.equal(group.defaultPricing.priceModel, 'fixed_price_per_method');
    assert.ok(group.defaultPricing.priceModel === 'fixed_price_per_method');
    assert.equal(group.defaultPricing.methodPrices.get('/example_service.Calculator/add'), 2n);
    assert.equal(group.defaultPricing.methodPrices.size, 8);
    assert.deepEqual(group.endpoints, ['127.0.0.1:8080']);
    assert.equal(md.mpeAddress, '0x27CFC34Aa127E4fb2Bee50563F15489fea20dA58');
  });

  void it('behavior: org metadata with two groups and etcd client settings', async () => {
    const md = parseOrgMetadata(await readFile(fixture('org_metadata.json')));
    assert.equal(md.orgId, 'org_id1');
    assert.deepEqual(md.groups.map((g) => g.groupName), ['default_group2', 'default_group']);
    const group = findGroup(md.groups, 'default_group', 'organization metadata');
    assert.equal(group.paymentAddress, '0x671276c61943A35D5F230d076bDFd91B0c47bF09');
    assert.equal(group.paymentExpirationThreshold, 40320n);
    assert.deepEqual(group.storageClient, { endpoints: ['http://127.0.0.1:2379'], connectionTimeoutMs: 15_000, requestTimeoutMs: 13_000 });
    assert.equal(group.groupId.base64, '99ybRIg2wAx55mqVsA6sB4S7WxPQHNKqa4BPu/bhj+U=');
    assert.deepEqual(group.licenseServerEndpoints, ['https://licensendpoint:8082']);
  });

  void it('error: every org problem at once, threshold error names org, group and the snet-cli default', async () => {
    const doc = JSON.parse(await readFile(fixture('org_metadata.json'), 'utf8')) as { groups: { group_id: string; payment: Record<string, unknown> }[] };
    delete doc.groups[1]!.payment['payment_expiration_threshold'];
    doc.groups[0]!.group_id = 'AAAA';
    doc.groups[0]!.payment['payment_address'] = '0xnothex';
    assert.throws(
      () => parseOrgMetadata(doc),
      (e) => {
        assert.ok(isSnetError(e, 'METADATA_INVALID'));
        assert.match(e.message, /3 problems/);
        assert.match(e.message, /groups\[1\]\.payment\.payment_expiration_threshold: org "org_id1" group "default_group" has no payment_expiration_threshold .*snet-cli's default is 100 blocks/);
        assert.match(e.message, /groups\[0\]\.group_id: decodes to 3 bytes/);
        assert.match(e.message, /groups\[0\]\.payment\.payment_address: "0xnothex" is not a hex address/);
        return true;
      },
    );
  });

  void it('error: service metadata problems are listed together', () => {
    assert.throws(
      () => parseServiceMetadata({ mpe_address: '0x1', service_type: 'soap', groups: [{ group_name: 'g', pricing: [{ price_model: 'free' }] }] }),
      (e) => isSnetError(e, 'METADATA_INVALID') && /mpe_address/.test(e.message) && /service_type: "soap"/.test(e.message) && /unknown price model "free"/.test(e.message),
    );
    assert.throws(() => parseServiceMetadata('{not json'), (e) => isSnetError(e, 'METADATA_INVALID') && /not valid JSON/.test(e.message));
  });

  void it('error: an unknown group name lists the available ones', async () => {
    const md = parseOrgMetadata(await readFile(fixture('org_metadata.json')));
    assert.throws(() => findGroup(md.groups, 'nope', 'organization metadata'), (e) => isSnetError(e, 'METADATA_INVALID') && /default_group2, default_group/.test(e.hint ?? ''));
  });
});

void describe('metadata through Registry → IPFS on the dev chain', () => {
  let chain: TestChain;
  let client: ChainClient;
  const metadataOptions = (): { ipfsEndpoint: string } => ({ ipfsEndpoint: chain.ipfs.url });
  before(async () => {
    chain = await startTestChain();
    const network = resolveNetwork('local', { rpcHttpUrl: chain.rpcUrl });
    client = createChainClient({ logger }, { rpcHttpUrl: network.rpcHttpUrl, registryAddress: network.registryAddress, mpeAddress: chain.contracts.mpe, readRetries: 0 });
  });
  after(async () => {
    await client?.close();
    await chain?.stop();
  });
  beforeEach(async () => {
    await chain.reset();
  });

  void it('behavior: loads and verifies org and service metadata registered with snet-cli padding', async () => {
    const big = 10n ** 24n;
    const group = devGroupId('default_group');
    await chain.registerService({
      orgId: 'test-org',
      serviceId: 'calc',
      serviceMetadata: buildServiceMetadata({ mpeAddress: chain.contracts.mpe, groupName: 'default_group', groupIdBase64: group.base64, endpoints: ['http://127.0.0.1:7000'], priceCogs: big }),
    });
    const org = await loadOrgMetadata({ logger, chain: client }, { orgId: 'test-org' }, metadataOptions());
    assert.equal(org.metadata.orgId, 'test-org');
    assert.equal(org.source.kind, 'registry');
    const orgGroup = findGroup(org.metadata.groups, 'default_group', 'org');
    assert.equal(orgGroup.paymentAddress, devAccount(DEV_ROLES.owner).address);
    assert.equal(orgGroup.groupId.hex, group.hex);
    assert.equal(orgGroup.paymentExpirationThreshold, 100n);
    const service = await loadServiceMetadata({ logger, chain: client }, { orgId: 'test-org', serviceId: 'calc' }, metadataOptions());
    assert.equal(service.metadata.mpeAddress, chain.contracts.mpe);
    const serviceGroup = findGroup(service.metadata.groups, 'default_group', 'service');
    assert.deepEqual(serviceGroup.defaultPricing, { priceModel: 'fixed_price', isDefault: true, priceCogs: big });
    const registration = await client.getOrgRegistration('test-org');
    assert.deepEqual(registration?.serviceIds, ['calc']);
    assert.equal(registration?.owner, devAccount(DEV_ROLES.owner).address);
  });

  void it('error: content that does not hash to its CID is rejected naming both CIDs', async () => {
    const { orgUri } = await chain.registerService({ orgId: 'tampered-org', serviceId: 'svc' });
    const cid = orgUri.slice('ipfs://'.length);
    const tampered = buildOrgMetadata({ orgId: 'tampered-org', groupName: 'default_group', groupIdBase64: devGroupId('x').base64, paymentAddress: devAccount(DEV_ROLES.thirdParty).address });
    await chain.ipfs.putUnverified(cid, new TextEncoder().encode(JSON.stringify(tampered, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))));
    await assert.rejects(
      loadOrgMetadata({ logger, chain: client }, { orgId: 'tampered-org' }, metadataOptions()),
      (e) => {
        assert.ok(isSnetError(e, 'METADATA_CID_MISMATCH'));
        assert.match(e.message, new RegExp(`expected ${cid}, the content hashes to Qm\\w+`));
        return true;
      },
    );
    // The escape hatch for transforming gateways accepts it.
    const loaded = await loadOrgMetadata({ logger, chain: client }, { orgId: 'tampered-org' }, { ...metadataOptions(), verifyCid: false });
    assert.equal(loaded.metadata.groups[0]?.paymentAddress, devAccount(DEV_ROLES.thirdParty).address);
  });

  void it('behavior: raw-leaf CIDv1 and filecoin:// (path gateway) URIs load and verify', async () => {
    const owner = devAccount(DEV_ROLES.owner).address;
    const group = devGroupId('default_group');
    const doc = buildOrgMetadata({ orgId: 'v1-org', groupName: 'default_group', groupIdBase64: group.base64, paymentAddress: owner });
    const bytes = new TextEncoder().encode(JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)));
    const cidV1 = await chain.ipfs.add(bytes, { cidVersion: 1 });
    assert.match(cidV1, /^bafkrei/);
    await chain.actions.createOrganization({ ownerIndex: DEV_ROLES.owner, orgId: 'v1-org', metadataUri: `ipfs://${cidV1}` });
    const viaIpfs = await loadOrgMetadata({ logger, chain: client }, { orgId: 'v1-org' }, metadataOptions());
    assert.equal(viaIpfs.metadata.orgId, 'v1-org');

    const cidV0 = await chain.ipfs.add(bytes);
    await chain.actions.changeOrganizationMetadata({ ownerIndex: DEV_ROLES.owner, orgId: 'v1-org', metadataUri: `filecoin://${cidV0}` });
    const viaGateway = await loadOrgMetadata({ logger, chain: client }, { orgId: 'v1-org' }, { ipfsEndpoint: 'http://127.0.0.1:1', lighthouseEndpoint: chain.ipfs.gatewayUrl });
    assert.deepEqual(viaGateway.source, { kind: 'registry', location: { scheme: 'filecoin', cid: cidV0, uri: `filecoin://${cidV0}` } });
  });

  void it('error: the RPC endpoint serving another chain is named at start-up', async () => {
    await client.verifyChainId(31337, 'local');
    await assert.rejects(client.verifyChainId(1, 'main'), (e) => isSnetError(e, 'CHAIN_NETWORK_UNKNOWN') && /serves chain id 31337, but network "main" is chain id 1/.test(e.message));
  });

  void it('error: unregistered org/service → REGISTRY_NOT_FOUND', async () => {
    await assert.rejects(loadOrgMetadata({ logger, chain: client }, { orgId: 'nobody' }, metadataOptions()), (e) => isSnetError(e, 'REGISTRY_NOT_FOUND'));
    await assert.rejects(loadServiceMetadata({ logger, chain: client }, { orgId: 'nobody', serviceId: 'x' }, metadataOptions()), (e) => isSnetError(e, 'REGISTRY_NOT_FOUND'));
  });

  void it('behavior: metadata from local files needs no chain', async () => {
    const loaded = await loadServiceMetadata({ logger }, { orgId: 'o', serviceId: 's' }, { ipfsEndpoint: 'http://127.0.0.1:1', serviceMetadataFile: fixture('service_metadata.json') });
    assert.deepEqual(loaded.source, { kind: 'file', path: fixture('service_metadata.json') });
    await assert.rejects(
      loadOrgMetadata({ logger }, { orgId: 'o' }, { ipfsEndpoint: 'http://127.0.0.1:1', orgMetadataFile: fixture('missing.json') }),
      (e) => isSnetError(e, 'METADATA_FETCH_FAILED') && /missing\.json/.test(e.message),
    );
  });

  void it('behavior: reads a channel; an unknown channel is undefined', async () => {
    const recipient = devAccount(DEV_ROLES.owner).address;
    const signer = devAccount(DEV_ROLES.signer).address;
    const groupId = devGroupId('default_group').hex;
    const head = await client.getBlockNumber();
    const channelId = await chain.actions.openChannel({ recipient, signer, groupId, valueCogs: 12_345n, expiration: head + 1000n });
    const channel = await client.getChannel(channelId);
    assert.deepEqual(channel, {
      channelId,
      nonce: 0n,
      sender: devAccount(DEV_ROLES.client).address,
      signer,
      recipient,
      groupId,
      value: 12_345n,
      expiration: head + 1000n,
    });
    assert.equal(await client.getChannel(999n), undefined);
    // Token and escrow balances (free-call balance checks read balanceOf).
    await chain.actions.mint(devAccount(DEV_ROLES.spare).address, 777n);
    assert.equal(await client.getTokenBalance(devAccount(DEV_ROLES.spare).address, chain.contracts.token), 777n);
    assert.equal(await client.getEscrowBalance(devAccount(DEV_ROLES.client).address), 0n);
  });

  void it('behavior: block number is cached and concurrent callers share one request', async () => {
    const first = await Promise.all([client.getBlockNumber(), client.getBlockNumber(), client.getBlockNumber()]);
    assert.equal(new Set(first).size, 1);
  });

  void it('error: an unreachable RPC endpoint is CHAIN_UNAVAILABLE without leaking the URL path', async () => {
    const dead = createChainClient({ logger }, { rpcHttpUrl: 'http://127.0.0.1:1/v3/secret-key', registryAddress: chain.contracts.registry, readRetries: 1, retryBaseDelayMs: 1 });
    await assert.rejects(dead.getOrgRegistration('x'), (e) => {
      assert.ok(isSnetError(e, 'CHAIN_UNAVAILABLE'));
      assert.doesNotMatch(e.message, /secret-key/);
      return true;
    });
    // A wrong contract address is not a transport failure.
    const wrong = createChainClient({ logger }, { rpcHttpUrl: chain.rpcUrl, registryAddress: devAccount(DEV_ROLES.spare).address, readRetries: 0 });
    await assert.rejects(wrong.getOrgRegistration('x'), (e) => isSnetError(e, 'CHAIN_CALL_FAILED'));
  });
});
