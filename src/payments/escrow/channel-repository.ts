import { bytesToHex } from '@noble/hashes/utils.js';
import { addressesEqual, toChecksumAddress } from '../../blockchain/index.ts';
import { SnetError } from '../../errors/index.ts';
import { createKeyedMutex, type AtomicStore, type KeyedMutex } from '../../storage/index.ts';
import { channelReadFailedError, serviceRejectedError, wrongGroupError, wrongRecipientError } from '../payment-error.ts';
import {
  decodeChannelState,
  decodeClaimRecord,
  encodeChannelState,
  encodeClaimRecord,
  settleExpired,
  type ChainChannelView,
  type ChannelReader,
  type ChannelState,
  type ClaimRecord,
} from './channel-state.ts';

/** Who the daemon is on chain: what a channel must match to be paid here (Go `escrow/payment_channel_storage.go`). */
export interface ChannelRepositoryOptions {
  /** The MPE prefix of `buildStoragePrefixes` (`<root><network>/<org>/<group b64>/<mpe>`). */
  readonly mpePrefix: string;
  /** The daemon's group id, 32 bytes (org metadata `group_id`). */
  readonly groupId: Uint8Array;
  /** Org metadata `payment_address` of the daemon's group: the channel recipient (read per chain read: may be a getter). */
  readonly recipient: string;
}

/** A stored channel record with the exact bytes read (the expected value of the next CAS). */
export interface StoredChannel {
  readonly bytes: Uint8Array;
  readonly state: ChannelState;
}

/** A chain read that may have failed (the merge decides whether the failure matters). */
export type ChainReadResult = { readonly ok: true; readonly value: ChainChannelView | undefined } | { readonly ok: false; readonly error: unknown };

/** Result of reading a channel the way the reference does: storage merged with a fresh chain read. */
export type MergedChannel =
  | { readonly found: true; readonly channel: ChannelState; readonly stored: StoredChannel | undefined; readonly chain: ChainChannelView | undefined }
  | { readonly found: false; readonly stored: undefined };

/**
 * Channel state in storage, merged with the chain (Go `escrow/payment_channel_storage.go`), and the claim records. All writes
 * are CAS on the channel key; callers that change a channel run inside {@link ChannelRepository.withChannel}
 * so that one process never races itself into the store (etcd CAS collapses under same-key contention).
 */
