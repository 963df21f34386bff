import { compareKeys } from './bytes.ts';
import { createLocalStore } from './local-store.ts';
import type { LocalBackend, LocalRecord, LocalWriteTxn } from './local-store.ts';
import type { AtomicStore } from './atomic-store.ts';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Wall clock in epoch ms for lock expiry (tests pass a fake one). @default Date.now */
  readonly now?: () => number;
}

/**
 * An in-process, non-durable {@link AtomicStore}: the test double and the product option for
 * `payment_channel_storage_type` other than etcd when memory is explicitly wanted. State is per
 * process and lost on restart, including unclaimed payments (as Go `storage/memory_storage.go`).
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): AtomicStore {
  const records = new Map<string, LocalRecord>();
  let revision = 0n;

  // A write transaction: `fn` sees its own staged writes; they are applied only when it returns, so a throwing
  // `fn` changes nothing.
  const newTransaction = (): { txn: LocalWriteTxn; commit: () => void; abandon: () => void } => {
    const staged = new Map<string, LocalRecord | null>();
    let txnRevision: bigint | undefined;
    const txn: LocalWriteTxn = {
      read: (key) => {
        const pending = staged.get(key);
        return pending === null ? undefined : (pending ?? records.get(key));
      },
      write: (key, record) => void staged.set(key, record),
      remove: (key) => void staged.set(key, null),
      revision: () => (txnRevision ??= revision + 1n),
    };
    const commit = (): void => {
      if (txnRevision !== undefined) revision = txnRevision;
      for (const [key, record] of staged) {
        if (record === null) records.delete(key);
        else records.set(key, record);
      }
      staged.clear();
      txnRevision = undefined;
    };
    // Drops what a throwing `fn` staged (after a commit there is nothing left).
    const abandon = (): void => {
      staged.clear();
      txnRevision = undefined;
    };
    return { txn, commit, abandon };
  };
  // One transaction object reused by every write (two per paid call): `fn` is synchronous, so writes never
  // overlap; a write started from inside `fn` (none today) gets a fresh one.
  const shared = newTransaction();
  let busy = false;

  const backend: LocalBackend = {
    write<T>(fn: (txn: LocalWriteTxn) => T): Promise<T> {
      const current = busy ? newTransaction() : shared;
      const outer = busy;
      busy = true;
      try {
        const result = fn(current.txn);
        current.commit();
        return Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        busy = outer;
        if (current === shared) shared.abandon();
      }
    },
    read: (key) => records.get(key),
    scan: (prefix) =>
      [...records.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => compareKeys(a, b)),
    close: () => Promise.resolve(),
  };
  return createLocalStore(backend, options.now === undefined ? {} : { now: options.now });
}
