import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { SnetError, errorFromUnknown } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import { DEV_ROLES, devAccount } from './accounts.ts';
import { startChainProcess, type ChainProcess } from './chain-process.ts';
import { createDevActions, publishJson } from './dev-actions.ts';
import { createDevClients } from './dev-clients.ts';
import { buildOrgMetadata, buildServiceMetadata, devGroupId } from './dev-metadata.ts';
import { deployContracts } from './deploy.ts';
import { EXAMPLE_SERVICE_PROTO, startExampleService } from './example-service/example-service.ts';
import { startTranslatedExample, type DevServiceType, type TranslatedExample } from './example-service/translated-examples.ts';
import { startIpfsServer, type IpfsServer } from './ipfs-server.ts';
import { tarFiles } from './tar-files.ts';

/** Options of {@link startDevNetwork}; everything has a working default. */
export interface DevNetworkOptions {
  readonly logger: Logger;
  /** Folder for the generated Hardhat config and `devnet.json` (the deploy file); a temp folder otherwise. */
  readonly dataDir?: string;
  /** Ports on 127.0.0.1; 0 (default) picks free ones. */
  readonly chainPort?: number;
  readonly ipfsPort?: number;
  readonly servicePort?: number;
  /** Address clients should call, written into the service metadata `endpoints`. @default "http://127.0.0.1:7000" */
  readonly daemonEndpoint?: string;
  /** Also mine a block every N ms so block numbers advance like a real chain. @default 0 (only on transactions) */
  readonly blockIntervalMs?: number;
  /** @default "snetd-dev-org" */
  readonly orgId?: string;
  /** @default "example-service" */
  readonly serviceId?: string;
  /** @default "default_group" */
  readonly groupName?: string;
  /** Fixed price per call in cogs. @default 1 */
  readonly priceCogs?: bigint;
  /** Funds in the client's channel, in cogs (AGIX has 8 decimals). @default 1000 AGIX */
  readonly channelValueCogs?: bigint;
  /** The example service's type (service metadata `service_type`): the gRPC calculator or a translated one. @default "grpc" */
  readonly serviceType?: DevServiceType;
  /** Free calls per user in the service metadata (signed by the dev free-call signer; 0 = none). @default 5 */
  readonly freeCalls?: number;
}

/** A dev account as printed for the developer (public test keys; dev chains only). */
export interface DevNetworkAccount {
  readonly address: Address;
  readonly privateKey: Hex;
}

