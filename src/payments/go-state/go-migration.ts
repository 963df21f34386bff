import type { AtomicStore } from '../../storage/index.ts';
import {
  decodeChannelState,
  decodeClaimRecord,
  encodeChannelState,
  encodeClaimRecord,
  settleExpired,
  type ChannelState,
  type ClaimRecord,
} from '../escrow/channel-state.ts';
import { channelKeyLayout, type ChannelKeyLayout } from './go-channel-keys.ts';
import { channelFromGo, channelToGo, claimFromGo, claimToGo } from './go-channel-mapping.ts';
import { goPaymentChannelDataCodec, goPaymentCodec } from './go-values.ts';

// Moves the money-bearing state between the Go daemon's etcd layout (gob values) and ours (versioned JSON
// under the snetd-ts root): every channel's latest signed amount and signature, and claims in progress.
// One rule in both directions: a record is written only where the target has none or an older one (lower
// nonce, or the same nonce with a lower signed amount), with a compare-and-swap on what was read, so a
// rerun changes nothing and a newer state is never overwritten.

/** Options of {@link importChannelsFromGo} and {@link exportChannelsToGo}. */
export interface GoMigrationOptions {
  /** The Go daemon's MPE prefix: `buildStoragePrefixes({ …, root: '' }).mpe`. */
  readonly goMpePrefix: string;
  /** Our MPE prefix (`PaymentContext.storagePrefixes.mpe`). */
  readonly mpePrefix: string;
  /** Also copy channels whose Go lock reads `locked` (a Go replica is, or was when it crashed, mid-call). @default false */
  readonly includeLocked?: boolean;
  /** Read and compare only; write nothing. @default false */
  readonly dryRun?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * What happened to one channel: `copied` (target had none), `updated` (target had an older state),
 * `unchanged` (same nonce and amount), `kept-newer` (the target's state is newer: left as is),
 * `skipped-locked` (Go lock `locked`), `skipped-in-flight` (our reservation of a running call),
 * `changed-meanwhile` (the target changed between read and write: rerun), `unreadable` (see `detail`).
 * In a dry run the actions say what would happen.
 */
export type ChannelMigrationAction = 'copied' | 'updated' | 'unchanged' | 'kept-newer' | 'skipped-locked' | 'skipped-in-flight' | 'changed-meanwhile' | 'unreadable';

/** One channel of a migration report. */
export interface ChannelMigrationOutcome {
  readonly channelId: bigint;
  readonly action: ChannelMigrationAction;
  /** The source's state (absent when unreadable). */
  readonly nonce?: bigint;
  readonly authorizedAmount?: bigint;
  /** The target's state when it was kept. */
  readonly targetNonce?: bigint;
  readonly targetAmount?: bigint;
  readonly detail?: string;
}

/** What happened to one claim: `copied`, `unchanged`, `conflict` (the target holds another amount or signature: kept), `changed-meanwhile`, `unreadable`. */
export type ClaimMigrationAction = 'copied' | 'unchanged' | 'conflict' | 'changed-meanwhile' | 'unreadable';

/** One claim of a migration report. */
export interface ClaimMigrationOutcome {
  readonly channelId: bigint;
  readonly nonce: bigint;
  readonly action: ClaimMigrationAction;
  readonly amount?: bigint;
  readonly detail?: string;
}

/** The result of a migration, for the summary the CLI prints. */
export interface GoMigrationReport {
  readonly direction: 'import' | 'export';
  readonly dryRun: boolean;
  readonly channels: readonly ChannelMigrationOutcome[];
  readonly claims: readonly ClaimMigrationOutcome[];
  /** Signed, unclaimed cogs of the source's channels that the target holds (copied, updated or unchanged). */
  readonly unclaimedCogs: bigint;
  /** Cogs of the source's claims in progress that the target holds (copied or unchanged). */
  readonly claimCogs: bigint;
}

/** One side of a migration: a store, its key layout and its value encoding. */
interface Side {
  readonly store: AtomicStore;
  readonly keys: ChannelKeyLayout;
  readonly go: boolean;
  decodeChannel(channelId: bigint, bytes: Uint8Array): ChannelState;
  encodeChannel(state: ChannelState): Uint8Array;
  decodeClaim(channelId: bigint, nonce: bigint, bytes: Uint8Array): ClaimRecord;
  encodeClaim(claim: ClaimRecord): Uint8Array;
}

function goSide(store: AtomicStore, mpePrefix: string): Side {
  return {
    store,
    keys: channelKeyLayout(mpePrefix),
    go: true,
    decodeChannel: (id, bytes) => channelFromGo(id, goPaymentChannelDataCodec.decode(bytes)),
    encodeChannel: (state) => goPaymentChannelDataCodec.encode(channelToGo(state)),
    decodeClaim: (id, nonce, bytes) => claimFromGo(id, nonce, goPaymentCodec.decode(bytes)),
    encodeClaim: (claim) => goPaymentCodec.encode(claimToGo(claim)),
  };
}

function ourSide(store: AtomicStore, mpePrefix: string): Side {
  return {
    store,
    keys: channelKeyLayout(mpePrefix),
    go: false,
    decodeChannel: (_id, bytes) => decodeChannelState(bytes),
    encodeChannel: encodeChannelState,
    decodeClaim: (_id, _nonce, bytes) => decodeClaimRecord(bytes),
    encodeClaim: encodeClaimRecord,
  };
}

/**
 * Copies the Go daemon's channels and claims in progress (read from `goStore`, e.g. its etcd) into `store`
 * under our prefix. Stop the Go daemons first: a payment Go accepts after the read is not copied.
 */
export function importChannelsFromGo(goStore: AtomicStore, store: AtomicStore, options: GoMigrationOptions): Promise<GoMigrationReport> {
  const go = goSide(goStore, options.goMpePrefix);
  return migrate('import', go, ourSide(store, options.mpePrefix), go, options);
}

/** The reverse of {@link importChannelsFromGo} (rollback to the Go daemon): our state into the Go layout of `goStore`. */
export function exportChannelsToGo(store: AtomicStore, goStore: AtomicStore, options: GoMigrationOptions): Promise<GoMigrationReport> {
  const go = goSide(goStore, options.goMpePrefix);
  return migrate('export', ourSide(store, options.mpePrefix), go, go, options);
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Orders two states of one channel: the later nonce wins, then the higher signed amount. */
function compareStates(a: ChannelState, b: ChannelState): number {
  if (a.nonce !== b.nonce) return a.nonce > b.nonce ? 1 : -1;
  if (a.authorizedAmount !== b.authorizedAmount) return a.authorizedAmount > b.authorizedAmount ? 1 : -1;
  return 0;
}

async function migrate(direction: 'import' | 'export', source: Side, target: Side, go: Side, options: GoMigrationOptions): Promise<GoMigrationReport> {
  const now = options.now ?? Date.now;
  const dryRun = options.dryRun ?? false;
  const write = (key: string, expected: Uint8Array | undefined, next: Uint8Array): Promise<boolean> =>
    dryRun ? Promise.resolve(true) : target.store.compareAndSwap(key, expected, next);

  /** A record as the side's readers see it; our reservations are settled (an expired one counts as accepted). */
  const live = (side: Side, state: ChannelState): ChannelState => (side.go ? state : settleExpired(state, now()));
  const inFlight = (state: ChannelState): boolean => state.pending !== undefined;

  const channels: ChannelMigrationOutcome[] = [];
  let unclaimedCogs = 0n;
  for (const entry of await source.store.getByPrefix(source.keys.channelPrefix)) {
    const channelId = source.keys.parseChannelKey(entry.key);
    if (entry.leased || channelId === undefined) continue;
    const outcome = await migrateChannel(channelId, entry.value);
    channels.push(outcome);
    if ((outcome.action === 'copied' || outcome.action === 'updated' || outcome.action === 'unchanged') && outcome.authorizedAmount !== undefined) {
      unclaimedCogs += outcome.authorizedAmount;
    }
  }

  async function migrateChannel(channelId: bigint, bytes: Uint8Array): Promise<ChannelMigrationOutcome> {
    let state: ChannelState;
    try {
      state = live(source, source.decodeChannel(channelId, bytes));
    } catch (error) {
      return { channelId, action: 'unreadable', detail: `${direction === 'import' ? 'Go' : 'snetd-ts'} value: ${message(error)}` };
    }
    const seen = { channelId, nonce: state.nonce, authorizedAmount: state.authorizedAmount };
    if (inFlight(state)) return { ...seen, action: 'skipped-in-flight', detail: 'a call holds a reservation on the channel' };
    const lock = await go.store.get(go.keys.lockKey(channelId));
    if (lock !== undefined && Buffer.from(lock).toString('utf8') === 'locked' && options.includeLocked !== true) {
      return { ...seen, action: 'skipped-locked', detail: `Go lock ${go.keys.lockKey(channelId)} is "locked"` };
    }
    const key = target.keys.channelKey(channelId);
    const current = await target.store.get(key);
    let action: ChannelMigrationAction = 'copied';
    if (current !== undefined) {
      let existing: ChannelState;
      try {
        existing = live(target, target.decodeChannel(channelId, current));
      } catch (error) {
        return { ...seen, action: 'unreadable', detail: `existing ${direction === 'import' ? 'snetd-ts' : 'Go'} value: ${message(error)}` };
      }
      if (inFlight(existing)) return { ...seen, action: 'skipped-in-flight', detail: 'a call holds a reservation on the channel' };
      const order = compareStates(state, existing);
      if (order === 0) return { ...seen, action: 'unchanged' };
      if (order < 0) return { ...seen, action: 'kept-newer', targetNonce: existing.nonce, targetAmount: existing.authorizedAmount };
      action = 'updated';
    }
    const swapped = await write(key, current, target.encodeChannel(state));
    return swapped ? { ...seen, action } : { ...seen, action: 'changed-meanwhile', detail: 'the target record changed during the migration; run it again' };
  }

  const claims: ClaimMigrationOutcome[] = [];
  let claimCogs = 0n;
  for (const entry of await source.store.getByPrefix(source.keys.claimPrefix)) {
    const id = source.keys.parseClaimKey(entry.key);
    if (entry.leased || id === undefined) continue;
    const outcome = await migrateClaim(id.channelId, id.nonce, entry.value);
    claims.push(outcome);
    if ((outcome.action === 'copied' || outcome.action === 'unchanged') && outcome.amount !== undefined) claimCogs += outcome.amount;
  }

  async function migrateClaim(channelId: bigint, nonce: bigint, bytes: Uint8Array): Promise<ClaimMigrationOutcome> {
    let claim: ClaimRecord;
    try {
      claim = source.decodeClaim(channelId, nonce, bytes);
    } catch (error) {
      return { channelId, nonce, action: 'unreadable', detail: message(error) };
    }
    const seen = { channelId, nonce, amount: claim.amount };
    const key = target.keys.claimKey(channelId, nonce);
    const current = await target.store.get(key);
    if (current !== undefined) {
      let existing: ClaimRecord;
      try {
        existing = target.decodeClaim(channelId, nonce, current);
      } catch (error) {
        return { ...seen, action: 'unreadable', detail: `existing value: ${message(error)}` };
      }
      const same = existing.amount === claim.amount && Buffer.compare(existing.signature, claim.signature) === 0;
      return same ? { ...seen, action: 'unchanged' } : { ...seen, action: 'conflict', detail: `the target holds a claim of ${existing.amount} cogs for this nonce; kept` };
    }
    const swapped = await write(key, undefined, target.encodeClaim(claim));
    return swapped ? { ...seen, action: 'copied' } : { ...seen, action: 'changed-meanwhile', detail: 'the claim appeared during the migration; run it again' };
  }

  return { direction, dryRun, channels, claims, unclaimedCogs, claimCogs };
}
