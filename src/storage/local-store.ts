import { randomBytes } from 'node:crypto';
import { assertOpen, assertValidKey, assertValidTransaction, assertValidTtl, assertValidValue, throwIfAborted } from './store-validation.ts';
import { transactionWrites } from './transaction-writes.ts';
import { bytesEqual, copyBytes } from './bytes.ts';
import type {
  AtomicStore,
  LockHandle,
  StoreCallOptions,
  StoreCondition,
  StoreEntry,
  StoreOperation,
} from './atomic-store.ts';

/** A stored record of an in-process backend: the value, its revision, and the expiry of a lock. */
export interface LocalRecord {
  readonly value: Uint8Array;
  readonly version: bigint;
  /** Wall-clock ms (epoch) after which the record counts as absent; `undefined` = never expires. */
  readonly expiresAtMs: number | undefined;
}

/** The view a write transaction of an in-process backend gets; all calls are synchronous. */
export interface LocalWriteTxn {
  /** As {@link LocalBackend.read} (the value may be a reused buffer), including this transaction's own writes. */
  read(key: string): LocalRecord | undefined;
  write(key: string, record: LocalRecord): void;
  remove(key: string): void;
  /** The store-wide revision of this transaction (allocated on first call, the same for every write in it). */
  revision(): bigint;
}

/**
 * An in-process backend (memory, LMDB). `write` runs `fn` in one atomic (and, for LMDB, durable)
 * transaction, serialised with every other write; `fn` does all its reads before its first write
 * and must not throw after it.
 */
export interface LocalBackend {
  write<T>(fn: (txn: LocalWriteTxn) => T): Promise<T>;
  /**
   * The latest committed record of `key`. Its `value` may be a view into a buffer the backend reuses (LMDB):
   * valid only until the backend's next call; compare or copy it at once.
   */
  read(key: string): LocalRecord | undefined;
  /** Every record whose key starts with `prefix`, sorted by key bytes, from one snapshot. */
  scan(prefix: string): Array<readonly [string, LocalRecord]>;
  close(): Promise<void>;
}

/** Options of {@link createLocalStore}. */
export interface LocalStoreOptions {
  /** Wall clock in epoch ms used for lock expiry. @default Date.now */
  readonly now?: () => number;
}

type Decision<T> = { readonly result: T; readonly apply?: (txn: LocalWriteTxn) => void };

/**
 * Builds the {@link AtomicStore} semantics (conditions, CAS, self-expiring locks) on top of an
 * in-process backend. Expired lock records are treated as absent everywhere and overwritten by the
 * next write of their key.
 */
