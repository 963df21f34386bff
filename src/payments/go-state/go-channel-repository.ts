import { addressesEqual } from '../../blockchain/index.ts';
import { lockedValue, unlockedValue, type HeldLock, type LockAndPut, type ReferenceLocks, type ReferencePut } from '../../storage/index.ts';
import type { Logger } from '../../shared/index.ts';
import { serviceRejected, createChannelRepository, sweepClaimedPayments, type ChannelRepository, type ChannelRepositoryDeps, type ChannelRepositoryOptions, type ChainReadResult, type MergedChannel, type StoredChannel } from '../escrow/channel-repository.ts';
import { decodeChannelState, encodeChannelState, settleExpired, type ChannelState, type ClaimRecord } from '../escrow/channel-state.ts';
import { bytesEqual } from '../escrow/channel-payment-check.ts';
import { channelKeyLayout } from './go-channel-keys.ts';
import { channelFromGo, channelToGo, claimFromGo, claimToGo } from './go-channel-mapping.ts';
import { goPaymentChannelDataCodec, goPaymentCodec } from './go-values.ts';

// Mixed fleets (`payment_channel_storage_format: go`): the channel repository on the Go daemon's keys, gob values
// and lock protocol (Go `escrow/lock.go`, `escrow/escrow.go`), behind the same interface as ours so the escrow
// handler runs unchanged. Our reservation is the Go lock (on our lease) plus the gob value already holding the
// reserved amount and signature, as our own format stores a reservation:
//   handler reserve (CAS to a record with `pending`)  = one transaction: take the Go lock (absent / `unlocked`)
//                                                        and put the reserved gob value, if the value is still the
//                                                        handler's `expected` (its bytes; a Go-written value with
//                                                        other bytes for the same channel is matched on a retry);
//   lease renewal (CAS pending → pending)              = nothing to write: etcd keeps our lease alive;
//   commit / release (CAS pending → no pending)        = one transaction, if our lock and the value we wrote are
//                                                        both still there: put the final gob value when it differs
//                                                        (release: the base value back, a refund) and delete the lock;
//   any other CAS                                       = lock, compare, put, unlock.
// So a replica killed mid-call keeps the charge: its lock vanishes with its lease and the value holds the reserved
// payment (our format's `settleExpired`). No Go replica acts on the reserved value while our lock is held: Go locks
// before it reads, and its write is a CAS on the value it read. A lock lost mid-call (lease ended) fails the
// commit's or release's conditions: nothing is written, the charge stays, nothing is counted twice.
// A Go replica holding the lock shows up as a reservation of owner `0` that never expires: the handler refuses
// with "another transaction on channel … is in progress", as Go does.

/** Owner id of a reservation that is a lock held by someone else (owners of this process are longer). */
const FOREIGN_OWNER = '0';

/** Dependencies of {@link createGoChannelRepository}: the repository's plus the reference's locks. */
export interface GoChannelRepositoryDeps extends ChannelRepositoryDeps {
  readonly locks: ReferenceLocks;
  readonly logger: Logger;
}

/** A Go lock this process holds for a call in flight. */
interface HeldChannel {
  readonly owner: string;
  readonly lock: HeldLock;
  /** The record the reserve wrote into the gob value (with its `pending`, which Go does not store). */
  readonly written: ChannelState;
  /** The record the handler last wrote (with its `pending`). */
  current: ChannelState;
}

/** Same channel facts (the reservation ignored): what a CAS's `expected` must match in the Go value. */
export function sameChannel(a: ChannelState | undefined, b: ChannelState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.channelId === b.channelId &&
    a.nonce === b.nonce &&
    a.fullAmount === b.fullAmount &&
    a.expiration === b.expiration &&
    a.authorizedAmount === b.authorizedAmount &&
    bytesEqual(a.signature ?? new Uint8Array(0), b.signature ?? new Uint8Array(0)) &&
    addressesEqual(a.sender, b.sender) &&
    addressesEqual(a.signer, b.signer) &&
    addressesEqual(a.recipient, b.recipient) &&
    a.groupId.toLowerCase() === b.groupId.toLowerCase()
  );
}

/** The gob `PaymentChannelData` of a record (its reservation is not stored: Go has no such field). */
export function encodeGoChannel(state: ChannelState): Uint8Array {
  return goPaymentChannelDataCodec.encode(channelToGo(state));
}

