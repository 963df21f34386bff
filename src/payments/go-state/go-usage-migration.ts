import { toChecksumAddress } from '../../blockchain/index.ts';
import type { AtomicStore, StoreCondition, StoreOperation } from '../../storage/index.ts';
import { createFreeCallCounters, freeCallCounterPrefix, parseFreeCallCounterKey } from '../free-call/free-call-counters.ts';
import { decodeFreeCallState, EMPTY_FREE_CALL_STATE, encodeFreeCallState, settleExpiredFreeCalls, type FreeCallState } from '../free-call/free-call-state.ts';
import { decodePrepaidUsage, encodePrepaidUsage, NO_USAGE, parsePrepaidUsageKey, prepaidUsageKey, prepaidUsagePrefix, type PrepaidUsage } from '../prepaid/prepaid-usage.ts';
import { channelKeyLayout } from './go-channel-keys.ts';
import type { GoMigrationOptions } from './go-migration.ts';
import { goUsageKeyLayout, signerHexOfSentAddress, type GoFreeCallKeyParts, type GoPrepaidKind, type GoUsageKeyLayout } from './go-usage-keys.ts';
import { goFreeCallUserDataCodec, goPrePaidDataCodec } from './go-values.ts';

// Moves free-call counters and prepaid usage between the Go daemon's etcd layout (gob values under the group's
// base prefix) and ours. The rule that keeps them safe in both directions: a count or an amount is only ever
// raised, never lowered, so a migration never gives a user a free call back nor forgets prepaid spending; each
// write is a compare-and-swap on what was read, so a rerun changes nothing.
//
// Free calls: Go counts per address string AS SENT (`0xAB…` and `0xab…` are two counters of one signer); we count
// per signer. Import adds a signer's Go counters up (the calls the user really made); export raises every Go
// counter of the signer to our count (whichever spelling the client sends next, Go grants no more), and creates
// the EIP-55 spelling when Go has none.
// Prepaid: Go keeps planned P, used U and refunded R; what we call `used` is U − R (Go refuses a call when
// U − R would pass P). Export raises U (keeping R) so that U − R reaches our `used`.

/** Options of {@link importUsageFromGo} and {@link exportUsageToGo} (the prefixes, `dryRun` and `now` as for channels). */
export interface GoUsageMigrationOptions extends Omit<GoMigrationOptions, 'includeLocked'> {
  /** The Go daemon's base prefix: `buildStoragePrefixes({ …, root: '' }).base`. */
  readonly goBasePrefix: string;
  /** Our base prefix (free-call counters; prepaid usage lives under `mpePrefix`). */
  readonly basePrefix: string;
  /** The counters' service: `organization_id`, `service_id` and the base64 group id (they are part of Go's key). */
  readonly organizationId: string;
  readonly serviceId: string;
  readonly groupIdBase64: string;
  /** Also migrate users whose Go free-call lock reads `locked`; the call Go was serving counts as made. @default false */
  readonly includeLocked?: boolean;
}

/**
 * What happened to one user's free-call count or one channel's prepaid usage: `copied` (target had none),
 * `raised` (target had less), `unchanged`, `kept-higher` (the target counts more: left as is),
 * `skipped-locked` (Go free-call lock `locked`), `changed-meanwhile` (rerun), `unreadable` (see `detail`),
 * `pre-v6` (a Go counter keyed by user id only, which names no signer: not migrated), `no-channel` (Go prepaid
 * amounts of a channel that neither side stores under this MPE: not migrated, see {@link importUsageFromGo}).
 */
export type UsageMigrationAction = 'copied' | 'raised' | 'unchanged' | 'kept-higher' | 'skipped-locked' | 'changed-meanwhile' | 'unreadable' | 'pre-v6' | 'no-channel';

/** One free-call user of a migration report (on export, one per Go key written). */
export interface FreeCallMigrationOutcome {
  /** The signer's EIP-55 address (on export, the Go key's spelling); the Go key for `pre-v6` and unreadable keys. */
  readonly address: string;
  readonly userId: string;
  readonly action: UsageMigrationAction;
  /** The source's count. */
  readonly made?: number;
  /** The target's count when it was kept. */
  readonly targetMade?: number;
  readonly detail?: string;
}

/** One channel's prepaid usage of a migration report. */
export interface PrepaidMigrationOutcome {
  readonly channelId: bigint;
  readonly action: UsageMigrationAction;
  /** The source's planned and used (net of refunds) cogs. */
  readonly planned?: bigint;
  readonly used?: bigint;
  readonly detail?: string;
}

