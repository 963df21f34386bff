import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  createChainClient,
  fetchMetadataContent,
  findGroup,
  loadOrgMetadata,
  loadServiceMetadata,
  resolveNetwork,
} from '../../src/blockchain/index.ts';
import { LEGACY_LOCAL_ADDRESSES, startDevNetwork } from '../../src/devnet/index.ts';
import { isSnetError } from '../../src/errors/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';

const logger = createSilentLogger();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

void describe('startDevNetwork()', () => {
  void it('behavior: brings up chain, contracts, IPFS, registered org/service, example service and a funded channel; stops cleanly', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'snetd-devnet-test-'));
    const net = await startDevNetwork({ logger, dataDir, daemonEndpoint: 'http://127.0.0.1:7777' });
    try {
      assert.equal(net.chainId, 31337);
      assert.equal(net.contracts.registry, LEGACY_LOCAL_ADDRESSES.registry);
      assert.equal(net.contracts.mpe, LEGACY_LOCAL_ADDRESSES.mpe);
      assert.ok(net.deployFile !== undefined);

      // A daemon configured from the deploy file sees everything through Registry → IPFS.
      const network = resolveNetwork('local', { deployFile: net.deployFile });
      assert.equal(network.rpcHttpUrl, net.rpcUrl);
      const chain = createChainClient({ logger }, { rpcHttpUrl: network.rpcHttpUrl, registryAddress: network.registryAddress, readRetries: 0 });
      const metadataOptions = { ipfsEndpoint: net.ipfsUrl, lighthouseEndpoint: net.ipfsGatewayUrl };
      const service = await loadServiceMetadata({ logger, chain }, { orgId: net.orgId, serviceId: net.serviceId }, metadataOptions);
      const org = await loadOrgMetadata({ logger, chain }, { orgId: net.orgId }, metadataOptions);
      const serviceGroup = findGroup(service.metadata.groups, net.groupName, 'service metadata');
      const orgGroup = findGroup(org.metadata.groups, net.groupName, 'org metadata');
      assert.deepEqual(serviceGroup.endpoints, ['http://127.0.0.1:7777']);
      assert.deepEqual(serviceGroup.defaultPricing, { priceModel: 'fixed_price', isDefault: true, priceCogs: net.priceCogs });
      assert.equal(orgGroup.paymentAddress, net.owner.address);
      assert.equal(orgGroup.groupId.hex, net.groupId.hex);

      // The proto tarball is published as service_api_source and passes the CID check.
      assert.ok(service.metadata.serviceApiSource !== undefined);
      const tar = await fetchMetadataContent(service.metadata.serviceApiSource, metadataOptions);
      assert.match(new TextDecoder().decode(tar), /service Calculator/);

      const channel = await chain.getChannel(net.channel.id, service.metadata.mpeAddress);
      assert.equal(channel?.sender, net.client.address);
      assert.equal(channel?.recipient, orgGroup.paymentAddress);
      assert.equal(channel?.groupId, orgGroup.groupId.hex);
      assert.equal(channel?.value, net.channel.valueCogs);
      assert.ok((channel?.expiration ?? 0n) > (await chain.getBlockNumber()) + orgGroup.paymentExpirationThreshold);
      await chain.close();

      // The example AI service answers plain gRPC.
      const definition = protoLoader.loadSync(net.serviceProtoFile, { keepCase: true });
      const pkg = grpc.loadPackageDefinition(definition) as unknown as { example_service: { Calculator: grpc.ServiceClientConstructor } };
      type Calculator = grpc.Client & { add(request: { a: number; b: number }, callback: (err: grpc.ServiceError | null, value?: { value: number }) => void): void };
      const calc = new pkg.example_service.Calculator(new URL(net.serviceEndpoint).host, grpc.credentials.createInsecure()) as unknown as Calculator;
      const result = await new Promise<{ value: number }>((resolve, reject) => {
        calc.add({ a: 2, b: 3 }, (err, value) => (err === null && value !== undefined ? resolve(value) : reject(err ?? new Error('no value'))));
      });
      assert.equal(result.value, 5);
      calc.close();

      const devnetFile = JSON.parse(await readFile(net.deployFile, 'utf8')) as { daemonConfig: Record<string, unknown> };
      assert.equal(devnetFile.daemonConfig['service_endpoint'], net.serviceEndpoint);
      assert.equal(devnetFile.daemonConfig['blockchain_network_selected'], 'local');
    } finally {
      await net.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
    for (const pid of net.childPids) assert.equal(isAlive(pid), false, `child ${pid} still running`);
    for (const url of [net.rpcUrl, net.ipfsUrl, net.serviceEndpoint]) assert.equal(await refused(url), true, `${url} still accepts connections`);
  });

  void it('error: a busy port is DEVNET_START_FAILED and the parts that did start are stopped', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const busyPort = (blocker.address() as AddressInfo).port;
    const ipfsProbe = createServer();
    ipfsProbe.listen(0, '127.0.0.1');
    await once(ipfsProbe, 'listening');
    const ipfsPort = (ipfsProbe.address() as AddressInfo).port;
    ipfsProbe.close();
    await once(ipfsProbe, 'close');
    try {
      await assert.rejects(startDevNetwork({ logger, chainPort: busyPort, ipfsPort }), (e) => isSnetError(e, 'DEVNET_START_FAILED') && /hardhat node did not start/.test(e.message));
      // The IPFS server started on ipfsPort and must have been closed again.
      assert.equal(await refused(`http://127.0.0.1:${ipfsPort}`), true);
    } finally {
      blocker.close();
    }
  });
});
