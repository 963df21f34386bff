// Builds the blockchain and payment side of the daemon (blockchain_enabled: true): network → chain client →
// metadata (Registry → IPFS, or files) → the daemon's group → pricing, storage, recoverer → the escrow
// handler, its interceptor, the escrow services and the channel event watcher.
import { availableParallelism } from 'node:os';
import type { Address } from 'viem';
import {
  addressToBytes,
  createChainClient,
  createSignatureRecoverer,
  findGroup,
  loadOrgMetadata,
  loadServiceMetadata,
  loadServiceProtos,
  resolveNetwork,
  serviceProtosLocation,
  toChecksumAddress,
  watchMetadata,
  type ChainClient,
  type EventWatcher,
  type MetadataOptions,
  type OrgGroup,
  type OrgMetadata,
  type PricingEntry,
  type ResolvedNetwork,
  type ServiceGroup,
  type ServiceMetadata,
} from '../blockchain/index.ts';
import { parseGoDurationMs, referenceDefaultTokenSecret, type DaemonConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import {
  createDynamicPricing,
  createPaymentDispatcher,
  createEscrowPaymentHandler,
  createPrepaidPaymentHandler,
  createPrepaidPlanner,
  createPrepaidTokens,
  describeEstimateMethods,
  priceUndefinedError,
  type ChannelReader,
  type ChannelRepository,
  type DynamicPricing,
  type EstimateCall,
  type PriceResolver,
  watchChannelExposure,
} from '../payments/index.ts';
import type { ServiceRegistry } from '../pipeline/index.ts';
import { registerChannelStateService, registerProviderControlService, registerTokenService } from '../services/index.ts';
import type { Logger } from '../shared/index.ts';
import { buildStoragePrefixes, createKeyedMutex, createStore, type AtomicStore, type KeyedMutex, type StorageOptions, type StoragePrefixes } from '../storage/index.ts';
import { invokeUnary, type Upstream } from '../upstream/index.ts';
import { createServiceUpstream } from './service-upstream.ts';
import { createPaymentInterceptor } from './payment-interceptor.ts';
import { buildFreeCallLayer } from './free-call-layer.ts';
import { checkStorageFormatConfig, createConfiguredChannelRepository } from './channel-storage-format.ts';
import type { PaymentLayer, PaymentMonitoring } from './payment-layer-types.ts';

/** How long a reservation blocks its channel after a crash (renewed while a call runs). */
const RESERVATION_LEASE_MS = 30_000;

function optional<T>(value: T | undefined | null | ''): T | undefined {
  return value === undefined || value === null || value === '' ? undefined : value;
}

/** The price of a call from the group's default pricing entry: a constant or one Map lookup (Go `pricing/fixed_pricing.go`, `pricing/fixed_method_pricing.go`). */
export function priceResolverFrom(entry: PricingEntry): PriceResolver {
  if (entry.priceModel === 'fixed_price') {
    const result = { ok: true, value: entry.priceCogs } as const;
    return () => result;
  }
  const prices = entry.methodPrices;
  return (path) => {
    const price = prices.get(path);
    return price === undefined ? { ok: false, error: priceUndefinedError(path) } : { ok: true, value: price };
  };
}

/**
 * `payment_channel_storage_type` → a storage backend (docs/operations.md "Channel-state storage"): `etcd` uses etcd when endpoints are
 * known (config first, then the org metadata group), else the embedded LMDB store; `embedded` forces LMDB;
 * `memory` keeps state in memory (lost on restart).
 */
export function storageOptionsFrom(config: DaemonConfig, group: OrgGroup): StorageOptions {
  const type = config.payment_channel_storage_type.toLowerCase();
  if (type === 'memory') return { backend: 'memory' };
  const client = config.payment_channel_storage_client;
  const endpoints = client.endpoints !== undefined && client.endpoints.length > 0 ? client.endpoints : group.storageClient.endpoints;
  if (type === 'embedded' || endpoints.length === 0) return { backend: 'lmdb', path: config.embedded_storage_dir };
  if (type !== 'etcd') {
    throw new SnetError('CONFIG_INVALID', `payment_channel_storage_type "${config.payment_channel_storage_type}" is not one of etcd, embedded, memory`, {
      hint: 'Use etcd (shared by replicas), embedded (one daemon, crash-safe file) or memory (tests only).',
    });
  }
  const dialTimeoutMs = optional(parseGoDurationMs(client.connection_timeout)) || group.storageClient.connectionTimeoutMs;
  const requestTimeoutMs = optional(parseGoDurationMs(client.request_timeout)) || group.storageClient.requestTimeoutMs;
  const tls = endpoints.some((e) => e.startsWith('https'))
    ? {
        caFile: config.payment_channel_ca_path ?? '',
        ...(config.payment_channel_cert_path === undefined ? {} : { certFile: config.payment_channel_cert_path }),
        ...(config.payment_channel_key_path === undefined ? {} : { keyFile: config.payment_channel_key_path }),
      }
    : undefined;
  return {
    backend: 'etcd',
    endpoints,
    ...(dialTimeoutMs === undefined ? {} : { dialTimeoutMs }),
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
    ...(tls === undefined ? {} : { tls }),
  };
}

/** Group settings that metadata hot reload may change while the daemon runs (read per call). */
export interface LivePaymentSettings {
  /** Org metadata `payment_address`: channel recipient and provider-control signer. */
  paymentAddress: Address;
  /** Org metadata `payment_expiration_threshold`, in blocks. */
  expirationThresholdBlocks: bigint;
  /** Price of a method from the service metadata's default pricing of the group. */
  priceOf: PriceResolver;
  /** Estimate methods of the service protos (`enable_dynamic_pricing`); `undefined` when off. */
  dynamicPricing?: DynamicPricing | undefined;
}

/** Everything the paid-call path and the payment CLI commands share, opened once from the config. */
export interface PaymentContext {
  readonly logger: Logger;
  readonly network: ResolvedNetwork;
  readonly chain: ChainClient;
  /** The chain client bound to the metadata's MPE contract. */
  readonly reader: ChannelReader;
  readonly service: ServiceMetadata;
  readonly serviceGroup: ServiceGroup;
  readonly orgGroup: OrgGroup;
  readonly mpeAddress: Address;
  readonly paymentAddress: Address;
  /** The settings hot reload may swap; the repository, handler and services read them per call. */
  readonly live: LivePaymentSettings;
  readonly metadataOptions: MetadataOptions;
  readonly storageOptions: StorageOptions;
  readonly store: AtomicStore;
  /** Key prefixes of this group (`base`: network/org/group, `mpe`: base + MPE) under the snetd-ts root. */
  readonly storagePrefixes: StoragePrefixes;
  readonly repository: ChannelRepository;
  /** `payment_channel_storage_format`: `go` = the repository works on the Go daemon's keys and locks (mixed fleet). */
  readonly channelFormat: 'snetd-ts' | 'go';
  /** The in-process lock per storage key shared by the repository, the escrow and the prepaid handlers. */
  readonly mutex: KeyedMutex;
  /** Registers something to close with {@link PaymentContext.close} (closed in reverse order). */
  onClose(close: () => Promise<void>): void;
  close(): Promise<void>;
}

/**
 * Resolves the network, connects the chain client, loads service and org metadata (Registry → IPFS, or
 * files), picks the daemon's group, opens the channel storage under the snetd-ts prefixes and builds the
 * channel repository. Rejects with an `SnetError` naming what failed (nothing is left open).
 */
export async function openPaymentContext(config: DaemonConfig, deps: { logger: Logger; observeDependency?: PaymentMonitoring['observeDependency'] }): Promise<PaymentContext> {
  const logger = deps.logger.child({ component: 'payments' });
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => logger.warn({ err }, 'closing a payment component failed'));
  };
  try {
    const rpcHttpUrl = optional(config.ethereum_json_rpc_http_endpoint);
    const registryAddress = optional(config.registry_address_key);
    const mpeOverride = optional(config.mpe_contract_address);
    const network = resolveNetwork(config.blockchain_network_selected, {
      ...(rpcHttpUrl === undefined ? {} : { rpcHttpUrl }),
      ...(registryAddress === undefined ? {} : { registryAddress }),
      ...(mpeOverride === undefined ? {} : { mpeAddress: mpeOverride }),
    });
    const observe = deps.observeDependency;
    const chain: ChainClient = createChainClient(
      { logger, ...(observe === undefined ? {} : { onRoundTrip: (seconds: number, ok: boolean) => observe('chain', seconds, ok) }) },
      {
        rpcHttpUrl: network.rpcHttpUrl,
        registryAddress: network.registryAddress,
        // Known channels keep working from stored state while the RPC node is down (issue #4,
        // docs/payments.md): the expiry check may use a block number up to 2 minutes old. It can only be
        // lower than the real one by ~10 mainnet blocks, far inside payment_expiration_threshold.
        blockNumberMaxStaleMs: 120_000,
        ...(config.blockchain_provider_api_key === '' ? {} : { providerApiKey: config.blockchain_provider_api_key }),
      },
    );
    closers.push(() => chain.close());
    // The chain id check and the metadata reads (Registry calls, IPFS) run together: one round trip less at
    // start-up. A wrong network is reported before whatever the metadata reads then failed with.
    const chainChecked = chain.verifyChainId(network.chainId, network.name);

    const serviceMetadataFile = optional(config.service_metadata_file);
    const orgMetadataFile = optional(config.org_metadata_file);
    const metadataOptions = {
      ipfsEndpoint: config.ipfs_endpoint,
      lighthouseEndpoint: config.lighthouse_endpoint,
      ipfsTimeoutMs: config.ipfs_timeout * 1000,
      verifyCid: config.ipfs_verify_cid,
      ...(serviceMetadataFile === undefined ? {} : { serviceMetadataFile }),
      ...(orgMetadataFile === undefined ? {} : { orgMetadataFile }),
    };
    const ids = { orgId: config.organization_id, serviceId: config.service_id };
    const metadataRead = Promise.all([loadServiceMetadata({ logger, chain }, ids, metadataOptions), loadOrgMetadata({ logger, chain }, ids, metadataOptions)]);
    void metadataRead.catch(() => undefined);
    await chainChecked;
    const [{ metadata: service }, { metadata: org }] = await metadataRead;
    const serviceGroup = findGroup(service.groups, config.daemon_group_name, 'service metadata');
    const orgGroup = findGroup(org.groups, config.daemon_group_name, 'organization metadata');
    const mpeAddress = toChecksumAddress(mpeOverride ?? service.mpeAddress) as Address;
    const paymentAddress = orgGroup.paymentAddress;

    const storageOptions = storageOptionsFrom(config, orgGroup);
    const store: AtomicStore = await createStore(storageOptions, logger, observe === undefined ? {} : { onRoundTrip: (seconds, ok) => observe('storage', seconds, ok) });
    closers.push(() => store.close());
    const prefixOptions = {
      network: config.blockchain_network_selected,
      organizationId: config.organization_id,
      groupIdBase64: orgGroup.groupId.base64,
      mpeAddress,
    };
    const prefixes = buildStoragePrefixes(prefixOptions);
    const reader: ChannelReader = {
      getChannel: (channelId) => chain.getChannel(channelId, mpeAddress),
      getBlockNumber: () => chain.getBlockNumber(),
      peekBlockNumber: () => chain.peekBlockNumber(),
    };
    const live: LivePaymentSettings = {
      paymentAddress,
      expirationThresholdBlocks: orgGroup.paymentExpirationThreshold,
      priceOf: priceResolverFrom(serviceGroup.defaultPricing),
    };
    const mutex = createKeyedMutex();
    const repository = createConfiguredChannelRepository(
      config,
      { store, chain: reader, mutex, logger, onClose: (close) => closers.push(close) },
      storageOptions,
      prefixOptions,
      {
        groupId: orgGroup.groupId.bytes,
        get recipient() {
          return live.paymentAddress;
        },
      },
    );
    return {
      logger,
      network,
      chain,
      reader,
      service,
      serviceGroup,
      orgGroup,
      mpeAddress,
      paymentAddress,
      live,
      metadataOptions,
      storageOptions,
      store,
      storagePrefixes: prefixes,
      repository,
      channelFormat: config.payment_channel_storage_format,
      mutex,
      onClose: (close) => closers.push(close),
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Hot reload of org metadata (`payment_channel_storage_client.hot_reload`): the group's payment address and
 * expiration threshold take effect for the next call. A changed group id or etcd endpoints need a restart
 * (storage keys and connections are built at start): logged, not applied. A missing group keeps the old values.
 */
export function applyOrgMetadata(context: PaymentContext, groupName: string, org: OrgMetadata): void {
  const log = context.logger;
  let group: OrgGroup;
  try {
    group = findGroup(org.groups, groupName, 'organization metadata');
  } catch (err) {
    log.error({ err }, 'reloaded organization metadata has no group for this daemon; keeping the previous settings');
    return;
  }
  if (group.groupId.base64 !== context.orgGroup.groupId.base64) {
    log.error({ groupId: group.groupId.base64 }, 'the group id changed in the organization metadata; restart the daemon to serve the new group');
    return;
  }
  const before = context.orgGroup.storageClient.endpoints.join(',');
  if (group.storageClient.endpoints.join(',') !== before) log.warn({}, 'etcd endpoints changed in the organization metadata; restart the daemon to use them');
  context.live.paymentAddress = group.paymentAddress;
  context.live.expirationThresholdBlocks = group.paymentExpirationThreshold;
  log.info({ paymentAddress: group.paymentAddress, expirationThreshold: group.paymentExpirationThreshold.toString() }, 'organization metadata applied');
}

/**
 * Hot reload of service metadata: the group's default pricing (and, with dynamic pricing, the estimate methods
 * of the new protos) take effect for the next call; an MPE change needs a restart.
 */
export function applyServiceMetadata(context: PaymentContext, groupName: string, service: ServiceMetadata, dynamicPricing?: DynamicPricing): void {
  const log = context.logger;
  let group: ServiceGroup;
  try {
    group = findGroup(service.groups, groupName, 'service metadata');
  } catch (err) {
    log.error({ err }, 'reloaded service metadata has no group for this daemon; keeping the previous pricing');
    return;
  }
  if (toChecksumAddress(service.mpeAddress) !== context.mpeAddress) {
    log.error({ mpeAddress: service.mpeAddress }, 'mpe_address changed in the service metadata; restart the daemon to use it');
    return;
  }
  context.live.priceOf = priceResolverFrom(group.defaultPricing);
  if (dynamicPricing !== undefined) context.live.dynamicPricing = dynamicPricing;
  log.info({ priceModel: group.defaultPricing.priceModel, ...(dynamicPricing === undefined ? {} : { dynamicallyPricedMethods: dynamicPricing.size }) }, 'service metadata applied (pricing)');
}

/**
 * Dynamic pricing (`enable_dynamic_pricing`, docs/payments.md "Dynamic pricing"): fetches the service's proto tarball
 * (`service_api_source` / `model_ipfs_hash`, CID-verified), extracts the `estimatePriceMethod` options and binds
 * them to `call`. Rejects with `DYNAMIC_PRICING_INVALID` naming the cause (unfetchable or unreadable
 * tarball, unparsable proto, option naming a malformed or unknown method): the daemon does not start with
 * dynamic pricing on and no way to price the calls the protos mark.
 */
export async function loadDynamicPricing(service: ServiceMetadata, metadataOptions: MetadataOptions, call: EstimateCall, logger: Logger): Promise<DynamicPricing> {
  let files;
  try {
    ({ files } = await loadServiceProtos(service, metadataOptions));
  } catch (err) {
    const cause = err instanceof SnetError ? err : undefined;
    throw new SnetError('DYNAMIC_PRICING_INVALID', `enable_dynamic_pricing is on but the service protos could not be loaded: ${err instanceof Error ? err.message : String(err)}`, {
      hint: `${cause?.hint ?? 'Check the service metadata.'} Or set enable_dynamic_pricing to false.`,
      cause: err,
    });
  }
  const { methods: estimateMethods, warnings } = describeEstimateMethods(files);
  for (const warning of warnings) logger.warn({ component: 'dynamic-pricing' }, warning);
  if (estimateMethods.size === 0) logger.warn({ protoFiles: files.map((f) => f.name) }, 'enable_dynamic_pricing is on but no method of the service protos has an estimatePriceMethod option; every call uses the metadata price');
  else logger.info({ methods: Object.fromEntries(estimateMethods) }, 'dynamic pricing: methods priced by their estimate method');
  return createDynamicPricing({ call }, { estimateMethods });
}

/**
 * The reference daemon's default `token_secret_key` is public: with it anyone can mint prepaid tokens and call
 * on other people's planned amounts. Refused on every network but `local` (the dev chain), where it is only warned
 * about. Throws CONFIG_INVALID naming the key.
 */
export function checkTokenSecret(config: DaemonConfig, logger: Logger): void {
  if (config.token_secret_key !== referenceDefaultTokenSecret) return;
  if (config.blockchain_network_selected === 'local') {
    logger.warn({ key: 'token_secret_key' }, 'token_secret_key is the public default: acceptable on the local dev chain only');
    return;
  }
  throw new SnetError('CONFIG_INVALID', `token_secret_key is the public default of the reference daemon, refused on network "${config.blockchain_network_selected}": anyone could forge prepaid tokens`, {
    hint: 'Set token_secret_key to 32+ random bytes shared by all replicas of the group, e.g. `token_secret_key: "<output of openssl rand -hex 32>"` in the config file or SNET_TOKEN_SECRET_KEY in the environment.',
    details: { key: 'token_secret_key' },
  });
}

/**
 * Loads metadata, connects chain and storage, and returns the payment interceptors and services.
 * Rejects with an `SnetError` naming what could not start (nothing is left open).
 */
export async function buildPaymentLayer(config: DaemonConfig, deps: { logger: Logger; upstream?: Upstream }): Promise<PaymentLayer> {
  checkTokenSecret(config, deps.logger);
  checkStorageFormatConfig(config);
  // Monitoring is attached once it exists (after this layer); until then round trips are not reported.
  let monitoring: PaymentMonitoring | undefined;
  const context = await openPaymentContext(config, { logger: deps.logger, observeDependency: (dependency, seconds, ok) => monitoring?.observeDependency(dependency, seconds, ok) });
  const { logger, chain, reader, repository, mpeAddress, paymentAddress, orgGroup, serviceGroup, service, network, live } = context;
  try {
    // Dynamic pricing only when enabled: no proto fetch, no estimate connection, nothing per call otherwise.
    let estimateCall: EstimateCall | undefined;
    /** Where the protos behind `live.dynamicPricing` came from (content-addressed URI). */
    let loadedProtosUri: string | undefined;
    if (config.enable_dynamic_pricing) {
      let upstream = deps.upstream;
      if (upstream === undefined) {
        // The estimate calls' own HTTP/2 session to the service (the proxy's upstream is built after this layer).
        const own = createServiceUpstream({ logger }, config, { endpoint: config.service_endpoint, userAgent: 'snetd-ts', contentSubtype: service.encoding });
        context.onClose(() => own.close());
        upstream = own;
      }
      const target = upstream;
      estimateCall = (request) => invokeUnary(target, request);
      live.dynamicPricing = await loadDynamicPricing(service, context.metadataOptions, estimateCall, logger);
      loadedProtosUri = serviceProtosLocation(service)?.uri;
    }
    const recoverer = createSignatureRecoverer({
      threads: config.payment_signature_threads ?? (availableParallelism() > 1 ? 1 : 0),
      onThreadProblem: (message) => logger.error({ component: 'signatures' }, message),
    });
    context.onClose(() => recoverer.close());
    const allowedSigners = config.allowed_user_flag ? config.allowed_user_addresses.map((address) => addressToBytes(address)) : undefined;
    // Metering's channel-balance report after each commit; no hook at all (nothing per call) when metering is off.
    const onCommitted = config.metering_enabled
      ? (state: { channelId: bigint; nonce: bigint; authorizedAmount: bigint; fullAmount: bigint; sender: string }) => monitoring?.metering?.reportChannelBalance(state)
      : undefined;
    const handler = createEscrowPaymentHandler(
      { repository, chain: reader, recoverer, logger, ...(onCommitted === undefined ? {} : { onCommitted }) },
      {
        mpeAddress,
        get expirationThresholdBlocks() {
          return live.expirationThresholdBlocks;
        },
        priceOf: (path) => live.priceOf(path),
        leaseMs: parseGoDurationMs(config.payment_reservation_lease) ?? RESERVATION_LEASE_MS,
        ...(allowedSigners === undefined ? {} : { allowedSigners }),
      },
    );
    // Prepaid (concurrency) tokens: one HMAC key for the group, usage records beside the channel records.
    const tokens = createPrepaidTokens({
      secret: config.token_secret_key,
      expiryMinutes: config.token_expiry_in_minutes,
      organizationId: config.organization_id,
      groupIdBase64: orgGroup.groupId.base64,
    });
    const planner = createPrepaidPlanner(
      { store: context.store, repository, chain: reader, recoverer },
      {
        mpeAddress,
        get expirationThresholdBlocks() {
          return live.expirationThresholdBlocks;
        },
        ...(allowedSigners === undefined ? {} : { allowedSigners }),
      },
    );
    const prepaid = createPrepaidPaymentHandler({ store: context.store, mutex: context.mutex, tokens, logger }, { mpePrefix: context.storagePrefixes.mpe, priceOf: (path) => live.priceOf(path) });
    // One interceptor, one handler per snet-payment-type (Go components.go registers escrow, free-call,
    // prepaid-call and train-call; train-call answers UNIMPLEMENTED here).
    // The Go format shares channels only: prepaid usage and free-call counters would be kept apart from the Go
    // replicas' (and the prepaid planner writes our own channel records), so those payment types are refused.
    const goFormat = config.payment_channel_storage_format === 'go';
    const freeCalls = goFormat ? undefined : buildFreeCallLayer(config, context, recoverer);
    const payments = createPaymentDispatcher(
      freeCalls === undefined ? { escrow: handler } : { escrow: handler, 'prepaid-call': prepaid, 'free-call': freeCalls.handler },
    );
    context.onClose(() => {
      payments.close();
      return Promise.resolve();
    });

    // Channel events only refresh channels we already store; unknown channels are read on first use.
    const watcher: EventWatcher = chain.watchEvents({
      kinds: ['ChannelAddFunds', 'ChannelExtend', 'ChannelClaim', 'ChannelSenderClaim'],
      mpeAddress,
      registry: false,
      onEvents: async (events) => {
        for (const event of events) {
          if ('channelId' in event) {
            await repository.refreshFromChain(event.channelId).catch((err: unknown) => {
              logger.warn({ err, channelId: event.channelId.toString(), event: event.kind }, 'could not refresh a channel after a chain event');
            });
          }
        }
      },
      onError: (err) => logger.warn({ err }, 'channel event watcher: poll failed, retrying'),
    });
    context.onClose(() => watcher.stop());
    if (config.payment_channel_storage_client.hot_reload) {
      const metadataWatcher = watchMetadata(
        { logger, chain },
        {
          orgId: config.organization_id,
          serviceId: config.service_id,
          metadata: context.metadataOptions,
          onOrgMetadata: (org) => applyOrgMetadata(context, config.daemon_group_name, org),
          onServiceMetadata: async (next) => {
            if (estimateCall === undefined) {
              applyServiceMetadata(context, config.daemon_group_name, next);
              return;
            }
            // The tarball is content-addressed: the same URI means the same protos, so a reload that only changes
            // prices or endpoints fetches and parses nothing.
            const protosUri = serviceProtosLocation(next)?.uri;
            if (protosUri !== undefined && protosUri === loadedProtosUri && live.dynamicPricing !== undefined) {
              logger.info({ protos: protosUri }, 'reloaded service metadata names the same proto tarball; estimate methods kept');
              applyServiceMetadata(context, config.daemon_group_name, next);
              return;
            }
            let dynamicPricing: DynamicPricing;
            try {
              dynamicPricing = await loadDynamicPricing(next, context.metadataOptions, estimateCall, logger);
            } catch (err) {
              logger.error({ err }, 'reloaded service metadata: its protos cannot be used for dynamic pricing; keeping the previous metadata');
              return;
            }
            loadedProtosUri = protosUri;
            applyServiceMetadata(context, config.daemon_group_name, next, dynamicPricing);
          },
        },
      );
      context.onClose(() => metadataWatcher.stop());
    }

    logger.info(
      {
        network: network.name,
        chainId: network.chainId,
        mpeAddress,
        paymentAddress,
        group: orgGroup.groupName,
        groupId: orgGroup.groupId.base64,
        priceModel: serviceGroup.defaultPricing.priceModel,
        dynamicPricing: live.dynamicPricing === undefined ? 'off' : `${live.dynamicPricing.size} methods`,
        expirationThreshold: orgGroup.paymentExpirationThreshold.toString(),
        storage: context.storageOptions.backend,
        signatureBackend: recoverer.backend,
        signatureThreads: recoverer.threads,
        ...(recoverer.fallbackReason === undefined ? {} : { signatureFallbackReason: recoverer.fallbackReason }),
      },
      goFormat ? 'payments ready (escrow only: Go storage format)' : 'payments ready (escrow, prepaid-call)',
    );

    const servicesDeps = { repository, chain: reader, recoverer, logger };
    const servicesOptions = {
      mpeAddress,
      get paymentAddress() {
        return live.paymentAddress;
      },
    };
    return {
      encoding: service.encoding,
      serviceType: service.serviceType,
      groupIdBase64: orgGroup.groupId.base64,
      registryAddress: network.registryAddress,
      interceptors: [createPaymentInterceptor(payments, estimateCall === undefined ? undefined : () => live.dynamicPricing)],
      registerServices(registry: ServiceRegistry) {
        registerChannelStateService(registry, servicesDeps, servicesOptions);
        registerProviderControlService(registry, servicesDeps, servicesOptions);
        if (freeCalls === undefined) return;
        registerTokenService(registry, { ...servicesDeps, planner, tokens }, servicesOptions);
        freeCalls.registerServices(registry);
      },
      attachMonitoring(attached, attachOptions) {
        monitoring = attached;
        if (attachOptions.checkIntervalMs <= 0) return;
        const stop = watchChannelExposure(
          { repository, chain: reader, logger },
          {
            periodMs: attachOptions.checkIntervalMs,
            get thresholdBlocks() {
              return live.expirationThresholdBlocks;
            },
            report: (exposure) => attached.reportChannels(exposure),
          },
        );
        context.onClose(() => {
          stop();
          return Promise.resolve();
        });
      },
      close: () => context.close(),
    };
  } catch (err) {
    await context.close();
    throw err;
  }
}