/**
 * A {@link ChannelRepository} on the Go daemon's layout under `options.mpePrefix` (the Go prefix: no snetd-ts root).
 * Reads and scans go through `deps.store`; every write goes through `deps.locks` under the Go lock of its channel.
 */
export function createGoChannelRepository(deps: GoChannelRepositoryDeps, options: ChannelRepositoryOptions): ChannelRepository {
  const { store, locks } = deps;
  const logger = deps.logger.child({ component: 'go-channels' });
  const now = deps.now ?? Date.now;
  // Merge, chain reads and the in-process mutex are the same as ours; only the stored form differs.
  const base = createChannelRepository(deps, options);
  const layout = channelKeyLayout(options.mpePrefix);
  const held = new Map<string, HeldChannel>();
  const lockKeyOf = (key: string): string => {
    const id = layout.parseChannelKey(key);
    if (id === undefined) throw new TypeError(`not a channel key: ${key}`);
    return layout.lockKey(id);
  };
  const fromGob = (channelId: bigint, bytes: Uint8Array): ChannelState => channelFromGo(channelId, goPaymentChannelDataCodec.decode(bytes));
  const stored = (state: ChannelState): StoredChannel => ({ bytes: encodeChannelState(state), state });

  const readStored = async (channelId: bigint): Promise<StoredChannel | undefined> => {
    const key = layout.channelKey(channelId);
    const read = await locks.read(layout.lockKey(channelId), key);
    const mine = held.get(key);
    if (mine !== undefined && read.lock?.revision === mine.lock.revision) return stored(mine.current);
    if (read.value === undefined) return undefined;
    const state = fromGob(channelId, read.value.bytes);
    if (read.lock?.value !== lockedValue) return stored(state);
    // Someone else's call in flight: a reservation that only its unlock ends.
    return stored({ ...state, pending: { previousAmount: state.authorizedAmount, previousSignature: state.signature, leaseUntilMs: Number.MAX_SAFE_INTEGER, owner: FOREIGN_OWNER } });
  };

  /** Go's lock → read → write → unlock; `update` answers the next value and extra puts, or `undefined` to write nothing. */
  const writeLocked = async (
    channelId: bigint,
    update: (current: ChannelState | undefined, lock: HeldLock) => { readonly next: ChannelState; readonly extra?: readonly ReferencePut[] } | undefined,
  ): Promise<boolean | 'busy'> => {
    const key = layout.channelKey(channelId);
    const lockKey = layout.lockKey(channelId);
    const lock = await lockOrClean(lockKey, key);
    if (lock === undefined) return 'busy';
    let written = false;
    try {
      const current = lock.value === undefined ? undefined : fromGob(channelId, lock.value.bytes);
      const change = update(current, lock);
      if (change === undefined) return false;
      written = await commitLocked(lockKey, lock, key, encodeGoChannel(change.next), change.extra);
      return written;
    } finally {
      if (!written) await unlockQuietly(lockKey, lock.revision);
    }
  };

  // Commit and unlock are plain store transactions (lock and value revisions as conditions), so the etcd store's
  // group commit batches them with other calls' writes: one etcd request for many calls under load.
  /**
   * If we still hold the lock and the value is unchanged since we locked (or wrote it with the lock): put `value`
   * (none: leave it) and `extra`, delete the lock.
   */
  const commitLocked = (lockKey: string, lock: HeldLock, key: string, value: Uint8Array | undefined, extra: readonly ReferencePut[] = []): Promise<boolean> =>
    store.transaction(
      [{ kind: 'version', key: lockKey, version: lock.revision }, lock.value === undefined ? { kind: 'absent', key } : { kind: 'version', key, version: lock.value.revision }],
      [
        ...(value === undefined ? [] : [{ kind: 'put' as const, key, value }]),
        ...extra.map((put) => ({ kind: 'put' as const, key: put.key, value: put.value })),
        { kind: 'delete', key: lockKey },
      ],
    );
  /** Deletes the lock if it is still ours (`revision`). */
  const unlock = (lockKey: string, revision: bigint): Promise<boolean> => store.transaction([{ kind: 'version', key: lockKey, version: revision }], [{ kind: 'delete', key: lockKey }]);

  /** {@link ReferenceLocks.lock}; a failure whose outcome is unknown removes what it may have left. */
  const lockOrClean = async (lockKey: string, key: string): Promise<HeldLock | undefined> => {
    try {
      return await locks.lock(lockKey, key);
    } catch (err) {
      // A lock of a call of ours still in flight is not an orphan.
      if (!held.has(key)) await locks.releaseOrphan(lockKey).catch((cleanup: unknown) => logger.warn({ err: cleanup, lockKey }, 'a channel lock of this replica may stay until its lease ends'));
      throw err;
    }
  };

  /** {@link ReferenceLocks.lockAndPut}; a failure whose outcome is unknown removes the lock and value it may have left. */
  const lockAndPutOrClean = async (lockKey: string, key: string, expected: Uint8Array | undefined, value: Uint8Array): Promise<LockAndPut> => {
    try {
      return await locks.lockAndPut(lockKey, key, expected, value);
    } catch (err) {
      // A lock of a call of ours still in flight is not an orphan; otherwise any lock of our lease is this attempt's.
      if (!held.has(key)) {
        await locks
          .releaseOrphan(lockKey, { valueKey: key, written: value, previous: expected })
          .catch((cleanup: unknown) => logger.warn({ err: cleanup, lockKey }, 'a channel lock of this replica (and a reserved amount) may stay until its lease ends'));
      }
      throw err;
    }
  };

  /**
   * The reserve: Go lock and the reserved value in one transaction, if the value is `expected`'s. `false` when the
   * lock is busy or the value is another channel state.
   */
  const reserve = async (channelId: bigint, key: string, expected: ChannelState | undefined, next: ChannelState): Promise<boolean> => {
    const lockKey = layout.lockKey(channelId);
    const value = encodeGoChannel(next);
    let expectedBytes = expected === undefined ? undefined : encodeGoChannel(expected);
    for (let attempt = 0; attempt < 2; attempt++) {
      const outcome = await lockAndPutOrClean(lockKey, key, expectedBytes, value);
      if (outcome.ok) {
        held.set(key, { owner: (next.pending as NonNullable<ChannelState['pending']>).owner, lock: outcome.lock, written: next, current: next });
        return true;
      }
      const { lock, value: stored } = outcome.read;
      if (lock !== undefined && lock.value !== unlockedValue) return false; // a call in flight elsewhere
      if (stored === undefined || !sameChannel(fromGob(channelId, stored.bytes), expected)) return false;
      // The same channel state in other bytes (another encoder's gob): condition on the stored bytes themselves.
      expectedBytes = stored.bytes;
    }
    return false;
  };

  const unlockQuietly = async (lockKey: string, revision: bigint): Promise<void> => {
    try {
      await unlock(lockKey, revision);
    } catch (err) {
      await locks.releaseOrphan(lockKey).catch(() => undefined);
      logger.warn({ err, lockKey }, 'unlocking a channel failed; the lock ends with this replica\'s lease at the latest');
    }
  };

  const casChannelKey: ChannelRepository['casChannelKey'] = async (key, expected, next) => {
    const nextState = decodeChannelState(next);
    const expectedState = expected === undefined ? undefined : decodeChannelState(expected);
    const channelId = nextState.channelId;
    const lockKey = lockKeyOf(key);
    const mine = held.get(key);
    const reservedBefore = expectedState?.pending;
    if (nextState.pending !== undefined) {
      if (reservedBefore !== undefined) {
        // Lease renewal: etcd keeps our lock alive; only the in-process record moves.
        if (mine === undefined || mine.owner !== reservedBefore.owner || mine.owner !== nextState.pending.owner) return false;
        mine.current = nextState;
        return true;
      }
      if (mine !== undefined) return false;
      return reserve(channelId, key, expectedState, nextState);
    }
    if (reservedBefore !== undefined) {
      if (mine === undefined || mine.owner !== reservedBefore.owner) return false;
      held.delete(key);
      try {
        // Commit: the reserved value usually stays as written. Release: the base value goes back (a refund).
        const done = await commitLocked(lockKey, mine.lock, key, sameChannel(mine.written, nextState) ? undefined : encodeGoChannel(nextState));
        if (!done) logger.warn({ channelId: channelId.toString() }, 'the Go lock of a call was gone when it ended (lease lost); the stored value keeps the reserved payment');
        return done;
      } catch (err) {
        // Outcome unknown: if it did not land, the value still holds the reserved payment, which stays charged.
        await locks.releaseOrphan(lockKey).catch(() => undefined);
        throw err;
      }
    }
    const outcome = await writeLocked(channelId, (current) => (sameChannel(current, expectedState) ? { next: nextState } : undefined));
    return outcome === true;
  };

  const readChainResult = async (channelId: bigint): Promise<ChainReadResult> => {
    try {
      return { ok: true, value: await base.readChain(channelId) };
    } catch (error) {
      return { ok: false, error };
    }
  };

  const getMerged = async (channelId: bigint): Promise<MergedChannel> => {
    const record = await readStored(channelId);
    const read = await readChainResult(channelId);
    const channel = base.merge(channelId, record === undefined ? undefined : settleExpired(record.state, now()), read);
    if (channel === undefined) return { found: false, stored: undefined };
    return { found: true, channel, stored: record, chain: read.ok ? read.value : undefined };
  };

  const listClaims = async (): Promise<ClaimRecord[]> => {
    const claims: ClaimRecord[] = [];
    for (const entry of await store.getByPrefix(layout.claimPrefix)) {
      const id = layout.parseClaimKey(entry.key);
      if (id !== undefined) claims.push(claimFromGo(id.channelId, id.nonce, goPaymentCodec.decode(entry.value)));
    }
    return claims;
  };

  return {
    ...base,
    readStored,
    casChannelKey,
    casChannel: (channelId, expected, next) => casChannelKey(layout.channelKey(channelId), expected, next),
    getMerged,
    async listChannels() {
      const channels: ChannelState[] = [];
      for (const entry of await store.getByPrefix(layout.channelPrefix)) {
        const id = layout.parseChannelKey(entry.key);
        if (id !== undefined) channels.push(fromGob(id, entry.value));
      }
      return channels;
    },
    listClaims,
    async getClaim(channelId, nonce) {
      const bytes = await store.get(layout.claimKey(channelId, nonce));
      return bytes === undefined ? undefined : claimFromGo(channelId, nonce, goPaymentCodec.decode(bytes));
    },
    startClaim(channelId) {
      return base.withChannel(channelId, async () => {
        const chainRead = await readChainResult(channelId);
        let claim: ClaimRecord | undefined;
        let refusal: Error | undefined;
        let outcome: boolean | 'busy';
        try {
          outcome = await writeLocked(channelId, (current) => {
            const channel = base.merge(channelId, current, chainRead);
            if (channel === undefined) {
              refusal = serviceRejected(`channel Id ${channelId} was not found on blockchain or storage`);
              return undefined;
            }
            if (channel.authorizedAmount === 0n) {
              refusal = serviceRejected(`authorized amount is zero , hence nothing to claim on the channel Id: ${channelId}`);
              return undefined;
            }
            if (current === undefined) {
              refusal = serviceRejected(`Channel is not found by key: {ID: ${channelId}}`);
              return undefined;
            }
            claim = { channelId, nonce: channel.nonce, amount: channel.authorizedAmount, signature: channel.signature ?? new Uint8Array(0) };
            const next: ChannelState = { ...channel, nonce: channel.nonce + 1n, fullAmount: channel.fullAmount - channel.authorizedAmount, authorizedAmount: 0n, signature: undefined, pending: undefined };
            return { next, extra: [{ key: layout.claimKey(channelId, claim.nonce), value: goPaymentCodec.encode(claimToGo(claim)) }] };
          });
        } catch (err) {
          if (refusal !== undefined) throw refusal;
          throw serviceRejected(`Channel storage error: ${err instanceof Error ? err.message : String(err)}`, err);
        }
        if (refusal !== undefined) throw refusal;
        if (outcome !== true || claim === undefined) throw serviceRejected(`another transaction on channel: {ID: ${channelId}} is in progress`);
        return claim;
      });
    },
    removeClaimedPayments: () => sweepClaimedPayments(listClaims, deps.chain, (claim) => store.delete(layout.claimKey(claim.channelId, claim.nonce))),
    refreshFromChain(channelId) {
      return base.withChannel(channelId, async () => {
        const key = layout.channelKey(channelId);
        if (held.has(key) || (await store.get(key)) === undefined) return; // a call in flight writes the merge at commit
        const view = await base.readChain(channelId);
        if (view === undefined) return;
        // A busy lock (a Go replica's call) is fine: its commit writes the chain's values too (Go escrow.go).
        await writeLocked(channelId, (current) => {
          if (current === undefined || current.nonce > view.nonce) return undefined;
          const next = base.merge(channelId, current, { ok: true, value: view });
          return next === undefined || sameChannel(next, current) ? undefined : { next };
        });
      });
    },
    async unlock(channelId) {
      held.delete(layout.channelKey(channelId));
      return locks.forceUnlock(layout.lockKey(channelId));
    },
  };
}