export function createLocalStore(backend: LocalBackend, options: LocalStoreOptions = {}): AtomicStore {
  const now = options.now ?? Date.now;
  let closed = false;

  const live = (record: LocalRecord | undefined): LocalRecord | undefined =>
    record === undefined || (record.expiresAtMs !== undefined && record.expiresAtMs <= now()) ? undefined : record;

  const toEntry = (key: string, record: LocalRecord): StoreEntry => ({
    key,
    value: copyBytes(record.value),
    version: record.version,
    leased: record.expiresAtMs !== undefined,
  });

  const holds = (txn: LocalWriteTxn, condition: StoreCondition): boolean => {
    const current = live(txn.read(condition.key));
    switch (condition.kind) {
      case 'absent':
        return current === undefined;
      case 'equals':
        return current !== undefined && bytesEqual(current.value, condition.value);
      case 'version':
        return current !== undefined && current.version === condition.version;
    }
  };

  // Reads first, then the writes of the decision: the backend contract (no throw after a write).
  const decide = async <T>(
    operation: string,
    callOptions: StoreCallOptions | undefined,
    fn: (txn: LocalWriteTxn) => Decision<T>,
  ): Promise<T> => {
    assertOpen(closed, operation);
    throwIfAborted(callOptions, operation);
    return backend.write((txn) => {
      const decision = fn(txn);
      decision.apply?.(txn);
      return decision.result;
    });
  };

  const transaction = async (
    conditions: readonly StoreCondition[],
    operations: readonly StoreOperation[],
    callOptions?: StoreCallOptions,
  ): Promise<boolean> => {
    assertValidTransaction(conditions, operations);
    const staged = operations.map((op) => (op.kind === 'put' ? { ...op, value: copyBytes(op.value) } : op));
    return decide('transaction', callOptions, (txn) => {
      if (!conditions.every((condition) => holds(txn, condition))) return { result: false };
      return {
        result: true,
        apply: (w) => {
          for (const op of staged) {
            if (op.kind === 'put') w.write(op.key, { value: op.value, version: w.revision(), expiresAtMs: undefined });
            else if (w.read(op.key) !== undefined) w.remove(op.key);
          }
        },
      };
    });
  };

  // The payment path's write (two per paid call): the same semantics as `transaction` with one condition and
  // one put, without the condition/operation arrays, staging map and async frames.
  const compareAndSwap: AtomicStore['compareAndSwap'] = (key, expected, next, callOptions) => {
    try {
      assertValidKey(key);
      assertValidValue(next);
      if (expected !== undefined) assertValidValue(expected);
      assertOpen(closed, 'transaction');
      throwIfAborted(callOptions, 'transaction');
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const value = copyBytes(next);
    return backend.write((txn) => {
      const current = live(txn.read(key));
      if (expected === undefined ? current !== undefined : current === undefined || !bytesEqual(current.value, expected)) return false;
      txn.write(key, { value, version: txn.revision(), expiresAtMs: undefined });
      return true;
    });
  };

  const makeLock = (key: string, token: Uint8Array, ttlMs: number): LockHandle => ({
    key,
    token: copyBytes(token),
    refresh: (callOptions) =>
      decide('lock refresh', callOptions, (txn) => {
        const current = live(txn.read(key));
        if (current === undefined || current.expiresAtMs === undefined || !bytesEqual(current.value, token)) {
          return { result: false };
        }
        return {
          result: true,
          apply: (w) => w.write(key, { value: token, version: w.revision(), expiresAtMs: now() + ttlMs }),
        };
      }),
    release: (callOptions) =>
      decide('lock release', callOptions, (txn) => {
        const current = live(txn.read(key));
        if (current === undefined || current.expiresAtMs === undefined || !bytesEqual(current.value, token)) {
          return { result: false };
        }
        return { result: true, apply: (w) => w.remove(key) };
      }),
  });

  const getEntry = async (key: string, callOptions?: StoreCallOptions): Promise<StoreEntry | undefined> => {
    assertValidKey(key);
    assertOpen(closed, 'get');
    throwIfAborted(callOptions, 'get');
    await Promise.resolve();
    const record = live(backend.read(key));
    return record === undefined ? undefined : toEntry(key, record);
  };

  return {
    get: async (key, callOptions) => (await getEntry(key, callOptions))?.value,
    getEntry,
    async getByPrefix(prefix, callOptions) {
      if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
      assertOpen(closed, 'getByPrefix');
      throwIfAborted(callOptions, 'getByPrefix');
      await Promise.resolve();
      const entries: StoreEntry[] = [];
      for (const [key, record] of backend.scan(prefix)) {
        if (live(record) !== undefined) entries.push(toEntry(key, record));
      }
      return entries;
    },
    ...transactionWrites(transaction),
    compareAndSwap,
    async delete(key, callOptions) {
      assertValidKey(key);
      return decide('delete', callOptions, (txn) => {
        const existed = live(txn.read(key)) !== undefined;
        // An expired lock is removed too, but reported as absent.
        return txn.read(key) === undefined ? { result: false } : { result: existed, apply: (w) => w.remove(key) };
      });
    },
    transaction,
    async acquireLock(key, ttlMs, callOptions) {
      assertValidKey(key);
      assertValidTtl(ttlMs);
      const token = randomBytes(16);
      const acquired = await decide('lock acquire', callOptions, (txn) => {
        if (live(txn.read(key)) !== undefined) return { result: false };
        return {
          result: true,
          apply: (w) => w.write(key, { value: token, version: w.revision(), expiresAtMs: now() + ttlMs }),
        };
      });
      return acquired ? makeLock(key, token, ttlMs) : undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      await backend.close();
    },
  };
}