/** Everything the daemon (and a developer) needs to use the running dev network. */
export interface DevNetwork {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly chainId: number;
  readonly contracts: { readonly registry: Address; readonly mpe: Address; readonly token: Address; readonly deployBlock: bigint };
  /** Kubo-RPC-compatible endpoint (`ipfs_endpoint`) and path gateway (`lighthouse_endpoint`). */
  readonly ipfsUrl: string;
  readonly ipfsGatewayUrl: string;
  readonly orgId: string;
  readonly serviceId: string;
  readonly groupName: string;
  readonly groupId: { readonly hex: Hex; readonly base64: string };
  readonly orgMetadataUri: string;
  readonly serviceMetadataUri: string;
  /** The example service's `service_type`. */
  readonly serviceType: DevServiceType;
  /** The example AI service (`service_endpoint`, or `executable_path` for the process type) and its proto. */
  readonly serviceEndpoint: string;
  readonly serviceProtoFile: string;
  /** What the metadata advertises to clients. */
  readonly daemonEndpoint: string;
  readonly priceCogs: bigint;
  /** Free calls per user granted by the service metadata. */
  readonly freeCalls: number;
  /** The service's free-call signer (metadata `free_call_signer_address`; its key is the daemon's `private_key_for_free_calls`). */
  readonly freeCallSigner: DevNetworkAccount;
  /** An open, funded channel from `client` to the group's payment address, signed by `client`. */
  readonly channel: { readonly id: bigint; readonly sender: Address; readonly signer: Address; readonly recipient: Address; readonly valueCogs: bigint; readonly expiration: bigint };
  /** Channel sender and signer. */
  readonly client: DevNetworkAccount;
  /** Organization owner and `payment_address` (the recipient who claims). */
  readonly owner: DevNetworkAccount;
  /** The deploy file written to `dataDir` (readable by `resolveNetwork('local', { deployFile })`), if any. */
  readonly deployFile: string | undefined;
  /** snetd config keys pointing a daemon at this network. */
  readonly daemonConfig: Readonly<Record<string, string | boolean>>;
  /** PIDs of the child processes (the chain); the rest runs in this process. */
  readonly childPids: readonly number[];
  /** Stops every child by PID and closes the in-process servers. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Brings up a complete local SingularityNET network on 127.0.0.1 with no accounts to create: a Hardhat
 * dev chain (31337) with the real token, MPE and Registry from the npm bytecode at the legacy local
 * addresses, a local IPFS endpoint, an organization and a service registered with real metadata, the
 * example calculator service, and a funded client channel. Throws `DEVNET_START_FAILED` (and stops what
 * was started) when any part fails.
 */
export async function startDevNetwork(options: DevNetworkOptions): Promise<DevNetwork> {
  const log = options.logger.child({ component: 'devnet' });
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(started.map((part) => part.stop()));
  };
  try {
    if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
    // allSettled, not all: when one part fails, the others must be stopped too, even if they finish later.
    const serviceType = options.serviceType ?? 'grpc';
    const [chainResult, ipfsResult, serviceResult] = await Promise.allSettled([
      startChainProcess(
        { logger: options.logger },
        { port: options.chainPort ?? 0, blockIntervalMs: options.blockIntervalMs ?? 0, ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }) },
      ),
      startIpfsServer({ logger: options.logger }, { port: options.ipfsPort ?? 0 }),
      serviceType === 'grpc'
        ? startExampleService({ logger: options.logger }, { port: options.servicePort ?? 0 }).then((grpc) => ({
            // The daemon's heartbeat asks the service's own health service (the example serves grpc.health.v1).
            daemonConfig: { service_endpoint: grpc.endpoint, service_heartbeat_type: 'grpc', heartbeat_endpoint: `127.0.0.1:${grpc.port}` },
            location: grpc.endpoint,
            stop: () => grpc.stop(),
          }))
        : startTranslatedExample({ logger: options.logger }, serviceType, { port: options.servicePort ?? 0 }),
    ]);
    for (const result of [chainResult, ipfsResult, serviceResult]) if (result.status === 'fulfilled') started.push(result.value);
    for (const result of [chainResult, ipfsResult, serviceResult]) if (result.status === 'rejected') throw result.reason;
    const chain = (chainResult as PromiseFulfilledResult<ChainProcess>).value;
    const ipfs = (ipfsResult as PromiseFulfilledResult<IpfsServer>).value;
    const service = (serviceResult as PromiseFulfilledResult<TranslatedExample>).value;
    const clients = createDevClients(chain.rpcUrl, chain.chainId);
    const contracts = await deployContracts(clients);
    const actions = createDevActions(clients, contracts);

    const orgId = options.orgId ?? 'snetd-dev-org';
    const serviceId = options.serviceId ?? 'example-service';
    const groupName = options.groupName ?? 'default_group';
    const groupId = devGroupId(groupName);
    const owner = devAccount(DEV_ROLES.owner);
    const client = devAccount(DEV_ROLES.client);
    const daemonEndpoint = options.daemonEndpoint ?? 'http://127.0.0.1:7000';
    const priceCogs = options.priceCogs ?? 1n;
    const freeCalls = options.freeCalls ?? 5;
    const freeCallSigner = devAccount(DEV_ROLES.signer);

    const protoTar = tarFiles([{ name: 'example_service.proto', content: await readFile(EXAMPLE_SERVICE_PROTO) }]);
    const protoCid = await ipfs.add(protoTar);
    const orgMetadata = await publishJson(ipfs.url, buildOrgMetadata({ orgId, groupName, groupIdBase64: groupId.base64, paymentAddress: owner.address }));
    const serviceMetadata = await publishJson(
      ipfs.url,
      buildServiceMetadata({
        mpeAddress: contracts.mpe,
        groupName,
        groupIdBase64: groupId.base64,
        endpoints: [daemonEndpoint],
        priceCogs,
        serviceApiSource: `ipfs://${protoCid}`,
        serviceType,
        freeCalls,
        freeCallSignerAddress: freeCallSigner.address,
      }),
    );
    await actions.createOrganization({ ownerIndex: DEV_ROLES.owner, orgId, metadataUri: orgMetadata.uri });
    await actions.createService({ ownerIndex: DEV_ROLES.owner, orgId, serviceId, metadataUri: serviceMetadata.uri });

    const valueCogs = options.channelValueCogs ?? 1000n * 10n ** 8n;
    const expiration = (await clients.publicClient.getBlockNumber({ cacheTime: 0 })) + 1_000_000n;
    const channelId = await actions.openChannel({ senderIndex: DEV_ROLES.client, recipient: owner.address, groupId: groupId.hex, valueCogs, expiration });

    const daemonConfig = {
      blockchain_enabled: true,
      blockchain_network_selected: 'local',
      ethereum_json_rpc_http_endpoint: chain.rpcUrl,
      registry_address_key: contracts.registry,
      ipfs_endpoint: ipfs.url,
      lighthouse_endpoint: ipfs.gatewayUrl,
      organization_id: orgId,
      service_id: serviceId,
      daemon_group_name: groupName,
      ...service.daemonConfig,
      // Free calls: the daemon issues tokens with the signer's key; dev accounts hold AGIX (8 decimals), far below the
      // reference's 10 × 10^18 minimum, so the minimum-balance rule is off here.
      private_key_for_free_calls: freeCallSigner.privateKey.replace(/^0x/, ''),
      min_balance_for_free_call: '0',
    };
    let deployFile: string | undefined;
    if (options.dataDir !== undefined) {
      deployFile = join(options.dataDir, 'devnet.json');
      const facts = { chainId: chain.chainId, rpcUrl: chain.rpcUrl, registry: contracts.registry, mpe: contracts.mpe, token: contracts.token, deployBlock: String(contracts.deployBlock), ipfsUrl: ipfs.url, daemonConfig };
      await writeFile(deployFile, `${JSON.stringify(facts, null, 2)}\n`);
    }
    log.info({ rpcUrl: chain.rpcUrl, ipfsUrl: ipfs.url, serviceType, service: service.location, orgId, serviceId, channelId }, 'dev network ready');
    let stopping: Promise<void> | undefined;
    return {
      rpcUrl: chain.rpcUrl,
      wsUrl: chain.wsUrl,
      chainId: chain.chainId,
      contracts,
      ipfsUrl: ipfs.url,
      ipfsGatewayUrl: ipfs.gatewayUrl,
      orgId,
      serviceId,
      groupName,
      groupId,
      orgMetadataUri: orgMetadata.uri,
      serviceMetadataUri: serviceMetadata.uri,
      serviceType,
      serviceEndpoint: service.location,
      serviceProtoFile: EXAMPLE_SERVICE_PROTO,
      daemonEndpoint,
      priceCogs,
      freeCalls,
      freeCallSigner: { address: freeCallSigner.address, privateKey: freeCallSigner.privateKey },
      channel: { id: channelId, sender: client.address, signer: client.address, recipient: owner.address, valueCogs, expiration },
      client: { address: client.address, privateKey: client.privateKey },
      owner: { address: owner.address, privateKey: owner.privateKey },
      deployFile,
      daemonConfig,
      childPids: [chain.pid],
      stop: () => {
        stopping ??= stopAll().then(() => log.info({}, 'dev network stopped'));
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    if (err instanceof SnetError) throw err;
    const cause = errorFromUnknown(err);
    throw new SnetError('DEVNET_START_FAILED', `the dev network did not start: ${cause.message}`, {
      hint: 'Check that the requested ports are free; run with debug logging for the chain output.',
      cause: err,
    });
  }
}
