/**
 * The storage contract every payment component depends on (the idea of Go `storage/atomic_storage.go`,
 * `etcddb/etcddb_client.go`), with etcd-style compare-then-operate transactions and self-expiring locks.
 *
 * Semantics shared by every backend (memory, LMDB, etcd); `testing/atomic-store-contract.ts` pins them:
 * - Keys are non-empty strings, compared and range-scanned by their UTF-8 bytes; values are bytes.
 * - A call whose promise resolves has taken effect atomically and, on durable backends, is durable.
 * - A call whose promise rejects with REQUEST_CANCELLED (its `signal` aborted) was never sent and changed
 *   nothing. The signal is only checked before an operation is dispatched: an operation in flight is never
 *   abandoned half-way, so an abort never makes an outcome ambiguous.
 * - STORAGE_TIMEOUT / STORAGE_UNAVAILABLE on a write mean the outcome is unknown: re-read before deciding.
 * - Every write of a key gives it a new `version`; versions are store-wide revisions that only grow, so a
 *   deleted and re-created key never gets an old version back (no ABA in version conditions).
 */

/** Per-call options of every {@link AtomicStore} method. */
export interface StoreCallOptions {
  /** Cancels the call if it has not been dispatched yet (see the module comment). */
  readonly signal?: AbortSignal;
}

/** One stored key with its value and revision, as returned by {@link AtomicStore.getEntry}. */
export interface StoreEntry {
  readonly key: string;
  readonly value: Uint8Array;
  /** Store-wide revision of the last write of this key (etcd `mod_revision`); grows on every write. */
  readonly version: bigint;
  /** True when the key belongs to a lock / lease and disappears by itself when its TTL passes. */
  readonly leased: boolean;
}

/**
 * A condition of {@link AtomicStore.transaction}; all conditions must hold for the operations to run.
 * `equals`: the key is present with exactly these bytes. `absent`: the key does not exist (an expired
 * lock counts as absent). `version`: the key is present and its {@link StoreEntry.version} equals.
 */
export type StoreCondition =
  | { readonly kind: 'equals'; readonly key: string; readonly value: Uint8Array }
  | { readonly kind: 'absent'; readonly key: string }
  | { readonly kind: 'version'; readonly key: string; readonly version: bigint };

/** An operation of {@link AtomicStore.transaction}: put a value or delete a key (absent key: no-op). */
export type StoreOperation =
  | { readonly kind: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly kind: 'delete'; readonly key: string };

/**
 * A held lock (see {@link AtomicStore.acquireLock}). The lock key holds `token` while the lock lives.
 * Holding a lock is advisory: money-changing writes must still use a CAS or a transaction condition,
 * because a lock can expire under a holder that stalls longer than its TTL.
 */
export interface LockHandle {
  readonly key: string;
  /** Random bytes identifying this holder; the value of the lock key while it is held. */
  readonly token: Uint8Array;
  /**
   * Extends the lock by its TTL from now. Resolves `false` when the lock was lost (expired, released,
   * taken over): the holder must stop relying on it.
   */
  refresh(options?: StoreCallOptions): Promise<boolean>;
  /** Releases the lock. Resolves `false` when it was no longer held by this handle (nothing changed). */
  release(options?: StoreCallOptions): Promise<boolean>;
}

/**
 * An atomic key-value store. Every method is async and takes {@link StoreCallOptions}.
 * Errors are `SnetError`s: STORAGE_INVALID_ARGUMENT (bad key / transaction shape; nothing changed),
 * STORAGE_UNAVAILABLE, STORAGE_TIMEOUT, STORAGE_CLOSED, STORAGE_CORRUPT, REQUEST_CANCELLED.
 */
export interface AtomicStore {
  /** The value of `key`, or `undefined` when absent (or an expired lock). */
  get(key: string, options?: StoreCallOptions): Promise<Uint8Array | undefined>;
  /** `key` with its version, or `undefined` when absent. */
  getEntry(key: string, options?: StoreCallOptions): Promise<StoreEntry | undefined>;
  /**
   * Every entry whose key starts with `prefix` (`''` = all), sorted by key bytes, read from one snapshot.
   * Lock keys are included with `leased: true`.
   */
  getByPrefix(prefix: string, options?: StoreCallOptions): Promise<StoreEntry[]>;
  /** Unconditionally stores `value` at `key`. */
  put(key: string, value: Uint8Array, options?: StoreCallOptions): Promise<void>;
  /** Stores `value` only if `key` is absent. Resolves `true` when stored, `false` when the key existed. */
  putIfAbsent(key: string, value: Uint8Array, options?: StoreCallOptions): Promise<boolean>;
  /**
   * Atomically replaces the value of `key` with `next` if its current value equals `expected` byte for
   * byte (`expected === undefined`: the key must be absent). Resolves `true` when swapped, `false` when
   * the current value differed (nothing changed).
   */
  compareAndSwap(
    key: string,
    expected: Uint8Array | undefined,
    next: Uint8Array,
    options?: StoreCallOptions,
  ): Promise<boolean>;
  /** Deletes `key`. Resolves `true` when it existed. */
  delete(key: string, options?: StoreCallOptions): Promise<boolean>;
  /**
   * etcd-style transaction: if every condition holds, applies every operation atomically and resolves
   * `true`; otherwise changes nothing and resolves `false`. At most {@link maxTransactionOperations}
   * operations, each key at most once among the operations.
   */
  transaction(
    conditions: readonly StoreCondition[],
    operations: readonly StoreOperation[],
    options?: StoreCallOptions,
  ): Promise<boolean>;
  /**
   * Takes the lock `key` for `ttlMs` if nobody holds it: resolves a {@link LockHandle}, or `undefined`
   * when it is held by someone else (the caller answers "busy" or retries later). A lock whose holder
   * crashed disappears by itself after its TTL (etcd lease; local stores keep the expiry time).
   * etcd rounds the TTL up to whole seconds and to its minimum lease TTL.
   */
  acquireLock(key: string, ttlMs: number, options?: StoreCallOptions): Promise<LockHandle | undefined>;
  /** Waits for in-flight writes, then releases files / connections. Later calls fail with STORAGE_CLOSED. */
  close(): Promise<void>;
}

/** The largest number of operations in one {@link AtomicStore.transaction} (etcd's default `--max-txn-ops`). */
export const maxTransactionOperations = 128;

/** The longest key in UTF-8 bytes (LMDB's key limit in the `lmdb` package is 1978 bytes). */
export const maxKeyBytes = 1978;
