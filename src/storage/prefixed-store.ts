import { SnetError } from '../errors/index.ts';
import type { AtomicStore, LockHandle, StoreCondition, StoreEntry, StoreOperation } from './atomic-store.ts';

/**
 * A view of `store` in which every key is `prefix + key` (Go `storage/atomic_storage.go` `PrefixedAtomicStorage`,
 * minus its separator: pass the exact prefix, e.g. `"sepolia/org/G=/0xMPE//payment-channel/storage/"`).
 * Results carry keys without the prefix. Closing the view does not close `store`: the view does not own it.
 */
export function createPrefixedStore(store: AtomicStore, prefix: string): AtomicStore {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new SnetError('STORAGE_INVALID_ARGUMENT', 'a prefixed store needs a non-empty prefix');
  }
  const full = (key: string): string => {
    // An empty key stays empty so the inner store rejects it instead of addressing the bare prefix.
    return key === '' ? '' : prefix + key;
  };
  const strip = (entry: StoreEntry): StoreEntry => ({ ...entry, key: entry.key.slice(prefix.length) });
  const mapCondition = (condition: StoreCondition): StoreCondition => ({ ...condition, key: full(condition.key) });
  const mapOperation = (operation: StoreOperation): StoreOperation => ({ ...operation, key: full(operation.key) });
  const mapLock = (lock: LockHandle): LockHandle => ({
    key: lock.key.slice(prefix.length),
    token: lock.token,
    refresh: (options) => lock.refresh(options),
    release: (options) => lock.release(options),
  });
  return {
    get: (key, options) => store.get(full(key), options),
    getEntry: async (key, options) => {
      const entry = await store.getEntry(full(key), options);
      return entry === undefined ? undefined : strip(entry);
    },
    getByPrefix: async (keyPrefix, options) => (await store.getByPrefix(prefix + keyPrefix, options)).map(strip),
    put: (key, value, options) => store.put(full(key), value, options),
    putIfAbsent: (key, value, options) => store.putIfAbsent(full(key), value, options),
    compareAndSwap: (key, expected, next, options) => store.compareAndSwap(full(key), expected, next, options),
    delete: (key, options) => store.delete(full(key), options),
    transaction: (conditions, operations, options) =>
      store.transaction(conditions.map(mapCondition), operations.map(mapOperation), options),
    acquireLock: async (key, ttlMs, options) => {
      const lock = await store.acquireLock(full(key), ttlMs, options);
      return lock === undefined ? undefined : mapLock(lock);
    },
    close: () => Promise.resolve(),
  };
}
