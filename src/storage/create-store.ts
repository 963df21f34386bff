import type { Logger } from '../shared/index.ts';
import { createEtcdStore } from './etcd-store.ts';
import type { EtcdTlsFiles } from './etcd-store.ts';
import { createLmdbStore } from './lmdb-store.ts';
import { createMemoryStore } from './memory-store.ts';
import type { AtomicStore } from './atomic-store.ts';

/**
 * The storage slice of the daemon config that `app/` cuts out (docs/operations.md "Channel-state storage"):
 * etcd when endpoints are configured, else the embedded LMDB file, or memory when explicitly asked.
 */
export type StorageOptions =
  | {
      readonly backend: 'etcd';
      readonly endpoints: readonly string[];
      /** @default 5000 */
      readonly dialTimeoutMs?: number;
      /** @default 5000 */
      readonly requestTimeoutMs?: number;
      readonly tls?: EtcdTlsFiles;
    }
  | { readonly backend: 'lmdb'; readonly path: string }
  | { readonly backend: 'memory' };

/** What the daemon watches of its store. */
export interface StoreObservers {
  /**
   * Every etcd request's time and whether etcd answered (the etcd store's `onRoundTrip`). The embedded
   * LMDB file and memory have no round trip and report nothing.
   */
  readonly onRoundTrip?: (seconds: number, ok: boolean) => void;
}

/** Opens the backend named by `options`; see each factory for its errors. */
export async function createStore(options: StorageOptions, logger: Logger, observers: StoreObservers = {}): Promise<AtomicStore> {
  switch (options.backend) {
    case 'etcd':
      return createEtcdStore({
        endpoints: options.endpoints,
        logger,
        ...(observers.onRoundTrip === undefined ? {} : { onRoundTrip: observers.onRoundTrip }),
        ...(options.dialTimeoutMs === undefined ? {} : { dialTimeoutMs: options.dialTimeoutMs }),
        ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
        ...(options.tls === undefined ? {} : { tls: options.tls }),
      });
    case 'lmdb':
      return Promise.resolve(createLmdbStore({ path: options.path, logger }));
    case 'memory':
      logger.warn({ component: 'storage' }, 'channel state is kept in memory only: it is lost on restart, including unclaimed payments');
      return Promise.resolve(createMemoryStore());
  }
}