/** Free-call and prepaid part of a Go migration report. */
export interface GoUsageMigrationReport {
  readonly freeCalls: readonly FreeCallMigrationOutcome[];
  readonly prepaid: readonly PrepaidMigrationOutcome[];
  /** Free calls of the source's users that the target now counts (at least). */
  readonly freeCallsMade: number;
  /** Prepaid cogs of the source's channels that the target now counts as planned / used (at least). */
  readonly prepaidPlanned: bigint;
  readonly prepaidUsed: bigint;
}

/** Outcomes that leave the target at least as far as the source. */
export const usageSettled = (action: UsageMigrationAction): boolean =>
  action === 'copied' || action === 'raised' || action === 'unchanged' || action === 'kept-higher' || action === 'pre-v6' || action === 'no-channel';

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const LOCKED = 'locked';
const utf8 = new TextDecoder();

interface Context {
  readonly go: GoUsageKeyLayout;
  readonly options: GoUsageMigrationOptions;
  readonly now: () => number;
  write(store: AtomicStore, key: string, expected: Uint8Array | undefined, next: Uint8Array): Promise<boolean>;
}

function context(options: GoUsageMigrationOptions): Context {
  const dryRun = options.dryRun ?? false;
  return {
    go: goUsageKeyLayout(options.goBasePrefix, options),
    options,
    now: options.now ?? Date.now,
    write: (store, key, expected, next) => (dryRun ? Promise.resolve(true) : store.compareAndSwap(key, expected, next)),
  };
}

/** One Go counter of this service, read. */
type GoCounter = { readonly parts: GoFreeCallKeyParts; readonly signerHex: string; readonly made: number; readonly locked: boolean } | { readonly failed: FreeCallMigrationOutcome };

async function readGoCounters(ctx: Context, goStore: AtomicStore): Promise<GoCounter[]> {
  const counters: GoCounter[] = [];
  for (const entry of await goStore.getByPrefix(ctx.go.freeCallPrefix)) {
    const parts = ctx.go.parseFreeCallKey(entry.key);
    if (entry.leased || parts === undefined) continue; // another service's counter
    if (parts === 'pre-v6') {
      counters.push({ failed: { address: entry.key, userId: '', action: 'pre-v6', detail: 'a pre-v6 counter names no signer; snetd-ts cannot attribute it' } });
      continue;
    }
    const signerHex = signerHexOfSentAddress(parts.address);
    let made: bigint;
    try {
      if (signerHex === undefined) throw new Error(`"${parts.address}" is not an address`);
      made = goFreeCallUserDataCodec.decode(entry.value).freeCallsMade;
      if (made < 0n || made > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`FreeCallsMade ${made} is not a count`);
    } catch (error) {
      counters.push({ failed: { address: entry.key, userId: parts.userId, action: 'unreadable', detail: message(error) } });
      continue;
    }
    const lock = await goStore.get(ctx.go.freeCallLockKey(parts));
    counters.push({ parts, signerHex, made: Number(made), locked: lock !== undefined && utf8.decode(lock) === LOCKED });
  }
  return counters;
}

async function importFreeCalls(ctx: Context, goStore: AtomicStore, store: AtomicStore): Promise<FreeCallMigrationOutcome[]> {
  const { options } = ctx;
  const counters = createFreeCallCounters({ store }, { basePrefix: options.basePrefix, serviceId: options.serviceId, organizationId: options.organizationId, groupIdBase64: options.groupIdBase64 });
  const outcomes: FreeCallMigrationOutcome[] = [];
  const users = new Map<string, { signerHex: string; userId: string; made: number; locked: string[] }>();
  for (const counter of await readGoCounters(ctx, goStore)) {
    if ('failed' in counter) {
      outcomes.push(counter.failed);
      continue;
    }
    const id = `${counter.signerHex}/${counter.parts.userId}`;
    const user = users.get(id) ?? { signerHex: counter.signerHex, userId: counter.parts.userId, made: 0, locked: [] };
    // A Go replica that holds the lock is serving a call (or crashed while it did): that call may have been served.
    user.made += counter.made + (counter.locked ? 1 : 0);
    if (counter.locked) user.locked.push(ctx.go.freeCallLockKey(counter.parts));
    users.set(id, user);
  }
  for (const user of users.values()) {
    const seen = { address: toChecksumAddress(user.signerHex), userId: user.userId, made: user.made };
    if (user.locked.length > 0 && options.includeLocked !== true) {
      outcomes.push({ ...seen, action: 'skipped-locked', detail: `Go lock ${user.locked.join(', ')} is "locked"` });
      continue;
    }
    const key = counters.keyOf(user);
    const bytes = await store.get(key);
    let current: FreeCallState;
    try {
      current = bytes === undefined ? EMPTY_FREE_CALL_STATE : decodeFreeCallState(key, bytes);
    } catch (error) {
      outcomes.push({ ...seen, action: 'unreadable', detail: `existing snetd-ts value: ${message(error)}` });
      continue;
    }
    // Expired reservations are used calls; calls still in flight are not counted yet (one may be released) and
    // stay reserved on top of the Go count, so the result never counts fewer calls than either side.
    const settled = settleExpiredFreeCalls(current, ctx.now());
    if (bytes !== undefined && settled.made >= user.made) {
      outcomes.push(settled.made === user.made ? { ...seen, action: 'unchanged' } : { ...seen, action: 'kept-higher', targetMade: settled.made });
      continue;
    }
    const next = encodeFreeCallState({ made: user.made, pending: settled.pending });
    const swapped = await ctx.write(store, key, bytes, next);
    outcomes.push(swapped ? { ...seen, action: bytes === undefined ? 'copied' : 'raised' } : { ...seen, action: 'changed-meanwhile', detail: 'the counter changed during the migration; run it again' });
  }
  return outcomes;
}

