import { bytesToHex, decodeEventLog, parseSignature, type Address, type Hex } from 'viem';
import { encodeMetadataUri, idToBytes32, loadContractArtifact, mpeAbi } from '../blockchain/index.ts';
import { DEV_ROLES } from './accounts.ts';
import type { DevClients } from './dev-clients.ts';
import type { DevContracts } from './deploy.ts';

const tokenAbi = loadContractArtifact('SingularityNetToken').abi;
const fullMpeAbi = loadContractArtifact('MultiPartyEscrow').abi;
const fullRegistryAbi = loadContractArtifact('Registry').abi;

/**
 * Transactions a dev network and the test harness need: token minting, channel opening and funding,
 * Registry registration. Every call waits for its receipt and throws when the transaction reverted.
 */
export interface DevActions {
  /** Mints AGIX (8 decimals, amounts in cogs) to `to` from the deployer (the token's minter). */
  mint(to: Address, amountCogs: bigint): Promise<void>;
  /** approve + MPE `depositAndOpenChannel` from dev account `senderIndex`; returns the new channel id. */
  openChannel(args: OpenChannelArgs): Promise<bigint>;
  /** approve + deposit + `channelAddFunds` from dev account `fromIndex` (anyone may fund a channel). */
  addFunds(args: { readonly fromIndex: number; readonly channelId: bigint; readonly amountCogs: bigint }): Promise<void>;
  /** `channelExtend` by the channel's sender (dev account `senderIndex`). */
  extendChannel(args: { readonly senderIndex: number; readonly channelId: bigint; readonly expiration: bigint }): Promise<void>;
  /**
   * MPE `channelClaim` by the recipient (dev account `recipientIndex`) with a 65-byte payment signature
   * over `plannedCogs` and the channel's current nonce; v 0/1 is normalised to 27/28 as the contract needs.
   */
  claim(args: { readonly recipientIndex: number; readonly channelId: bigint; readonly actualCogs: bigint; readonly plannedCogs: bigint; readonly signature: Hex; readonly sendBack?: boolean }): Promise<void>;
  /** Registry `createOrganization(orgId, metadataURI, members)` from dev account `ownerIndex`. */
  createOrganization(args: { readonly ownerIndex: number; readonly orgId: string; readonly metadataUri: string; readonly members?: readonly Address[] }): Promise<void>;
  /** Registry `changeOrganizationMetadataURI` (owner only). */
  changeOrganizationMetadata(args: { readonly ownerIndex: number; readonly orgId: string; readonly metadataUri: string }): Promise<void>;
  /** Registry `createServiceRegistration` (owner or member). */
  createService(args: { readonly ownerIndex: number; readonly orgId: string; readonly serviceId: string; readonly metadataUri: string }): Promise<void>;
  /** Registry `updateServiceRegistration` (owner or member): emits ServiceMetadataModified. */
  updateService(args: { readonly ownerIndex: number; readonly orgId: string; readonly serviceId: string; readonly metadataUri: string }): Promise<void>;
}

/** Arguments of {@link DevActions.openChannel}. */
export interface OpenChannelArgs {
  /** Dev account that pays and owns the channel. @default DEV_ROLES.client */
  readonly senderIndex?: number;
  /** Address whose signatures authorise payments. @default the sender */
  readonly signer?: Address;
  readonly recipient: Address;
  /** The payment group id (32 bytes, hex). */
  readonly groupId: Hex;
  readonly valueCogs: bigint;
  /** Expiration block number. */
  readonly expiration: bigint;
  /** Mint this much to the sender first (the deployer is the token minter). @default valueCogs */
  readonly mintCogs?: bigint;
}

