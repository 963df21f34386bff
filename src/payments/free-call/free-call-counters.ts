import { bytesToHex } from '@noble/hashes/utils.js';
import { keccak256, toChecksumAddress } from '../../blockchain/index.ts';
import { SnetError } from '../../errors/index.ts';
import { createKeyedMutex, type AtomicStore, type KeyedMutex } from '../../storage/index.ts';
import { freeCallBusyError, freeCallLimitError, freeCallStorageError } from './free-call-errors.ts';
import { UNLIMITED_FREE_CALLS } from './free-call-allowance.ts';
import {
  decodeFreeCallState,
  EMPTY_FREE_CALL_STATE,
  encodeFreeCallState,
  settleExpiredFreeCalls,
  type FreeCallState,
} from './free-call-state.ts';

/** Whose counter: the user signer (lower-case hex, no 0x) and the v6 user id (`''` for wallets and pre-v6 calls). */
export interface FreeCallUser {
  readonly signerHex: string;
  readonly userId: string;
}

/** One stored counter, as `snetd freecall list` shows it. */
export interface StoredFreeCallCounter {
  readonly key: string;
  /** EIP-55 user address. */
  readonly address: string;
  readonly userId: string;
  readonly state: FreeCallState;
}

/** Settings of {@link createFreeCallCounters}. */
export interface FreeCallCountersOptions {
  /** The group's base prefix (`<root><network>/<org>/<group>`); counters live under `<base>/free-call/<service>/`. */
  readonly basePrefix: string;
  readonly serviceId: string;
  /** For the reference's `{ID:<address>/<user>/<org>/<service>/<group>}` in error texts. */
  readonly organizationId: string;
  readonly groupIdBase64: string;
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * The per-user free-call counters of this service, shared by every replica of the group through the store:
 * every change is a compare-and-swap of the whole record, so no free call is granted twice across replicas.
 */
export interface FreeCallCounters {
  keyOf(user: FreeCallUser): string;
  /** The reference's lock name of the user, `<address>/<user_id>/<org>/<service>/<group>`, for error texts. */
  displayKeyOf(user: FreeCallUser): string;
  /** The counter with expired reservations counted as used (`EMPTY` when none is stored). */
  read(key: string): Promise<FreeCallState>;
  /**
   * Reserves one free call for `owner` until `leaseUntilMs`: refused with the limit error when `allowed` calls
   * are used, with the busy error when the rest is reserved by calls in flight (or the record keeps changing).
   */
  reserve(user: FreeCallUser, allowed: number, owner: string, leaseUntilMs: number): Promise<void>;
  /**
   * Ends `owner`'s reservation: `used` counts the call. Resolves `false` when the reservation was no longer there
   * (its lease had ended, so it already counted as used). Throws storage errors.
   */
  settle(key: string, owner: string, used: boolean): Promise<boolean>;
  /** Extends `owner`'s lease; `false` when the reservation is gone. Throws storage errors. */
  renew(key: string, owner: string, leaseUntilMs: number): Promise<boolean>;
  /** Every counter of this service (for the CLI). */
  list(): Promise<StoredFreeCallCounter[]>;
  /** Sets the count to 0 and drops reservations (`snetd freecall reset`); `false` when nothing was stored. */
  reset(key: string): Promise<boolean>;
  /** Drops the reservations of calls in flight, counting them as used (`snetd freecall unlock`); the number dropped. */
  unlock(key: string): Promise<number>;
}

/** Where the counters of `serviceId` live under the group's base prefix (one key per user below it). */
export function freeCallCounterPrefix(basePrefix: string, serviceId: string): string {
  return `${basePrefix}/free-call/${encodeURIComponent(serviceId)}/`;
}

/**
 * The user of a counter key under `prefix`: `signerHex` lower-case without 0x, `userId` `undefined` when the key
 * holds only the hash of a long user id. `undefined` for a key that is not a counter key.
 */
export function parseFreeCallCounterKey(prefix: string, key: string): { readonly signerHex: string; readonly userId: string | undefined } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const match = /^0x([0-9a-f]{40})\/([^/]*)$/.exec(key.slice(prefix.length));
  if (match === null) return undefined;
  const part = match[2] as string;
  if (/^~[0-9a-f]{64}$/.test(part)) return { signerHex: match[1] as string, userId: undefined };
  try {
    return { signerHex: match[1] as string, userId: decodeURIComponent(part) };
  } catch {
    return undefined;
  }
}

/** CAS attempts before a reserve answers "busy" (another replica keeps changing the record). */
const MAX_ATTEMPTS = 8;
/** Longest user id kept readable in a key; longer ones are hashed (store keys are limited). */
const MAX_USER_ID_IN_KEY = 256;