export interface ChannelRepository {
  readonly options: ChannelRepositoryOptions;
  channelKey(channelId: bigint): string;
  claimKey(channelId: bigint, nonce: bigint): string;
  /** Serialises work on one channel inside this process. */
  withChannel<T>(channelId: bigint, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /**
   * The lock of {@link ChannelRepository.withChannel}, taken by channel key without a closure (the paid-call hot
   * path, `KeyedMutex.acquire` semantics): `undefined` = held now, else a promise that resolves once it is held
   * (rejects REQUEST_CANCELLED if `signal` aborts first). Pair every acquisition with one `releaseChannel(key)`.
   */
  acquireChannel(key: string, signal?: AbortSignal): Promise<void> | undefined;
  /** Ends an {@link ChannelRepository.acquireChannel} hold. */
  releaseChannel(key: string): void;
  /** CAS of the channel record (`expected === undefined`: must be absent). Throws STORAGE_* (outcome unknown on timeouts). */
  casChannel(channelId: bigint, expected: Uint8Array | undefined, next: Uint8Array): Promise<boolean>;
  /** {@link ChannelRepository.casChannel} addressed by `channelKey(channelId)`. */
  casChannelKey(key: string, expected: Uint8Array | undefined, next: Uint8Array): Promise<boolean>;
  /** The stored record as is (reservation included), or `undefined`. Throws STORAGE_* / STORAGE_CORRUPT. */
  readStored(channelId: bigint): Promise<StoredChannel | undefined>;
  /**
   * Reads the chain; `undefined` when the channel does not exist. Throws `PAYMENT_WRONG_RECIPIENT` when it
   * is not paid to this daemon's `payment_address`, or the chain error.
   */
  readChain(channelId: bigint): Promise<ChainChannelView | undefined>;
  /**
   * Storage/chain merge (Go `MergeStorageAndBlockchainChannelState`) of a stored record (already settled) and a chain read (or its error). Returns `undefined`
   * when neither knows the channel; throws `PAYMENT_WRONG_GROUP` for a first-seen channel of another group
   * and `PAYMENT_CHANNEL_READ_FAILED` when the chain failed and nothing is stored.
   */
  merge(channelId: bigint, stored: ChannelState | undefined, chain: ChainReadResult): ChannelState | undefined;
  /** Storage read + chain read + merge, as the reference's `PaymentChannel(id)` (state and control services). */
  getMerged(channelId: bigint): Promise<MergedChannel>;
  /** Every stored channel (settled at `nowMs`), sorted by key. */
  listChannels(): Promise<ChannelState[]>;
  /** Every stored claim record. */
  listClaims(): Promise<ClaimRecord[]>;
  getClaim(channelId: bigint, nonce: bigint): Promise<ClaimRecord | undefined>;
  /**
   * Starts a claim (Go `escrow/control_service.go` `StartClaim`): one transaction moves the channel to nonce+1 with
   * `fullAmount − authorized`, authorisation 0, and stores the claim record `<id>/<old nonce>`.
   * Rejects with PAYMENT_SERVICE_REJECTED texts of the reference.
   */
  startClaim(channelId: bigint): Promise<ClaimRecord>;
  /**
   * The reference's sweep: deletes claim records whose nonce the chain has passed. Stops at the first
   * chain error or unknown channel like Go (`removeClaimedPayments`), reporting the error.
   */
  removeClaimedPayments(): Promise<void>;
  /** Re-reads one stored channel from the chain (after ChannelAddFunds/Extend/Claim events) and stores the merge. */
  refreshFromChain(channelId: bigint): Promise<void>;
  /** Deletes a stale reservation of a channel (operator `snetd channel unlock`); resolves whether there was one. */
  unlock(channelId: bigint): Promise<boolean>;
}

/** Dependencies of {@link createChannelRepository}. */
export interface ChannelRepositoryDeps {
  readonly store: AtomicStore;
  readonly chain: ChannelReader;
  /** @default Date.now */
  readonly now?: () => number;
  /** Shared with the payment handler so both serialise on the same channel. @default a new mutex */
  readonly mutex?: KeyedMutex;
}

/** A `PAYMENT_SERVICE_REJECTED` error: a daemon service's plain-text refusal (sent as UNKNOWN). */
export function serviceRejected(message: string, cause?: unknown): SnetError {
  return serviceRejectedError(message, cause);
}

/** The channel view a record starts from when it is first seen on chain (Go `GetChannelStateFromBlockchain`). */
export function channelFromChain(channelId: bigint, chain: ChainChannelView): ChannelState {
  return {
    channelId,
    nonce: chain.nonce,
    sender: toChecksumAddress(chain.sender),
    signer: toChecksumAddress(chain.signer),
    recipient: toChecksumAddress(chain.recipient),
    groupId: chain.groupId.toLowerCase(),
    fullAmount: chain.value,
    expiration: chain.expiration,
    authorizedAmount: 0n,
    signature: undefined,
    pending: undefined,
  };
}

/**
 * The reference's sweep (Go `escrow/control_service.go` `removeClaimedPayments`): deletes the claims whose nonce
 * the chain has passed, stopping silently at the first channel the chain does not know, like Go.
 */
export async function sweepClaimedPayments(listClaims: () => Promise<ClaimRecord[]>, chain: ChannelReader, remove: (claim: ClaimRecord) => Promise<unknown>): Promise<void> {
  let claims: ClaimRecord[];
  try {
    claims = await listClaims();
  } catch (err) {
    throw serviceRejected('error in retrieving claims', err);
  }
  for (const claim of claims) {
    const onChain = await chain.getChannel(claim.channelId);
    if (onChain === undefined) return;
    if (onChain.nonce > claim.nonce) await remove(claim);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Creates a {@link ChannelRepository} over `deps.store` under `options.mpePrefix`. */
export function createChannelRepository(deps: ChannelRepositoryDeps, options: ChannelRepositoryOptions): ChannelRepository {
  const { store, chain } = deps;
  const now = deps.now ?? Date.now;
  const mutex = deps.mutex ?? createKeyedMutex();
  const groupHex = `0x${bytesToHex(options.groupId)}`;
  const channelPrefix = `${options.mpePrefix}//payment-channel/storage/`;
  const claimPrefix = `${options.mpePrefix}//payment/storage/`;
  const channelKey = (id: bigint): string => `${channelPrefix}{ID: ${id}}`;
  const claimKey = (id: bigint, nonce: bigint): string => `${claimPrefix}${id}/${nonce}`;

  const readStored = async (channelId: bigint): Promise<StoredChannel | undefined> => {
    const bytes = await store.get(channelKey(channelId));
    return bytes === undefined ? undefined : { bytes, state: decodeChannelState(bytes) };
  };

  const readChain = async (channelId: bigint): Promise<ChainChannelView | undefined> => {
    const view = await chain.getChannel(channelId);
    if (view !== undefined && !addressesEqual(view.recipient, options.recipient)) throw wrongRecipientError();
    return view;
  };

  const merge: ChannelRepository['merge'] = (channelId, stored, read) => {
    if (stored === undefined) {
      if (!read.ok) {
        const error = read.error;
        if (error instanceof SnetError && error.code.startsWith('PAYMENT_')) throw error;
        throw channelReadFailedError(errorText(error), error);
      }
      if (read.value === undefined) return undefined;
      if (read.value.groupId.toLowerCase() !== groupHex) {
        throw wrongGroupError(options.groupId, hexBytes(read.value.groupId));
      }
      return channelFromChain(channelId, read.value);
    }
    if (!read.ok || read.value === undefined) return stored;
    const b = read.value;
    if (stored.nonce > b.nonce) return stored;
    if (stored.nonce < b.nonce) return channelFromChain(stored.channelId, b);
    return { ...stored, fullAmount: b.value, expiration: b.expiration };
  };

  const readChainResult = async (channelId: bigint): Promise<ChainReadResult> => {
    try {
      return { ok: true, value: await readChain(channelId) };
    } catch (error) {
      return { ok: false, error };
    }
  };

  const getMerged = async (channelId: bigint): Promise<MergedChannel> => {
    const stored = await readStored(channelId);
    const read = await readChainResult(channelId);
    const channel = merge(channelId, stored === undefined ? undefined : settleExpired(stored.state, now()), read);
    if (channel === undefined) return { found: false, stored: undefined };
    return { found: true, channel, stored, chain: read.ok ? read.value : undefined };
  };

  const removeClaimedPayments = (): Promise<void> => sweepClaimedPayments(listClaims, chain, (claim) => store.delete(claimKey(claim.channelId, claim.nonce)));

  const listClaims = async (): Promise<ClaimRecord[]> => {
    const entries = await store.getByPrefix(claimPrefix);
    return entries.filter((e) => !e.leased).map((e) => decodeClaimRecord(e.value));
  };

  return {
    options,
    channelKey,
    claimKey,
    withChannel: (channelId, fn, signal) => mutex.run([channelKey(channelId)], fn, signal),
    readStored,
    acquireChannel: (key, signal) => mutex.acquire(key, signal),
    releaseChannel: (key) => mutex.release(key),
    casChannel: (channelId, expected, next) => store.compareAndSwap(channelKey(channelId), expected, next),
    casChannelKey: (key, expected, next) => store.compareAndSwap(key, expected, next),
    readChain,
    merge,
    getMerged,
    async listChannels() {
      const entries = await store.getByPrefix(channelPrefix);
      const at = now();
      return entries.filter((e) => !e.leased).map((e) => settleExpired(decodeChannelState(e.value), at));
    },
    listClaims,
    async getClaim(channelId, nonce) {
      const bytes = await store.get(claimKey(channelId, nonce));
      return bytes === undefined ? undefined : decodeClaimRecord(bytes);
    },
    startClaim(channelId) {
      return mutex.run([channelKey(channelId)], async () => {
        const merged = await getMerged(channelId);
        if (!merged.found) throw serviceRejected(`channel Id ${channelId} was not found on blockchain or storage`);
        const channel = merged.channel;
        if (channel.authorizedAmount === 0n) {
          throw serviceRejected(`authorized amount is zero , hence nothing to claim on the channel Id: ${channelId}`);
        }
        const stored = merged.stored;
        if (stored === undefined) throw serviceRejected(`Channel is not found by key: {ID: ${channelId}}`);
        // A live reservation is a call in flight: the reference's lock would be held (Go `escrow/control_service.go`).
        if (stored.state.pending !== undefined && stored.state.pending.leaseUntilMs > now()) {
          throw serviceRejected(`another transaction on channel: {ID: ${channelId}} is in progress`);
        }
        const signature = channel.signature ?? new Uint8Array(0);
        const claim: ClaimRecord = { channelId, nonce: channel.nonce, amount: channel.authorizedAmount, signature };
        const next: ChannelState = {
          ...channel,
          nonce: channel.nonce + 1n,
          fullAmount: channel.fullAmount - channel.authorizedAmount,
          authorizedAmount: 0n,
          signature: undefined,
          pending: undefined,
        };
        let ok: boolean;
        try {
          ok = await store.transaction(
            [{ kind: 'equals', key: channelKey(channelId), value: stored.bytes }],
            [
              { kind: 'put', key: channelKey(channelId), value: encodeChannelState(next) },
              { kind: 'put', key: claimKey(channelId, claim.nonce), value: encodeClaimRecord(claim) },
            ],
          );
        } catch (err) {
          throw serviceRejected(`Channel storage error: ${errorText(err)}`, err);
        }
        if (!ok) throw serviceRejected(`another transaction on channel: {ID: ${channelId}} is in progress`);
        return claim;
      });
    },
    removeClaimedPayments,
    refreshFromChain(channelId) {
      return mutex.run([channelKey(channelId)], async () => {
        const stored = await readStored(channelId);
        if (stored === undefined) return; // first use reads the chain anyway
        const view = await readChain(channelId);
        if (view === undefined) return;
        const current = stored.state;
        let next: ChannelState;
        if (current.nonce > view.nonce) return;
        if (current.nonce < view.nonce) next = channelFromChain(channelId, view);
        else if (current.fullAmount === view.value && current.expiration === view.expiration) return;
        else next = { ...current, fullAmount: view.value, expiration: view.expiration };
        // A lost race means someone wrote newer state; the next call merges again when it needs to.
        await store.compareAndSwap(channelKey(channelId), stored.bytes, encodeChannelState(next));
      });
    },
    unlock(channelId) {
      return mutex.run([channelKey(channelId)], async () => {
        const stored = await readStored(channelId);
        if (stored?.state.pending === undefined) return false;
        // Unlocking keeps the reserved amount (it counts as accepted, like an expired lease).
        const next: ChannelState = { ...stored.state, pending: undefined };
        return store.compareAndSwap(channelKey(channelId), stored.bytes, encodeChannelState(next));
      });
    },
  };
}

function hexBytes(hex: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