async function exportFreeCalls(ctx: Context, store: AtomicStore, goStore: AtomicStore): Promise<FreeCallMigrationOutcome[]> {
  const { options } = ctx;
  const outcomes: FreeCallMigrationOutcome[] = [];
  // Go's spellings of each user, by the user's key in our layout (which keeps only a hash of a long user id).
  const counters = createFreeCallCounters({ store }, { basePrefix: options.basePrefix, serviceId: options.serviceId, organizationId: options.organizationId, groupIdBase64: options.groupIdBase64 });
  const spellings = new Map<string, GoFreeCallKeyParts[]>();
  for (const counter of await readGoCounters(ctx, goStore)) {
    if ('failed' in counter) continue; // not ours to raise: the import reports these
    const key = counters.keyOf({ signerHex: counter.signerHex, userId: counter.parts.userId });
    spellings.set(key, [...(spellings.get(key) ?? []), counter.parts]);
  }
  const prefix = freeCallCounterPrefix(options.basePrefix, options.serviceId);
  for (const entry of await store.getByPrefix(prefix)) {
    const user = parseFreeCallCounterKey(prefix, entry.key);
    if (entry.leased || user === undefined) continue;
    const address = toChecksumAddress(user.signerHex);
    const known = spellings.get(entry.key);
    if (user.userId === undefined && known === undefined) {
      outcomes.push({ address, userId: '', action: 'unreadable', detail: `the user id is longer than snetd-ts keeps in ${entry.key} and Go has no counter of it; Go needs it in its key` });
      continue;
    }
    // Calls in flight count as made: Go gets no reservations, and one of them may be served.
    let made: number;
    try {
      const settled = settleExpiredFreeCalls(decodeFreeCallState(entry.key, entry.value), ctx.now());
      made = settled.made + settled.pending.length;
    } catch (error) {
      outcomes.push({ address, userId: user.userId ?? '', action: 'unreadable', detail: message(error) });
      continue;
    }
    const targets = known ?? [{ address, userId: user.userId as string }];
    for (const parts of targets) outcomes.push(await exportCounter(ctx, goStore, parts, made));
  }
  return outcomes;
}

async function exportCounter(ctx: Context, goStore: AtomicStore, parts: GoFreeCallKeyParts, made: number): Promise<FreeCallMigrationOutcome> {
  const { go, options } = ctx;
  const seen = { address: parts.address, userId: parts.userId, made };
  const lock = await goStore.get(go.freeCallLockKey(parts));
  if (lock !== undefined && utf8.decode(lock) === LOCKED && options.includeLocked !== true) {
    return { ...seen, action: 'skipped-locked', detail: `Go lock ${go.freeCallLockKey(parts)} is "locked"` };
  }
  const key = go.freeCallKey(parts);
  const bytes = await goStore.get(key);
  if (bytes !== undefined) {
    let goMade: bigint;
    try {
      goMade = goFreeCallUserDataCodec.decode(bytes).freeCallsMade;
    } catch (error) {
      return { ...seen, action: 'unreadable', detail: `existing Go value: ${message(error)}` };
    }
    if (goMade >= BigInt(made)) return goMade === BigInt(made) ? { ...seen, action: 'unchanged' } : { ...seen, action: 'kept-higher', targetMade: Number(goMade) };
  }
  const value = goFreeCallUserDataCodec.encode({ address: parts.address, userId: parts.userId, freeCallsMade: BigInt(made), organizationId: options.organizationId, serviceId: options.serviceId, groupId: options.groupIdBase64 });
  const swapped = await ctx.write(goStore, key, bytes, value);
  return swapped ? { ...seen, action: bytes === undefined ? 'copied' : 'raised' } : { ...seen, action: 'changed-meanwhile', detail: 'the Go counter changed during the migration; run it again' };
}

