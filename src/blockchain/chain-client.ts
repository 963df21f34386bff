import {
  BaseError,
  createPublicClient,
  erc20Abi,
  HttpRequestError,
  TimeoutError,
  http,
  zeroAddress,
  type Address,
  type Hex,
  type PublicClient,
  type Transport,
} from 'viem';
import { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import { mpeAbi, registryAbi } from './contracts/abi.ts';
import { parseMetadataUri, type MetadataLocation } from './metadata/metadata-uri.ts';
import { providerAuthHeaders, redactRpcUrl } from './provider-auth.ts';
import { bytes32ToId, idToBytes32 } from './registry-id.ts';
import { createEventWatcher, type EventWatcher, type WatchEventsOptions } from './event-watcher.ts';

/** Settings of {@link createChainClient}; `app/` fills them from the config and {@link resolveNetwork}. */
export interface ChainOptions {
  /** JSON-RPC over HTTP (`ethereum_json_rpc_http_endpoint`). Every read and the event poller use it. */
  readonly rpcHttpUrl: string;
  /**
   * `ethereum_json_rpc_ws_endpoint`. Accepted for config compatibility but not used: events are polled
   * with `eth_getLogs` over HTTP, which survives provider WebSocket drops (the Go listener did not).
   */
  readonly rpcWsUrl?: string;
  /** `blockchain_provider_api_key`; sent as a header per {@link providerAuthHeaders}, never logged. */
  readonly providerApiKey?: string;
  /** Registry contract (`registry_address_key` or the network table). */
  readonly registryAddress: Address;
  /** MultiPartyEscrow contract: the service metadata `mpe_address`. Needed by getChannel and MPE events. */
  readonly mpeAddress?: Address;
  /** ERC-20 token for {@link ChainClient.getTokenBalance} (free-call balance check; `ResolvedNetwork.tokenAddress`). */
  readonly tokenAddress?: Address;
  /**
   * How long a block number is reused at most before callers wait for a fresh one (refreshed in the background
   * from half this age on, see {@link ChainClient.getBlockNumber}). @default 1000
   */
  readonly blockNumberCacheMs?: number;
  /**
   * When refreshing the block number fails, keep answering with the last known one while it is younger
   * than this (a warning is logged per failed refresh; callers do not wait for the retries while a refresh
   * is known to fail). A stale, lower block makes expiry checks more lenient by the same number of blocks,
   * so keep it short. @default 0 (off: the failure is thrown)
   */
  readonly blockNumberMaxStaleMs?: number;
  /** Per-request timeout. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Extra attempts for reads that fail with a transport error (timeout, network, HTTP 5xx/429). @default 3 */
  readonly readRetries?: number;
  /** First retry delay; doubles per attempt. @default 200 */
  readonly retryBaseDelayMs?: number;
  /** Default poll interval of {@link ChainClient.watchEvents}. @default 1000 */
  readonly eventPollIntervalMs?: number;
  /** Largest block range per `eth_getLogs` request (providers cap it). @default 2000n */
  readonly maxLogBlockRange?: bigint;
}

/** An MPE channel as stored on chain (`channels(id)`). */
export interface ChainChannel {
  readonly channelId: bigint;
  readonly nonce: bigint;
  readonly sender: Address;
  readonly signer: Address;
  readonly recipient: Address;
  /** 32-byte payment group id, hex. */
  readonly groupId: Hex;
  /** Remaining escrow in cogs. */
  readonly value: bigint;
  /** Block number from which the sender may reclaim the funds. */
  readonly expiration: bigint;
}

/** An organization as registered in the Registry. */
export interface OrgRegistration {
  readonly orgId: string;
  readonly owner: Address;
  readonly members: readonly Address[];
  readonly serviceIds: readonly string[];
  /** Parsed metadata URI; undefined when the Registry holds no usable URI. */
  readonly metadataLocation: MetadataLocation | undefined;
}

/** A service as registered in the Registry. */
export interface ServiceRegistration {
  readonly orgId: string;
  readonly serviceId: string;
  readonly metadataLocation: MetadataLocation | undefined;
}

/** Read access to the SingularityNET contracts. Reads retry transport failures; see README. */
export interface ChainClient {
  /**
   * The current block number, at most `blockNumberCacheMs` old; concurrent callers share one request. Past half
   * of that age the first caller starts a refresh in the background and still gets the cached number at once, so
   * callers wait for the node only after an idle period (or when the refresh takes longer than half the window).
   */
  getBlockNumber(): Promise<bigint>;
  /**
   * Synchronously, what {@link ChainClient.getBlockNumber} would answer without waiting for the node (it starts the
   * same background refresh); `undefined` when a caller would have to wait. For the per-call hot path.
   */
  peekBlockNumber(): bigint | undefined;
  /** The last block number read and its age in ms, without a request; undefined before the first read. */
  lastKnownBlock(): { readonly blockNumber: bigint; readonly ageMs: number } | undefined;
  /** `channels(id)` of the MPE (default: options.mpeAddress); undefined when never opened (sender 0). */
  getChannel(channelId: bigint, mpeAddress?: Address): Promise<ChainChannel | undefined>;
  /** ERC-20 `balanceOf(holder)` of `tokenAddress` (default: options.tokenAddress), in the token's smallest unit. */
  getTokenBalance(holder: Address, tokenAddress?: Address): Promise<bigint>;
  /** MPE `balances(holder)`: escrow not yet locked in a channel, in cogs. */
  getEscrowBalance(holder: Address, mpeAddress?: Address): Promise<bigint>;
  /** Registry `getOrganizationById`; undefined when not registered. */
  getOrgRegistration(orgId: string): Promise<OrgRegistration | undefined>;
  /** Registry `getServiceRegistrationById`; undefined when not registered. */
  getServiceRegistration(orgId: string, serviceId: string): Promise<ServiceRegistration | undefined>;
  /** The chain id the endpoint reports. */
  getChainId(): Promise<number>;
  /**
   * Start-up check that the endpoint serves the expected chain (e.g. a mainnet URL with network sepolia).
   * Throws `CHAIN_NETWORK_UNKNOWN` naming both ids, or a chain error when the endpoint cannot be asked.
   */
  verifyChainId(expected: number, networkName: string): Promise<void>;
  /** Polls `eth_getLogs` for MPE and Registry events and hands them to `onEvents` in chain order. */
  watchEvents(options: WatchEventsOptions): EventWatcher;
  /** Stops every watcher. The client must not be used afterwards. */
  close(): Promise<void>;
  readonly options: ChainOptions;
}

/** Dependencies of {@link createChainClient}. */
export interface ChainClientDeps {
  readonly logger: Logger;
  /** Monotonic milliseconds. @default performance.now */
  readonly now?: () => number;
  /** Injected for tests. @default a viem public client over HTTP built from options */
  readonly publicClient?: PublicClient;
  /**
   * Told about every JSON-RPC request of the built-in HTTP client (reads, retries, block polling, `eth_getLogs`):
   * its time in seconds and `ok: false` when the node could not be reached (no answer, timeout, HTTP error). An
   * error the node answered with is reachable. Must not throw.
   */
  readonly onRoundTrip?: (seconds: number, ok: boolean) => void;
}

/** Creates a {@link ChainClient} (viem, HTTP transport; retries are ours, not viem's). */
export function createChainClient(deps: ChainClientDeps, options: ChainOptions): ChainClient {
  const log = deps.logger.child({ component: 'chain', rpc: redactRpcUrl(options.rpcHttpUrl) });
  const now = deps.now ?? (() => performance.now());
  const transport = http(options.rpcHttpUrl, {
    retryCount: 0,
    timeout: options.requestTimeoutMs ?? 10_000,
    fetchOptions: { headers: providerAuthHeaders(options.rpcHttpUrl, options.providerApiKey) },
  });
  const client = deps.publicClient ?? createPublicClient({ transport: deps.onRoundTrip === undefined ? transport : observedTransport(transport, deps.onRoundTrip) });
  const retries = options.readRetries ?? 3;
  const baseDelayMs = options.retryBaseDelayMs ?? 200;
  const cacheMs = options.blockNumberCacheMs ?? 1000;
  const watchers = new Set<EventWatcher>();

  const read = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const failure = classifyChainError(err, what, options.rpcHttpUrl);
        if (failure.code !== 'CHAIN_UNAVAILABLE' || !isRetryable(err) || attempt >= retries) throw failure;
        const delayMs = baseDelayMs * 2 ** attempt;
        log.warn({ what, attempt: attempt + 1, delayMs, reason: failure.message }, 'chain read failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  };

  // Block number cache with refresh-ahead: a caller never waits for the node while the cached number is younger
  // than `cacheMs`; from half of that on, the first caller starts one refresh in the background. Only a number
  // older than `cacheMs` (idle daemon, slow node) makes callers wait, as before. While the node fails, the
  // last number is served without waiting for the retries until it is `blockNumberMaxStaleMs` old.
  const refreshAheadMs = cacheMs / 2;
  const maxStaleMs = options.blockNumberMaxStaleMs ?? 0;
  let cachedBlock: { value: bigint; at: number; promise: Promise<bigint> } | undefined;
  let pendingBlock: Promise<bigint> | undefined;
  let lastRefreshFailed = false;
  let closed = false;
  const refreshBlockNumber = (): Promise<bigint> => {
    pendingBlock ??= read('eth_blockNumber', () => client.getBlockNumber({ cacheTime: 0 }))
      .then(
        (value) => {
          cachedBlock = { value, at: now(), promise: Promise.resolve(value) };
          lastRefreshFailed = false;
          return value;
        },
        (err: unknown) => {
          lastRefreshFailed = true;
          if (cachedBlock !== undefined && now() - cachedBlock.at < maxStaleMs) {
            log.warn({ blockNumber: cachedBlock.value, ageMs: Math.round(now() - cachedBlock.at) }, 'block number refresh failed; using the last known one');
            return cachedBlock.value;
          }
          throw err;
        },
      )
      .finally(() => {
        pendingBlock = undefined;
      });
    return pendingBlock;
  };
  const refreshInBackground = (): void => {
    // Failures are logged (stale fallback) or surface to the next caller that has to wait.
    if (pendingBlock === undefined && !closed) refreshBlockNumber().catch(() => undefined);
  };
  const getBlockNumber = (): Promise<bigint> => {
    const cached = cachedBlock;
    if (cached !== undefined) {
      const ageMs = now() - cached.at;
      if (ageMs < refreshAheadMs) return cached.promise;
      if (ageMs < cacheMs || (lastRefreshFailed && ageMs < maxStaleMs)) {
        refreshInBackground();
        return cached.promise;
      }
    }
    return refreshBlockNumber();
  };
  const peekBlockNumber = (): bigint | undefined => {
    const cached = cachedBlock;
    if (cached === undefined) return undefined;
    const ageMs = now() - cached.at;
    if (ageMs < refreshAheadMs) return cached.value;
    if (ageMs < cacheMs || (lastRefreshFailed && ageMs < maxStaleMs)) {
      refreshInBackground();
      return cached.value;
    }
    return undefined;
  };

  const requireMpe = (mpeAddress: Address | undefined): Address => {
    const address = mpeAddress ?? options.mpeAddress;
    if (address === undefined) throw new SnetError('INTERNAL', 'the chain client has no MPE address (service metadata mpe_address not loaded)');
    return address;
  };

  const chainClient: ChainClient = {
    options,
    getBlockNumber,
    peekBlockNumber,
    lastKnownBlock: () => (cachedBlock === undefined ? undefined : { blockNumber: cachedBlock.value, ageMs: now() - cachedBlock.at }),
    getChainId: () => read('eth_chainId', () => client.getChainId()),
    verifyChainId: async (expected, networkName) => {
      const actual = await read('eth_chainId', () => client.getChainId());
      if (actual !== expected) {
        throw new SnetError('CHAIN_NETWORK_UNKNOWN', `the RPC endpoint ${redactRpcUrl(options.rpcHttpUrl)} serves chain id ${actual}, but network "${networkName}" is chain id ${expected}`, {
          hint: 'Point ethereum_json_rpc_http_endpoint at a node of the selected network, or select the network the node serves.',
          details: { expected, actual },
        });
      }
    },
    getChannel: async (channelId, mpeAddress) => {
      const address = requireMpe(mpeAddress);
      const [nonce, sender, signer, recipient, groupId, value, expiration] = await read(`channels(${channelId})`, () =>
        client.readContract({ address, abi: mpeAbi, functionName: 'channels', args: [channelId] }),
      );
      if (sender === zeroAddress) return undefined;
      return { channelId, nonce, sender, signer, recipient, groupId, value, expiration };
    },
    getTokenBalance: (holder, tokenAddress) => {
      const address = tokenAddress ?? options.tokenAddress;
      if (address === undefined) throw new SnetError('INTERNAL', 'the chain client has no token address (network tokenAddress not set)');
      return read(`balanceOf(${holder})`, () => client.readContract({ address, abi: erc20Abi, functionName: 'balanceOf', args: [holder] }));
    },
    getEscrowBalance: (holder, mpeAddress) => {
      const address = requireMpe(mpeAddress);
      return read(`balances(${holder})`, () => client.readContract({ address, abi: mpeAbi, functionName: 'balances', args: [holder] }));
    },
    getOrgRegistration: async (orgId) => {
      const [found, , uri, owner, members, serviceIds] = await read(`getOrganizationById(${orgId})`, () =>
        client.readContract({ address: options.registryAddress, abi: registryAbi, functionName: 'getOrganizationById', args: [idToBytes32(orgId)] }),
      );
      if (!found) return undefined;
      return { orgId, owner, members, serviceIds: serviceIds.map(bytes32ToId), metadataLocation: parseMetadataUri(uri) };
    },
    getServiceRegistration: async (orgId, serviceId) => {
      const [found, , uri] = await read(`getServiceRegistrationById(${orgId}, ${serviceId})`, () =>
        client.readContract({
          address: options.registryAddress,
          abi: registryAbi,
          functionName: 'getServiceRegistrationById',
          args: [idToBytes32(orgId), idToBytes32(serviceId)],
        }),
      );
      if (!found) return undefined;
      return { orgId, serviceId, metadataLocation: parseMetadataUri(uri) };
    },
    watchEvents: (watchOptions) => {
      const watcher = createEventWatcher(
        {
          logger: log,
          publicClient: client,
          getBlockNumber,
          classify: (err, what) => classifyChainError(err, what, options.rpcHttpUrl),
        },
        {
          mpeAddress: options.mpeAddress,
          registryAddress: options.registryAddress,
          pollIntervalMs: options.eventPollIntervalMs ?? 1000,
          maxBlockRange: options.maxLogBlockRange ?? 2000n,
        },
        watchOptions,
      );
      watchers.add(watcher);
      void watcher.stopped.then(() => watchers.delete(watcher));
      return watcher;
    },
    close: async () => {
      closed = true;
      await Promise.all([...watchers].map((w) => w.stop()));
    },
  };
  return chainClient;
}

/** The node could not be reached or did not answer in time (as opposed to answering with an error). */
function isTransportFailure(err: unknown): boolean {
  return err instanceof BaseError && err.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError) !== null;
}

/** `transport` with every request timed and reported to `onRoundTrip` (one place for every RPC of the client). */
function observedTransport<T extends Transport>(transport: T, onRoundTrip: (seconds: number, ok: boolean) => void): T {
  const observed: Transport = (params) => {
    const built = transport(params);
    const request = built.request;
    const timed = async (args: Parameters<typeof request>[0], requestOptions: Parameters<typeof request>[1]): Promise<unknown> => {
      const startedAt = performance.now();
      try {
        const result: unknown = await request(args, requestOptions);
        onRoundTrip((performance.now() - startedAt) / 1000, true);
        return result;
      } catch (err) {
        onRoundTrip((performance.now() - startedAt) / 1000, !isTransportFailure(err));
        throw err;
      }
    };
    return { ...built, request: timed as typeof request };
  };
  return observed as T;
}

/** Transport failures worth retrying: no answer, timeout, HTTP 5xx or 429. */
function isRetryable(err: unknown): boolean {
  if (!(err instanceof BaseError)) return false;
  const httpError = err.walk((e) => e instanceof HttpRequestError) as HttpRequestError | null;
  if (httpError !== null) return httpError.status === undefined || httpError.status >= 500 || httpError.status === 429;
  return err.walk((e) => e instanceof TimeoutError) !== null;
}

/**
 * Maps a viem failure to `CHAIN_UNAVAILABLE` (transport: no answer, timeout, HTTP error) or
 * `CHAIN_CALL_FAILED` (the node answered with an error or unusable data). The message names the
 * RPC host only: provider URLs carry API keys, so viem's own message (which quotes the URL) is not kept.
 */
export function classifyChainError(err: unknown, what: string, rpcUrl: string): SnetError {
  if (err instanceof SnetError) return err;
  const safeUrl = redactRpcUrl(rpcUrl);
  const short = err instanceof BaseError ? err.shortMessage : err instanceof Error ? err.message : String(err);
  const cleaned = short.split(rpcUrl).join(safeUrl);
  if (isTransportFailure(err)) {
    return new SnetError('CHAIN_UNAVAILABLE', `Ethereum RPC ${safeUrl} unavailable during ${what}: ${cleaned}`, {
      hint: 'Check ethereum_json_rpc_http_endpoint and blockchain_provider_api_key, and the provider status.',
      details: { what, rpc: safeUrl },
    });
  }
  return new SnetError('CHAIN_CALL_FAILED', `chain call ${what} failed at ${safeUrl}: ${cleaned}`, {
    hint: 'Check that the contract addresses belong to the network the RPC endpoint serves.',
    details: { what, rpc: safeUrl },
  });
}
