// Free calls (both protocols) on top of the payment context: the shared counters, the verifier, the `free-call`
// payment handler and escrow.FreeCallStateService, built once from config and the daemon group's metadata.
import { parseAddress, privateKeyToAddress, type ChainClient, type OrgGroup, type ResolvedNetwork, type ServiceGroup, type SignatureRecoverer } from '../blockchain/index.ts';
import { parseGoDurationMs, type DaemonConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import {
  createFreeCallAllowance,
  createFreeCallCounters,
  createFreeCallPaymentHandler,
  createFreeCallVerifier,
  type ChannelReader,
  type FreeCallCounters,
  type PaymentHandler,
} from '../payments/index.ts';
import type { ServiceRegistry } from '../pipeline/index.ts';
import { createFreeCallStateService, registerFreeCallStateService } from '../services/index.ts';
import type { Logger } from '../shared/index.ts';
import type { AtomicStore, StoragePrefixes } from '../storage/index.ts';

/** The parts of the payment context (payment-layer.ts `PaymentContext`) free calls use. */
export interface FreeCallContext {
  readonly logger: Logger;
  readonly network: ResolvedNetwork;
  readonly chain: ChainClient;
  readonly reader: ChannelReader;
  readonly serviceGroup: ServiceGroup;
  readonly orgGroup: OrgGroup;
  readonly store: AtomicStore;
  readonly storagePrefixes: StoragePrefixes;
}

/** What the free-call side adds to the payment layer. */
export interface FreeCallLayer {
  /** The `free-call` payment handler for the dispatcher. */
  readonly handler: PaymentHandler;
  registerServices(registry: ServiceRegistry): void;
}

/** Lower-case hex (no 0x) of each address; a value that is not an address is a start-up error naming `key`. */
export function addressSet(addresses: readonly string[], key: string): Set<string> {
  const set = new Set<string>();
  for (const text of addresses) {
    const bytes = parseAddress(text.trim());
    if (bytes === undefined) throw new SnetError('CONFIG_INVALID', `${key}: "${text}" is not an address`, { hint: `List 0x-prefixed 20-byte hex addresses in ${key}.` });
    set.add(Buffer.from(bytes).toString('hex'));
  }
  return set;
}

/** The address of `private_key_for_free_calls`, or `undefined` when unset; a malformed key is a start-up error. */
export function freeCallKeyAddress(config: DaemonConfig): string | undefined {
  const key = config.private_key_for_free_calls.trim();
  if (key === '') return undefined;
  try {
    return privateKeyToAddress(key);
  } catch {
    throw new SnetError('CONFIG_INVALID', 'private_key_for_free_calls is not a secp256k1 private key', {
      hint: 'Set it to the 64 hex digits of the key whose address is free_call_signer_address in the service metadata (no 0x), or remove it.',
    });
  }
}

/** The counters of this daemon's service in the group's storage (shared with `snetd freecall`). */
export function freeCallCountersOf(context: Pick<FreeCallContext, 'store' | 'storagePrefixes' | 'orgGroup'>, config: DaemonConfig): FreeCallCounters {
  return createFreeCallCounters(
    { store: context.store },
    { basePrefix: context.storagePrefixes.base, serviceId: config.service_id, organizationId: config.organization_id, groupIdBase64: context.orgGroup.groupId.base64 },
  );
}

/** Builds the free-call handler and state service; logs why free calls are off when they are. */
export function buildFreeCallLayer(config: DaemonConfig, context: FreeCallContext, recoverer: SignatureRecoverer): FreeCallLayer {
  const { logger, serviceGroup, reader, chain, network } = context;
  const signerAddress = serviceGroup.freeCallSignerAddress;
  const keyAddress = freeCallKeyAddress(config);
  const allowance = createFreeCallAllowance(config.free_calls_per_address, () => Number(serviceGroup.freeCalls));
  const allowedUsers = config.allowed_user_flag ? addressSet(config.allowed_user_addresses, 'allowed_user_addresses') : undefined;
  const ids = { organizationId: config.organization_id, serviceId: config.service_id, groupIdBase64: context.orgGroup.groupId.base64, groupName: config.daemon_group_name };
  const verifier = createFreeCallVerifier({ recoverer, chain: reader }, { ...ids, signerAddress: () => signerAddress, allowedUsers });
  const counters = freeCallCountersOf(context, config);
  const handler = createFreeCallPaymentHandler(
    { verifier, counters, allowance, logger },
    { leaseMs: parseGoDurationMs(config.payment_reservation_lease) ?? 30_000 },
  );
  const service = createFreeCallStateService(
    {
      verifier,
      counters,
      allowance,
      recoverer,
      chain: reader,
      balanceOf: (address) => chain.getTokenBalance(address as `0x${string}`, network.tokenAddress),
      logger,
    },
    {
      ...ids,
      signingKey: keyAddress === undefined ? undefined : config.private_key_for_free_calls.trim(),
      signingAddress: keyAddress,
      signerAddress: () => signerAddress,
      trustedSigners: addressSet(config.trusted_free_call_signers, 'trusted_free_call_signers'),
      minBalance: BigInt(config.min_balance_for_free_call),
      allowedUsers,
    },
  );
  const state = service.configured() ? 'on' : 'off';
  if (keyAddress !== undefined && signerAddress !== undefined && parseAddress(keyAddress)?.join() !== parseAddress(signerAddress)?.join()) {
    logger.error({ keyAddress, freeCallSignerAddress: signerAddress }, 'private_key_for_free_calls is not the key of free_call_signer_address in the service metadata: this daemon issues no free-call tokens (GetFreeCallsAvailable answers 0)');
  }
  logger.info(
    { freeCalls: state, metadataFreeCalls: serviceGroup.freeCalls.toString(), freeCallSignerAddress: signerAddress ?? 'none', tokenIssuer: keyAddress ?? 'none' },
    state === 'on' ? 'free calls: granted (v6 and pre-v6 protocols)' : 'free calls: not granted by this daemon (clients fall through to paying)',
  );
  return { handler, registerServices: (registry) => registerFreeCallStateService(registry, service) };
}