/** Creates the counters over `store`. */
export function createFreeCallCounters(deps: { readonly store: AtomicStore; readonly mutex?: KeyedMutex }, options: FreeCallCountersOptions): FreeCallCounters {
  const { store } = deps;
  const mutex = deps.mutex ?? createKeyedMutex();
  const now = options.now ?? Date.now;
  const prefix = freeCallCounterPrefix(options.basePrefix, options.serviceId);
  // The record bytes this process last read or wrote per key: the expected value of the next CAS (a lost CAS re-reads).
  const cache = new Map<string, Uint8Array | undefined>();
  const remember = (key: string, bytes: Uint8Array | undefined): void => {
    cache.delete(key);
    if (cache.size >= 10_000) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, bytes);
  };

  const keyOf = (user: FreeCallUser): string => {
    const id = encodeURIComponent(user.userId);
    const part = id.length <= MAX_USER_ID_IN_KEY ? id : `~${bytesToHex(keccak256(new TextEncoder().encode(user.userId)))}`;
    return `${prefix}0x${user.signerHex}/${part}`;
  };
  const displayKeyOf = (user: FreeCallUser): string =>
    `${toChecksumAddress(user.signerHex)}/${user.userId.slice(0, 256)}/${options.organizationId}/${options.serviceId}/${options.groupIdBase64}`;

  const readRaw = async (key: string, fresh: boolean): Promise<{ bytes: Uint8Array | undefined; state: FreeCallState }> => {
    let bytes: Uint8Array | undefined;
    if (!fresh && cache.has(key)) bytes = cache.get(key);
    else {
      bytes = await store.get(key);
      remember(key, bytes);
    }
    return { bytes, state: bytes === undefined ? EMPTY_FREE_CALL_STATE : decodeFreeCallState(key, bytes) };
  };
  const cas = async (key: string, expected: Uint8Array | undefined, state: FreeCallState): Promise<boolean> => {
    const next = encodeFreeCallState(state);
    let swapped = false;
    try {
      swapped = await store.compareAndSwap(key, expected, next);
    } finally {
      if (swapped) remember(key, next);
      else cache.delete(key);
    }
    return swapped;
  };
  /** Runs `change` on the current record under the process-local key lock, retrying lost CASes from fresh reads. */
  const update = async <T>(key: string, change: (state: FreeCallState) => { next: FreeCallState | undefined; result: T }, onExhausted: () => T): Promise<T> => {
    const waiting = mutex.acquire(key);
    if (waiting !== undefined) await waiting;
    try {
      let fresh = !cache.has(key);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const { bytes, state } = await readRaw(key, fresh);
        let outcome: { next: FreeCallState | undefined; result: T };
        try {
          outcome = change(settleExpiredFreeCalls(state, now()));
        } catch (err) {
          // Never refuse on remembered bytes: another replica may have changed the record (reset, settled).
          if (fresh) throw err;
          fresh = true;
          continue;
        }
        if (outcome.next === undefined && !fresh) {
          fresh = true;
          continue;
        }
        if (outcome.next === undefined || (await cas(key, bytes, outcome.next))) return outcome.result;
        fresh = true;
      }
      return onExhausted();
    } finally {
      mutex.release(key);
    }
  };

  return {
    keyOf,
    displayKeyOf,
    async read(key) {
      return settleExpiredFreeCalls((await readRaw(key, true)).state, now());
    },
    async reserve(user, allowed, owner, leaseUntilMs) {
      const key = keyOf(user);
      try {
        await update(
          key,
          (state) => {
            if (allowed !== UNLIMITED_FREE_CALLS && state.made >= allowed) throw freeCallLimitError(state.made, allowed);
            if (allowed !== UNLIMITED_FREE_CALLS && state.made + state.pending.length >= allowed) throw freeCallBusyError(displayKeyOf(user));
            return { next: { made: state.made, pending: [...state.pending, { owner, leaseUntilMs }] }, result: undefined };
          },
          () => {
            throw freeCallBusyError(displayKeyOf(user));
          },
        );
      } catch (err) {
        if (err instanceof SnetError && err.code.startsWith('PAYMENT_')) throw err;
        throw freeCallStorageError(displayKeyOf(user), err);
      }
    },
    settle(key, owner, used) {
      return update(
        key,
        (state) => {
          const pending = state.pending.filter((p) => p.owner !== owner);
          if (pending.length === state.pending.length) return { next: undefined, result: false };
          return { next: { made: used ? state.made + 1 : state.made, pending }, result: true };
        },
        () => false,
      );
    },
    renew(key, owner, leaseUntilMs) {
      return update(
        key,
        (state) => {
          if (!state.pending.some((p) => p.owner === owner)) return { next: undefined, result: false };
          return { next: { made: state.made, pending: state.pending.map((p) => (p.owner === owner ? { owner, leaseUntilMs } : p)) }, result: true };
        },
        () => false,
      );
    },
    async list() {
      const entries = await store.getByPrefix(prefix);
      return entries
        .filter((e) => !e.leased)
        .map((e) => {
          const [address = '', userId = ''] = e.key.slice(prefix.length).split('/');
          return { key: e.key, address: /^0x[0-9a-f]{40}$/.test(address) ? toChecksumAddress(address) : address, userId: decodeURIComponent(userId), state: settleExpiredFreeCalls(decodeFreeCallState(e.key, e.value), now()) };
        });
    },
    async reset(key) {
      const existed = (await store.get(key)) !== undefined;
      if (existed) await store.put(key, encodeFreeCallState(EMPTY_FREE_CALL_STATE));
      cache.delete(key);
      return existed;
    },
    async unlock(key) {
      return update(
        key,
        (state) => (state.pending.length === 0 ? { next: undefined, result: 0 } : { next: { made: state.made + state.pending.length, pending: [] }, result: state.pending.length }),
        () => 0,
      );
    },
  };
}