/** The Go amounts of one channel as read: the bytes (CAS expectations) and the values (0 when absent). */
interface GoPrepaid {
  readonly bytes: Partial<Record<GoPrepaidKind, Uint8Array>>;
  readonly amounts: Record<GoPrepaidKind, bigint>;
}

async function readGoPrepaid(ctx: Context, goStore: AtomicStore): Promise<Map<bigint, GoPrepaid | { failed: string }>> {
  const channels = new Map<bigint, GoPrepaid | { failed: string }>();
  for (const entry of await goStore.getByPrefix(ctx.go.prepaidPrefix)) {
    const id = ctx.go.parsePrepaidKey(entry.key);
    if (entry.leased || id === undefined) continue;
    const known = channels.get(id.channelId) ?? { bytes: {}, amounts: { U: 0n, P: 0n, R: 0n } };
    if ('failed' in known) continue;
    try {
      const amount = goPrePaidDataCodec.decode(entry.value).amount ?? 0n;
      if (amount < 0n) throw new Error(`amount ${amount} is negative`);
      channels.set(id.channelId, { bytes: { ...known.bytes, [id.kind]: entry.value }, amounts: { ...known.amounts, [id.kind]: amount } });
    } catch (error) {
      channels.set(id.channelId, { failed: `${entry.key}: ${message(error)}` });
    }
  }
  return channels;
}

/** Go's usage in our terms: used net of refunds (Go refuses a call when U − R would pass P). */
const netUsage = (amounts: Record<GoPrepaidKind, bigint>): PrepaidUsage => ({ planned: amounts.P, used: amounts.U > amounts.R ? amounts.U - amounts.R : 0n });

async function importPrepaid(ctx: Context, goStore: AtomicStore, store: AtomicStore): Promise<PrepaidMigrationOutcome[]> {
  const outcomes: PrepaidMigrationOutcome[] = [];
  for (const [channelId, read] of await readGoPrepaid(ctx, goStore)) {
    if ('failed' in read) {
      outcomes.push({ channelId, action: 'unreadable', detail: read.failed });
      continue;
    }
    const go = netUsage(read.amounts);
    const seen = { channelId, planned: go.planned, used: go.used };
    if (go.used > go.planned) {
      outcomes.push({ ...seen, action: 'unreadable', detail: `Go's used amount ${go.used} (net of refunds) exceeds the planned ${go.planned}` });
      continue;
    }
    // Go's prepaid keys name no MPE contract. Amounts planned on a channel of an earlier MPE contract with the same
    // id would budget calls no signature of this contract backs; GetToken stores the channel before it plans, so
    // a channel neither side stores under this MPE was never planned here.
    if ((await goStore.get(channelKeyLayout(ctx.options.goMpePrefix).channelKey(channelId))) === undefined && (await store.get(channelKeyLayout(ctx.options.mpePrefix).channelKey(channelId))) === undefined) {
      outcomes.push({ ...seen, action: 'no-channel', detail: 'no channel record under this MPE contract (amounts of another contract?): not imported' });
      continue;
    }
    const key = prepaidUsageKey(ctx.options.mpePrefix, channelId);
    const bytes = await store.get(key);
    let current: PrepaidUsage;
    try {
      current = bytes === undefined ? NO_USAGE : decodePrepaidUsage(bytes);
    } catch (error) {
      outcomes.push({ ...seen, action: 'unreadable', detail: `existing snetd-ts value: ${message(error)}` });
      continue;
    }
    const merged: PrepaidUsage = { planned: max(current.planned, go.planned), used: max(current.used, go.used), op: current.op };
    if (bytes !== undefined && merged.planned === current.planned && merged.used === current.used) {
      outcomes.push({ ...seen, action: current.planned === go.planned && current.used === go.used ? 'unchanged' : 'kept-higher' });
      continue;
    }
    const swapped = await ctx.write(store, key, bytes, encodePrepaidUsage(merged));
    outcomes.push(swapped ? { ...seen, action: bytes === undefined ? 'copied' : 'raised' } : { ...seen, action: 'changed-meanwhile', detail: 'the usage changed during the migration; run it again' });
  }
  return outcomes;
}

