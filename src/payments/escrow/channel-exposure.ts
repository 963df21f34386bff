// What the owner stands to lose: the signed amounts not yet claimed, and the channels whose expiration is so close
// that the daemon no longer accepts payments on them while they still hold such an amount. Once a channel expires,
// its sender may take the whole escrow back (MPE `channelClaimTimeout`), unclaimed payments included. Read from
// the stored records by a periodic scan, never on the call path.
import type { Logger } from '../../shared/index.ts';
import type { ChannelRepository } from './channel-repository.ts';
import type { ChannelReader, ChannelState } from './channel-state.ts';

/** One channel close to its expiration with unclaimed funds. */
export interface ChannelNearExpiry {
  readonly channelId: bigint;
  readonly unclaimedCogs: bigint;
  /** Blocks until the expiration block (0 or less: expired, the sender may reclaim at any time). */
  readonly blocksLeft: bigint;
}

/** The result of one scan. */
export interface ChannelExposure {
  /** Signed and committed, not yet claimed, over every stored channel of this group and MPE. */
  readonly unclaimedCogs: bigint;
  /** Channels with unclaimed funds within `thresholdBlocks` of their expiration, by channel id. */
  readonly nearExpiry: readonly ChannelNearExpiry[];
}

/**
 * The signed amount of a record that is committed and not in a started claim: a reservation still in flight
 * counts with the amount before it (its call may yet be released). A started claim moved its amount out of the
 * record (the claim record holds it until the owner's transaction lands), so it is not counted here.
 */
export function unclaimedOf(channel: ChannelState): bigint {
  return channel.pending === undefined ? channel.authorizedAmount : channel.pending.previousAmount;
}

/**
 * The exposure of `channels` at `currentBlock`. "Near expiry" is the daemon's own payment bound (Go
 * `escrow/validation.go`): `expiration <= currentBlock + thresholdBlocks`, i.e. no further payment is accepted on
 * the channel and what it holds must be claimed before the expiration block.
 */
export function channelExposure(channels: readonly ChannelState[], currentBlock: bigint, thresholdBlocks: bigint): ChannelExposure {
  let unclaimedCogs = 0n;
  const nearExpiry: ChannelNearExpiry[] = [];
  for (const channel of channels) {
    const unclaimed = unclaimedOf(channel);
    if (unclaimed <= 0n) continue;
    unclaimedCogs += unclaimed;
    const blocksLeft = channel.expiration - currentBlock;
    if (blocksLeft <= thresholdBlocks) nearExpiry.push({ channelId: channel.channelId, unclaimedCogs: unclaimed, blocksLeft });
  }
  nearExpiry.sort((a, b) => (a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : 0));
  return { unclaimedCogs, nearExpiry };
}

/** Settings of {@link watchChannelExposure}. */
export interface ChannelExposureWatchOptions {
  /** Time between scans, in ms (the first scan runs one period after the start). */
  readonly periodMs: number;
  /** Org metadata `payment_expiration_threshold` (read per scan: may be a getter for hot reload). */
  readonly thresholdBlocks: bigint;
  /** Receives every successful scan. */
  readonly report: (exposure: ChannelExposure) => void;
}

/**
 * Scans the stored channels every `periodMs` (one storage range read and the cached block number; a scan still
 * running when the next is due is not doubled) and reports the exposure. A failed scan is logged once per run of
 * failures and reports nothing: the last figures stay. Returns the stop function.
 */
export function watchChannelExposure(deps: { readonly repository: ChannelRepository; readonly chain: ChannelReader; readonly logger: Logger }, options: ChannelExposureWatchOptions): () => void {
  let running = false;
  let failing = false;
  const scan = async (): Promise<void> => {
    const [channels, block] = await Promise.all([deps.repository.listChannels(), deps.chain.getBlockNumber()]);
    options.report(channelExposure(channels, block, options.thresholdBlocks));
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    scan()
      .then(
        () => {
          if (failing) deps.logger.info({}, 'channel scan works again');
          failing = false;
        },
        (err: unknown) => {
          if (!failing) deps.logger.warn({ err }, 'channel scan failed (unclaimed and near-expiry figures are not updated until it works again)');
          failing = true;
        },
      )
      .finally(() => {
        running = false;
      });
  }, options.periodMs);
  timer.unref();
  return () => clearInterval(timer);
}
