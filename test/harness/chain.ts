// Test harness: a real dev chain (hardhat node child process) with the real SingularityNET contracts,
// plus a real local IPFS endpoint. Start it once per test file; call reset() in beforeEach so every
// test starts from the freshly deployed state (evm_snapshot / evm_revert).
import type { Address, Hex } from 'viem';
import {
  buildOrgMetadata,
  buildServiceMetadata,
  createDevActions,
  createDevClients,
  deployContracts,
  devAccount,
  devGroupId,
  DEV_ROLES,
  publishJson,
  startChainProcess,
  startIpfsServer,
  type ChainProcess,
  type DevActions,
  type DevClients,
  type DevContracts,
  type IpfsServer,
} from '../../src/devnet/index.ts';
import { createSilentLogger, type Logger } from '../../src/shared/index.ts';

export { DEV_ROLES, devAccount, buildOrgMetadata, buildServiceMetadata, devGroupId };

/** A running dev chain + IPFS with deployed contracts. */
export interface TestChain {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  readonly chainId: number;
  readonly contracts: DevContracts;
  readonly clients: DevClients;
  readonly actions: DevActions;
  readonly ipfs: IpfsServer;
  /** PID of the hardhat child process (tests check it is gone after stop()). */
  readonly chainPid: number;
  /** Revert to the state right after deployment (and take a new snapshot for the next reset). */
  reset(): Promise<void>;
  /** Mine `blocks` empty blocks (`hardhat_mine`), e.g. to pass an expiration or threshold. */
  mine(blocks: bigint): Promise<void>;
  blockNumber(): Promise<bigint>;
  /** Upload a JSON document to the local IPFS (POST /api/v0/add); returns `ipfs://<cid>`. */
  publishJson(document: unknown): Promise<{ uri: string; cid: string; bytes: Uint8Array }>;
  /** Upload org + service metadata and register both in the Registry from the owner account. */
  registerService(args: RegisterServiceArgs): Promise<{ orgUri: string; serviceUri: string }>;
  /** Stop the chain child (by PID) and the IPFS server. */
  stop(): Promise<void>;
}

/** Arguments of {@link TestChain.registerService}; the metadata defaults match a one-group dev service. */
export interface RegisterServiceArgs {
  readonly orgId: string;
  readonly serviceId: string;
  readonly orgMetadata?: unknown;
  readonly serviceMetadata?: unknown;
  /** Registry caller. @default DEV_ROLES.owner */
  readonly ownerIndex?: number;
}

/** Start a chain + IPFS pair on 127.0.0.1 with the contracts deployed and a baseline snapshot taken. */
export async function startTestChain(options: { readonly logger?: Logger; readonly blockIntervalMs?: number } = {}): Promise<TestChain> {
  const logger = options.logger ?? createSilentLogger();
  const [chain, ipfs] = await Promise.all([
    startChainProcess({ logger }, { blockIntervalMs: options.blockIntervalMs ?? 0 }),
    startIpfsServer({ logger }),
  ]);
  try {
    return await prepare(chain, ipfs);
  } catch (err) {
    await Promise.all([chain.stop(), ipfs.stop()]);
    throw err;
  }
}

async function prepare(chain: ChainProcess, ipfs: IpfsServer): Promise<TestChain> {
  const clients = createDevClients(chain.rpcUrl, chain.chainId);
  const contracts = await deployContracts(clients);
  const actions = createDevActions(clients, contracts);
  const rpc = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    // Hardhat-only methods (evm_snapshot, hardhat_mine) are not in viem's typed RPC schema.
    const result: unknown = await clients.publicClient.request({ method: method as 'eth_chainId', params: params as never });
    return result as T;
  };
  let snapshotId = await rpc<Hex>('evm_snapshot');
  const group = devGroupId('default_group');
  return {
    rpcUrl: chain.rpcUrl,
    wsUrl: chain.wsUrl,
    chainId: chain.chainId,
    chainPid: chain.pid,
    contracts,
    clients,
    actions,
    ipfs,
    reset: async () => {
      // A snapshot id is used up by evm_revert, so take a fresh one right away.
      const reverted = await rpc<boolean>('evm_revert', [snapshotId]);
      if (!reverted) throw new Error(`evm_revert(${snapshotId}) failed`);
      snapshotId = await rpc<Hex>('evm_snapshot');
    },
    mine: async (blocks) => {
      await rpc('hardhat_mine', [`0x${blocks.toString(16)}`]);
    },
    blockNumber: () => clients.publicClient.getBlockNumber({ cacheTime: 0 }),
    publishJson: (document) => publishJson(ipfs.url, document),
    registerService: async (args) => {
      const ownerIndex = args.ownerIndex ?? DEV_ROLES.owner;
      const owner: Address = devAccount(ownerIndex).address;
      const orgMetadata =
        args.orgMetadata ??
        buildOrgMetadata({ orgId: args.orgId, groupName: 'default_group', groupIdBase64: group.base64, paymentAddress: owner });
      const serviceMetadata =
        args.serviceMetadata ??
        buildServiceMetadata({
          mpeAddress: contracts.mpe,
          groupName: 'default_group',
          groupIdBase64: group.base64,
          endpoints: ['http://127.0.0.1:7000'],
        });
      const org = await publishJson(ipfs.url, orgMetadata);
      const service = await publishJson(ipfs.url, serviceMetadata);
      await actions.createOrganization({ ownerIndex, orgId: args.orgId, metadataUri: org.uri });
      await actions.createService({ ownerIndex, orgId: args.orgId, serviceId: args.serviceId, metadataUri: service.uri });
      return { orgUri: org.uri, serviceUri: service.uri };
    },
    stop: async () => {
      await Promise.all([chain.stop(), ipfs.stop()]);
    },
  };
}