/** Creates {@link DevActions} for the given clients and deployed contracts. */
export function createDevActions(clients: DevClients, contracts: DevContracts): DevActions {
  const { publicClient } = clients;
  const send = async (index: number, address: Address, abi: typeof tokenAbi, functionName: string, args: readonly unknown[]): Promise<Hex> => {
    const hash = await clients.wallet(index).writeContract({ address, abi, functionName, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`${functionName} reverted (tx ${hash})`);
    return hash;
  };
  const uriHex = (uri: string): Hex => bytesToHex(encodeMetadataUri(uri));
  const mint = async (to: Address, amountCogs: bigint): Promise<void> => {
    await send(DEV_ROLES.deployer, contracts.token, tokenAbi, 'mint', [to, amountCogs]);
  };
  const approve = async (index: number, amountCogs: bigint): Promise<void> => {
    await send(index, contracts.token, tokenAbi, 'approve', [contracts.mpe, amountCogs]);
  };
  return {
    mint,
    openChannel: async (args) => {
      const senderIndex = args.senderIndex ?? DEV_ROLES.client;
      const sender = clients.account(senderIndex).address;
      const mintCogs = args.mintCogs ?? args.valueCogs;
      if (mintCogs > 0n) await mint(sender, mintCogs);
      await approve(senderIndex, args.valueCogs);
      const hash = await send(senderIndex, contracts.mpe, fullMpeAbi, 'depositAndOpenChannel', [
        args.signer ?? sender,
        args.recipient,
        args.groupId,
        args.valueCogs,
        args.expiration,
      ]);
      const receipt = await publicClient.getTransactionReceipt({ hash });
      for (const log of receipt.logs) {
        try {
          const event = decodeEventLog({ abi: mpeAbi, data: log.data, topics: log.topics });
          if (event.eventName === 'ChannelOpen') return event.args.channelId;
        } catch {
          // not an MPE event (token Transfer/Approval)
        }
      }
      throw new Error(`no ChannelOpen event in tx ${hash}`);
    },
    addFunds: async ({ fromIndex, channelId, amountCogs }) => {
      await mint(clients.account(fromIndex).address, amountCogs);
      await approve(fromIndex, amountCogs);
      await send(fromIndex, contracts.mpe, fullMpeAbi, 'deposit', [amountCogs]);
      await send(fromIndex, contracts.mpe, fullMpeAbi, 'channelAddFunds', [channelId, amountCogs]);
    },
    claim: async ({ recipientIndex, channelId, actualCogs, plannedCogs, signature, sendBack = false }) => {
      const { r, s, v, yParity } = parseSignature(signature);
      const vByte = v === undefined ? 27 + yParity : Number(v) < 27 ? Number(v) + 27 : Number(v);
      await send(recipientIndex, contracts.mpe, fullMpeAbi, 'channelClaim', [channelId, actualCogs, plannedCogs, vByte, r, s, sendBack]);
    },
    extendChannel: async ({ senderIndex, channelId, expiration }) => {
      await send(senderIndex, contracts.mpe, fullMpeAbi, 'channelExtend', [channelId, expiration]);
    },
    createOrganization: async ({ ownerIndex, orgId, metadataUri, members = [] }) => {
      await send(ownerIndex, contracts.registry, fullRegistryAbi, 'createOrganization', [idToBytes32(orgId), uriHex(metadataUri), members]);
    },
    changeOrganizationMetadata: async ({ ownerIndex, orgId, metadataUri }) => {
      await send(ownerIndex, contracts.registry, fullRegistryAbi, 'changeOrganizationMetadataURI', [idToBytes32(orgId), uriHex(metadataUri)]);
    },
    createService: async ({ ownerIndex, orgId, serviceId, metadataUri }) => {
      await send(ownerIndex, contracts.registry, fullRegistryAbi, 'createServiceRegistration', [idToBytes32(orgId), idToBytes32(serviceId), uriHex(metadataUri)]);
    },
    updateService: async ({ ownerIndex, orgId, serviceId, metadataUri }) => {
      await send(ownerIndex, contracts.registry, fullRegistryAbi, 'updateServiceRegistration', [idToBytes32(orgId), idToBytes32(serviceId), uriHex(metadataUri)]);
    },
  };
}

const BIGINT_MARK = '@@snetd-bigint@@';

/**
 * Publishes a JSON document to a kubo-RPC endpoint with `POST /api/v0/add` (multipart, as snet-cli does)
 * and returns `ipfs://<cid>`. The JSON is serialised with 2-space indentation; bigint values become exact JSON integers.
 */
export async function publishJson(ipfsUrl: string, document: unknown): Promise<{ uri: string; cid: string; bytes: Uint8Array }> {
  // bigint amounts are written as exact JSON integers (a Number would round above 2^53).
  const text = JSON.stringify(document, (_key, value: unknown) => (typeof value === 'bigint' ? `${BIGINT_MARK}${value}` : value), 2).replace(
    new RegExp(`"${BIGINT_MARK}(-?\\d+)"`, 'gu'),
    '$1',
  );
  return publishBytes(ipfsUrl, new TextEncoder().encode(text), 'metadata.json');
}

/** Publishes bytes (e.g. a proto tarball) to a kubo-RPC endpoint with `POST /api/v0/add`; returns `ipfs://<cid>`. */
export async function publishBytes(ipfsUrl: string, bytes: Uint8Array, fileName: string): Promise<{ uri: string; cid: string; bytes: Uint8Array }> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), fileName);
  const response = await fetch(`${ipfsUrl}/api/v0/add`, { method: 'POST', body: form });
  if (!response.ok) throw new Error(`IPFS add failed: HTTP ${response.status} ${await response.text()}`);
  const line = (await response.text()).trim().split('\n')[0] ?? '';
  const { Hash } = JSON.parse(line) as { Hash?: unknown };
  if (typeof Hash !== 'string') throw new Error(`IPFS add answered without a Hash: ${line}`);
  return { uri: `ipfs://${Hash}`, cid: Hash, bytes };
}