async function exportPrepaid(ctx: Context, store: AtomicStore, goStore: AtomicStore): Promise<PrepaidMigrationOutcome[]> {
  const { go, options } = ctx;
  const outcomes: PrepaidMigrationOutcome[] = [];
  const goChannels = await readGoPrepaid(ctx, goStore);
  for (const entry of await store.getByPrefix(prepaidUsagePrefix(options.mpePrefix))) {
    const channelId = parsePrepaidUsageKey(options.mpePrefix, entry.key);
    if (entry.leased || channelId === undefined) continue;
    let ours: PrepaidUsage;
    try {
      ours = decodePrepaidUsage(entry.value);
    } catch (error) {
      outcomes.push({ channelId, action: 'unreadable', detail: message(error) });
      continue;
    }
    const seen = { channelId, planned: ours.planned, used: ours.used };
    const read = goChannels.get(channelId) ?? { bytes: {}, amounts: { U: 0n, P: 0n, R: 0n } };
    if ('failed' in read) {
      outcomes.push({ ...seen, action: 'unreadable', detail: `existing Go value ${read.failed}` });
      continue;
    }
    const current = netUsage(read.amounts);
    const next: Record<GoPrepaidKind, bigint> = {
      P: max(read.amounts.P, ours.planned),
      U: ours.used > current.used ? read.amounts.R + ours.used : read.amounts.U,
      R: read.amounts.R,
    };
    const changed = (['P', 'U'] as const).filter((kind) => next[kind] !== read.amounts[kind] || (read.bytes[kind] === undefined && next[kind] > 0n));
    if (changed.length === 0) {
      outcomes.push({ ...seen, action: current.planned === ours.planned && current.used === ours.used ? 'unchanged' : 'kept-higher' });
      continue;
    }
    // U, P and R change together in Go (one transaction over the three keys): so do we, on what was read.
    const conditions = (['U', 'P', 'R'] as const).map((kind): StoreCondition => {
      const bytes = read.bytes[kind];
      return bytes === undefined ? { kind: 'absent', key: go.prepaidKey(channelId, kind) } : { kind: 'equals', key: go.prepaidKey(channelId, kind), value: bytes };
    });
    const operations = changed.map((kind): StoreOperation => ({ kind: 'put', key: go.prepaidKey(channelId, kind), value: goPrePaidDataCodec.encode({ amount: next[kind] }) }));
    const swapped = options.dryRun === true ? true : await goStore.transaction(conditions, operations);
    const fresh = read.bytes.P === undefined && read.bytes.U === undefined;
    outcomes.push(swapped ? { ...seen, action: fresh ? 'copied' : 'raised' } : { ...seen, action: 'changed-meanwhile', detail: 'the Go usage changed during the migration; run it again' });
  }
  return outcomes;
}

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

function report(freeCalls: FreeCallMigrationOutcome[], prepaid: PrepaidMigrationOutcome[]): GoUsageMigrationReport {
  let freeCallsMade = 0;
  let prepaidPlanned = 0n;
  let prepaidUsed = 0n;
  for (const f of freeCalls) if (f.action !== 'pre-v6' && usageSettled(f.action) && f.made !== undefined) freeCallsMade += f.made;
  for (const p of prepaid) {
    if (!usageSettled(p.action)) continue;
    prepaidPlanned += p.planned ?? 0n;
    prepaidUsed += p.used ?? 0n;
  }
  return { freeCalls, prepaid, freeCallsMade, prepaidPlanned, prepaidUsed };
}

/**
 * Raises this service's free-call counters and the prepaid usage in `store` to what the Go daemon's etcd
 * (`goStore`) holds for the group. Stop the Go daemons first: a call Go serves after the read is not counted.
 */
export async function importUsageFromGo(goStore: AtomicStore, store: AtomicStore, options: GoUsageMigrationOptions): Promise<GoUsageMigrationReport> {
  const ctx = context(options);
  return report(await importFreeCalls(ctx, goStore, store), await importPrepaid(ctx, goStore, store));
}

/** The reverse of {@link importUsageFromGo} (rollback to the Go daemon): raises the Go counters and usage to ours. */
export async function exportUsageToGo(store: AtomicStore, goStore: AtomicStore, options: GoUsageMigrationOptions): Promise<GoUsageMigrationReport> {
  const ctx = context(options);
  return report(await exportFreeCalls(ctx, store, goStore), await exportPrepaid(ctx, store, goStore));
}
