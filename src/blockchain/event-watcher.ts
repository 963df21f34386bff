import type { Address, Hex, Log, PublicClient } from 'viem';
import { decodeEventLog } from 'viem';
import type { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import { mpeAbi, registryAbi } from './contracts/abi.ts';
import { parseMetadataUri, type MetadataLocation } from './metadata/metadata-uri.ts';
import { bytes32ToId, idToBytes32 } from './registry-id.ts';

/** Where an event happened on chain. */
export interface EventPosition {
  readonly blockNumber: bigint;
  readonly logIndex: number;
  readonly transactionHash: Hex;
}

/**
 * MPE and Registry events, decoded. Amounts in ChannelClaim / ChannelSenderClaim are unreliable (the
 * contract emits them after zeroing the value): re-read `channels(id)` instead.
 */
export type ChainEvent = EventPosition &
  (
    | { readonly kind: 'ChannelOpen'; readonly channelId: bigint; readonly nonce: bigint; readonly sender: Address; readonly signer: Address; readonly recipient: Address; readonly groupId: Hex; readonly amount: bigint; readonly expiration: bigint }
    | { readonly kind: 'ChannelAddFunds'; readonly channelId: bigint; readonly additionalFunds: bigint }
    | { readonly kind: 'ChannelExtend'; readonly channelId: bigint; readonly newExpiration: bigint }
    | { readonly kind: 'ChannelClaim'; readonly channelId: bigint; readonly nonce: bigint; readonly recipient: Address; readonly claimAmount: bigint; readonly plannedAmount: bigint }
    | { readonly kind: 'ChannelSenderClaim'; readonly channelId: bigint; readonly nonce: bigint }
    | { readonly kind: 'OrganizationCreated' | 'OrganizationModified' | 'OrganizationDeleted'; readonly orgId: string }
    | { readonly kind: 'ServiceCreated' | 'ServiceMetadataModified'; readonly orgId: string; readonly serviceId: string; readonly metadataLocation: MetadataLocation | undefined }
    | { readonly kind: 'ServiceDeleted'; readonly orgId: string; readonly serviceId: string }
  );

/** The event names a watcher can deliver. */
export type ChainEventKind = ChainEvent['kind'];

/** What to watch and where to send it. */
export interface WatchEventsOptions {
  /** Called with each batch, in chain order; the next poll waits for the returned promise. */
  readonly onEvents: (events: readonly ChainEvent[]) => void | Promise<void>;
  /** Called when a poll fails (the watcher keeps going with backoff). */
  readonly onError?: (error: SnetError) => void;
  /** Only these kinds (default: all). */
  readonly kinds?: readonly ChainEventKind[];
  /** Only Registry events of this organization id. */
  readonly orgId?: string;
  /** First block to scan. @default the current block + 1 (only new events) */
  readonly fromBlock?: bigint;
  /** Watch this MPE instead of the client's. `null` = no MPE events. */
  readonly mpeAddress?: Address | null;
  /** Watch Registry events. @default true */
  readonly registry?: boolean;
  /** Stay this many blocks behind the head (reorg safety on public chains). @default 0 */
  readonly confirmations?: bigint;
  /** Poll interval. @default ChainOptions.eventPollIntervalMs */
  readonly pollIntervalMs?: number;
}

/** A running event poller. */
export interface EventWatcher {
  /** Resolves once the starting block is known (events after it will be delivered). */
  readonly ready: Promise<void>;
  /** Resolves when the watcher has stopped. */
  readonly stopped: Promise<void>;
  /** Last block fully delivered. */
  lastBlock(): bigint | undefined;
  /** Stops polling; waits for a batch in progress. Idempotent. */
  stop(): Promise<void>;
}

interface WatcherDeps {
  readonly logger: Logger;
  readonly publicClient: PublicClient;
  readonly getBlockNumber: () => Promise<bigint>;
  readonly classify: (err: unknown, what: string) => SnetError;
}

interface WatcherDefaults {
  readonly mpeAddress: Address | undefined;
  readonly registryAddress: Address;
  readonly pollIntervalMs: number;
  readonly maxBlockRange: bigint;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Polls `eth_getLogs` by block range over HTTP. The cursor only advances after `onEvents` returned, so a
 * failed poll is retried from the same block and no event is skipped.
 */
export function createEventWatcher(deps: WatcherDeps, defaults: WatcherDefaults, options: WatchEventsOptions): EventWatcher {
  const mpeAddress = options.mpeAddress === null ? undefined : (options.mpeAddress ?? defaults.mpeAddress);
  const addresses: Address[] = [];
  if (mpeAddress !== undefined) addresses.push(mpeAddress);
  if (options.registry !== false) addresses.push(defaults.registryAddress);
  const interval = options.pollIntervalMs ?? defaults.pollIntervalMs;
  const confirmations = options.confirmations ?? 0n;
  const orgTopic = options.orgId === undefined ? undefined : idToBytes32(options.orgId).toLowerCase();
  const kinds = options.kinds === undefined ? undefined : new Set<ChainEventKind>(options.kinds);
  const log = deps.logger.child({ component: 'chain-events' });

  let next: bigint | undefined;
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  let busy: Promise<void> = Promise.resolve();

  const poll = async (): Promise<void> => {
    const head = await deps.getBlockNumber();
    let cursor = next ?? options.fromBlock ?? head + 1n;
    const safeHead = head - confirmations;
    while (running && cursor <= safeHead) {
      const to: bigint = cursor + defaults.maxBlockRange - 1n < safeHead ? cursor + defaults.maxBlockRange - 1n : safeHead;
      const logs = addresses.length === 0 ? [] : await deps.publicClient.getLogs({ address: addresses, fromBlock: cursor, toBlock: to });
      const events = logs.flatMap((entry) => {
        const event = decodeChainEvent(entry);
        if (event === undefined) return [];
        if (kinds !== undefined && !kinds.has(event.kind)) return [];
        if (orgTopic !== undefined && 'orgId' in event && entry.topics[1]?.toLowerCase() !== orgTopic) return [];
        return [event];
      });
      if (events.length > 0) await options.onEvents(events);
      cursor = to + 1n;
      next = cursor;
    }
  };

  const schedule = (delayMs: number): void => {
    if (!running) return;
    timer = setTimeout(() => {
      busy = poll()
        .then(() => {
          failures = 0;
        })
        .catch((err: unknown) => {
          failures++;
          const error = deps.classify(err, 'eth_getLogs');
          log.warn({ code: error.code, reason: error.message, failures }, 'event poll failed');
          options.onError?.(error);
        })
        .finally(() => schedule(failures === 0 ? interval : Math.min(interval * 2 ** failures, MAX_BACKOFF_MS)));
    }, delayMs);
  };

  const ready = (async () => {
    if (options.fromBlock !== undefined) {
      next = options.fromBlock;
      return;
    }
    for (;;) {
      try {
        next = (await deps.getBlockNumber()) + 1n;
        return;
      } catch (err) {
        if (!running) return;
        options.onError?.(deps.classify(err, 'eth_blockNumber'));
        await new Promise((resolve) => setTimeout(resolve, interval));
      }
    }
  })();
  void ready.then(() => schedule(0));

  return {
    ready,
    stopped,
    lastBlock: () => (next === undefined ? undefined : next - 1n),
    stop: async () => {
      if (!running) return stopped;
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      await busy;
      resolveStopped();
      return stopped;
    },
  };
}

/** Decodes one log of the MPE or Registry; undefined for events we do not use (deposits, transfers…). */
export function decodeChainEvent(entry: Log): ChainEvent | undefined {
  if (entry.blockNumber === null || entry.logIndex === null || entry.transactionHash === null) return undefined;
  const position: EventPosition = { blockNumber: entry.blockNumber, logIndex: entry.logIndex, transactionHash: entry.transactionHash };
  const topics = entry.topics as [Hex, ...Hex[]];
  try {
    const e = decodeEventLog({ abi: mpeAbi, data: entry.data, topics });
    switch (e.eventName) {
      case 'ChannelOpen':
        return { ...position, kind: 'ChannelOpen', ...e.args };
      case 'ChannelAddFunds':
        return { ...position, kind: 'ChannelAddFunds', channelId: e.args.channelId, additionalFunds: e.args.additionalFunds };
      case 'ChannelExtend':
        return { ...position, kind: 'ChannelExtend', channelId: e.args.channelId, newExpiration: e.args.newExpiration };
      case 'ChannelClaim':
        return { ...position, kind: 'ChannelClaim', channelId: e.args.channelId, nonce: e.args.nonce, recipient: e.args.recipient, claimAmount: e.args.claimAmount, plannedAmount: e.args.plannedAmount };
      case 'ChannelSenderClaim':
        return { ...position, kind: 'ChannelSenderClaim', channelId: e.args.channelId, nonce: e.args.nonce };
    }
  } catch {
    // not an MPE event we know; try the Registry
  }
  try {
    const e = decodeEventLog({ abi: registryAbi, data: entry.data, topics });
    switch (e.eventName) {
      case 'OrganizationCreated':
      case 'OrganizationModified':
      case 'OrganizationDeleted':
        return { ...position, kind: e.eventName, orgId: bytes32ToId(e.args.orgId) };
      case 'ServiceCreated':
      case 'ServiceMetadataModified':
        return { ...position, kind: e.eventName, orgId: bytes32ToId(e.args.orgId), serviceId: bytes32ToId(e.args.serviceId), metadataLocation: parseMetadataUri(e.args.metadataURI) };
      case 'ServiceDeleted':
        return { ...position, kind: 'ServiceDeleted', orgId: bytes32ToId(e.args.orgId), serviceId: bytes32ToId(e.args.serviceId) };
    }
  } catch {
    // an event of these contracts we do not use
  }
  return undefined;
}
