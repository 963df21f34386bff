export {
  maxKeyBytes,
  maxTransactionOperations,
  type AtomicStore,
  type LockHandle,
  type StoreCallOptions,
  type StoreCondition,
  type StoreEntry,
  type StoreOperation,
} from './atomic-store.ts';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.ts';
export { createPrefixedStore } from './prefixed-store.ts';
export { createLmdbStore, type LmdbStoreOptions } from './lmdb-store.ts';
