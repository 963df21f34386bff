// Drives the unmodified npm `snet-sdk` (2.0.0, the official Node client) against a dev network and a
// snetd-ts daemon: addresses for chain 31337 are injected into the SDK's own require-cached networks JSON
// (no file changed) and metadata comes through the SDK's
// `metadataProvider` hook (org payment block merged into the service groups, as the SDK's IPFS provider does).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hex } from 'viem';
import { fetchMetadataContent, parseMetadataUri } from '../../src/blockchain/index.ts';
import { createDevClients, type DevNetwork } from '../../src/devnet/index.ts';

/** A paid escrow client made by the official SDK. */
export interface OfficialSdkClient {
  /** `example_service.Calculator/<method>` through the SDK's payment interceptor. */
  call(method: 'add' | 'mul', a: number, b: number): Promise<number>;
  /** The SDK's view of the channel after syncing with the daemon (GetChannelState). */
  channelState(): Promise<{ nonce: string; currentSignedAmount: string }>;
}

/** The hash of the transaction that created `address` (the SDK scans ChannelOpen events from that block). */
async function deploymentTransaction(net: DevNetwork, address: string): Promise<Hex> {
  const { publicClient } = createDevClients(net.rpcUrl, net.chainId);
  for (let block = 0n; block <= net.contracts.deployBlock; block++) {
    const { transactions } = await publicClient.getBlock({ blockNumber: block, includeTransactions: true });
    for (const tx of transactions) {
      if (tx.to !== null) continue;
      const receipt = await publicClient.getTransactionReceipt({ hash: tx.hash });
      if (receipt.contractAddress?.toLowerCase() === address.toLowerCase()) return tx.hash;
    }
  }
  throw new Error(`no deployment transaction found for ${address}`);
}

type Json = Record<string, unknown>;

/** The dev network's service and org metadata JSON as published on its IPFS (what the SDK's metadata provider returns). */
export async function loadDevMetadata(net: DevNetwork): Promise<{ service: Json; org: Json }> {
  const read = async (uri: string): Promise<Json> => {
    const location = parseMetadataUri(uri);
    if (location === undefined) throw new Error(`not a metadata URI: ${uri}`);
    return JSON.parse(new TextDecoder().decode(await fetchMetadataContent(location, { ipfsEndpoint: net.ipfsUrl }))) as Json;
  };
  return { service: await read(net.serviceMetadataUri), org: await read(net.orgMetadataUri) };
}

/** How the SDK client pays. */
export interface OfficialSdkOptions {
  /**
   * `'escrow'` (the default here): `concurrency: false`, one signed payment per call. `'default'`: the SDK's own
   * defaults, untouched (its DefaultPaymentStrategy: free calls when available, else prepaid-call with tokens
   * from TokenService/GetToken, since `concurrency` defaults to true).
   */
  readonly mode?: 'escrow' | 'default';
  /** More SDK client options, e.g. its pre-v6 free-call `email`, `tokenToMakeFreeCall`, `tokenExpirationBlock`. */
  readonly extra?: Json;
}

/**
 * Creates an SDK service client for the dev network's Calculator, calling `daemonTarget` (escrow mode unless
 * `options.mode` is `'default'`). The SDK writes `./logs/*.log` into the working directory on load: pass `workDir`.
 */
export async function createOfficialSdkClient(
  net: DevNetwork,
  daemonTarget: string,
  metadata: { service: Json; org: Json },
  workDir: string,
  options: OfficialSdkOptions = {},
): Promise<OfficialSdkClient> {
  const require = createRequire(import.meta.url);
  const sdkDir = dirname(require.resolve('snet-sdk'));
  const fromSdk = (m: string): Json => require(require.resolve(m, { paths: [sdkDir] })) as Json;
  const [mpeTx, registryTx, tokenTx] = await Promise.all([
    deploymentTransaction(net, net.contracts.mpe),
    deploymentTransaction(net, net.contracts.registry),
    deploymentTransaction(net, net.contracts.token),
  ]);
  fromSdk('singularitynet-platform-contracts/networks/MultiPartyEscrow.json')[net.chainId] = { address: net.contracts.mpe, transactionHash: mpeTx };
  fromSdk('singularitynet-platform-contracts/networks/Registry.json')[net.chainId] = { address: net.contracts.registry, transactionHash: registryTx };
  fromSdk('singularitynet-token-contracts/networks/SingularityNetToken.json')[net.chainId] = { address: net.contracts.token, transactionHash: tokenTx };

  const previousCwd = process.cwd();
  process.chdir(workDir);
  let sdkModule: { default: new (config: Json, metadataProvider?: unknown) => { createServiceClient(...args: unknown[]): Promise<unknown> } };
  try {
    sdkModule = require('snet-sdk') as typeof sdkModule;
  } finally {
    process.chdir(previousCwd);
  }
  // On load the SDK adds a console transport at debug level: its `debug:` lines would fill the test
  // output. Warnings and errors still show; its ./logs files (in workDir) keep the info lines.
  const sdkLogger = (require(join(sdkDir, 'sdk-core.js')) as { logger?: { transports?: Array<{ level?: string; name?: string }> } }).logger;
  for (const transport of sdkLogger?.transports ?? []) if (transport.name === 'console') transport.level = 'warn';
  const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  const loader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  const calc = (grpc.loadPackageDefinition(loader.loadSync(net.serviceProtoFile, { keepCase: true })) as unknown as { example_service: { Calculator: unknown } }).example_service;

  const orgGroups = metadata.org['groups'] as Json[];
  const merged = {
    ...metadata.service,
    groups: (metadata.service['groups'] as Json[]).map((g) => ({ ...g, payment: orgGroups.find((o) => o['group_name'] === g['group_name'])?.['payment'] })),
  };
  const sdk = new sdkModule.default(
    { web3Provider: net.rpcUrl, privateKey: net.client.privateKey, networkId: net.chainId, ipfsEndpoint: net.ipfsUrl },
    { metadata: () => Promise.resolve(merged) },
  );
  const clientOptions = { ...(options.mode === 'default' ? { endpoint: `http://${daemonTarget}` } : { concurrency: false, endpoint: `http://${daemonTarget}` }), ...options.extra };
  const client = (await sdk.createServiceClient(net.orgId, net.serviceId, calc.Calculator, net.groupName, null, clientOptions)) as {
    service: Record<string, (req: unknown, cb: (e: Error | null, v?: { value: number }) => void) => void>;
    loadOpenChannels(): Promise<unknown>;
    updateChannelStates(): Promise<Array<{ state: { nonce: { toString(): string }; currentSignedAmount: { toString(): string } } }>>;
  };
  return {
    call: (method, a, b) =>
      new Promise((resolve, reject) => {
        client.service[method]?.call(client.service, { a, b }, (err, value) => (err === null ? resolve(value?.value ?? NaN) : reject(err)));
      }),
    channelState: async () => {
      await client.loadOpenChannels();
      const [channel] = await client.updateChannelStates();
      if (channel === undefined) throw new Error('the SDK found no channel');
      return { nonce: channel.state.nonce.toString(), currentSignedAmount: channel.state.currentSignedAmount.toString() };
    },
  };
}
