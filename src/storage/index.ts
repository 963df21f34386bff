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
export { createEtcdStore, type EtcdStoreOptions, type EtcdTlsFiles } from './etcd-store.ts';
export { createKeyedMutex, type KeyedMutex } from './keyed-mutex.ts';
export {
  createEtcdServerSupervisor,
  type EtcdServerSupervisor,
  type EtcdServerSupervisorOptions,
} from './etcd-server-supervisor.ts';
export {
  exportStore,
  importStore,
  storeExportFormat,
  storeExportVersion,
  type ExportStoreResult,
  type ImportStoreOptions,
  type ImportStoreResult,
} from './export-import.ts';
export { buildStoragePrefixes, type StoragePrefixes, type StoragePrefixesOptions } from './storage-prefixes.ts';
export { createStore, type StorageOptions, type StoreObservers } from './create-store.ts';
export {
  createReferenceLocks,
  lockedValue,
  unlockedValue,
  type HeldLock,
  type LockAndPut,
  type LockedRead,
  type OrphanWrite,
  type ReferenceLocks,
  type ReferenceLocksOptions,
  type ReferencePut,
  type RevisionedValue,
} from './etcd-reference-locks.ts';
