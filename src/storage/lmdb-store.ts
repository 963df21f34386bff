import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as lmdbModule from 'lmdb';
import type { Database, RootDatabase } from 'lmdb';
import { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import { prefixRangeEnd } from './bytes.ts';
import { createLocalStore } from './local-store.ts';
import type { LocalBackend, LocalRecord, LocalWriteTxn } from './local-store.ts';
import { decodeLmdbRecord, decodeLmdbRecordView, encodeLmdbRecord } from './lmdb-record.ts';
import type { AtomicStore } from './atomic-store.ts';

/** Options of {@link createLmdbStore}. */
export interface LmdbStoreOptions {
  /** Database file; LMDB also creates `<path>-lock` beside it. Parent directories are created. */
  readonly path: string;
  readonly logger: Logger;
  /** Wall clock in epoch ms for lock expiry. @default Date.now */
  readonly now?: () => number;
}

const revisionKey = 'revision';

/**
 * The embedded default {@link AtomicStore} (docs/operations.md "Channel-state storage"): an LMDB file via the `lmdb` package.
 * Every write is one LMDB write transaction whose promise resolves only after it was committed and
 * fsync'ed (`overlappingSync: false`, no `noSync`): a resolved write survives kill -9 and power loss.
 * Concurrent writers are serialised by LMDB's write lock (also across processes sharing the file) and
 * group-committed per event turn, so compare-then-write is atomic without in-process locks.
 * Throws STORAGE_OPEN_FAILED when the file cannot be opened.
 */
// lmdb (and its native addon) is loaded when a store is opened, not when the storage domain is imported:
// a daemon on etcd or with the blockchain off, and the CLI, start without it.
const requireCjs = createRequire(import.meta.url);

export function createLmdbStore(options: LmdbStoreOptions): AtomicStore {
  const logger = options.logger.child({ component: 'storage', backend: 'lmdb' });
  let env: RootDatabase;
  let kv: Database<Buffer, Buffer>;
  let meta: Database<string, string>;
  try {
    mkdirSync(dirname(options.path), { recursive: true });
    const { open } = requireCjs('lmdb') as typeof lmdbModule;
    env = open({
      path: options.path,
      // Durability first: a commit resolves only once fsync'ed (overlappingSync would resolve before
      // the flush and rely on the OS surviving, see lmdb README "overlappingSync").
      overlappingSync: false,
      noSync: false,
      compression: false,
      cache: false,
      maxDbs: 4,
    });
    kv = env.openDB<Buffer, Buffer>({ name: 'kv', keyEncoding: 'binary', encoding: 'binary' });
    meta = env.openDB<string, string>({ name: 'meta', encoding: 'string' });
  } catch (error) {
    throw new SnetError('STORAGE_OPEN_FAILED', `cannot open the LMDB store at ${options.path}`, {
      cause: error,
      hint: 'Check that the directory exists or can be created, is writable by the daemon user, and the disk is not full.',
      details: { path: options.path },
    });
  }
  logger.info({ path: options.path }, 'LMDB channel-state store opened');

  // Key bytes per key string, reused (lmdb-js copies keys into its own buffers on every call): a paid call
  // reads and writes its channel key twice. Bounded; dropped wholesale when full.
  const keyCache = new Map<string, Buffer>();
  const keyBytes = (key: string): Buffer => {
    let bytes = keyCache.get(key);
    if (bytes === undefined) {
      bytes = Buffer.from(key, 'utf8');
      if (keyCache.size >= 10_000) keyCache.clear();
      keyCache.set(key, bytes);
    }
    return bytes;
  };
  // lmdb-js's reused read buffer, no copy: the record's value is valid only until the next read, which the
  // LocalBackend contract allows (local-store compares or copies it at once). Its `length` is set per read.
  const readRecord = (key: string): LocalRecord | undefined => {
    const raw = kv.getBinaryFast(keyBytes(key));
    return raw === undefined ? undefined : decodeLmdbRecordView(key, raw, raw.length);
  };

  // One transaction view for every write: lmdb-js runs transaction callbacks one at a time and ours are
  // synchronous, so the revision of the callback running now is all the state it needs (reset per callback).
  let txnRevision: bigint | undefined;
  const txn: LocalWriteTxn = {
    read: readRecord,
    write: (key, record) => void kv.put(keyBytes(key), encodeLmdbRecord(record)),
    remove: (key) => void kv.remove(keyBytes(key)),
    revision: () => {
      if (txnRevision === undefined) {
        txnRevision = BigInt(meta.get(revisionKey) ?? '0') + 1n;
        void meta.put(revisionKey, txnRevision.toString());
      }
      return txnRevision;
    },
  };

  const backend: LocalBackend = {
    async write<T>(fn: (txn: LocalWriteTxn) => T): Promise<T> {
      // lmdb-js shares one write transaction between all callbacks of an event turn; a throw would
      // abort or split it for everyone, so a failure travels out beside the result and is re-thrown here.
      let failure: { readonly error: unknown } | undefined;
      const value = await env.transaction(() => {
        txnRevision = undefined;
        try {
          return fn(txn);
        } catch (error) {
          failure = { error };
          return undefined;
        }
      });
      if (failure !== undefined) throw failure.error;
      return value as T;
    },
    read: readRecord,
    scan(prefix) {
      const start = keyBytes(prefix);
      const end = prefixRangeEnd(start);
      const range = kv.getRange({
        ...(prefix === '' ? {} : { start }),
        ...(end === undefined ? {} : { end: Buffer.from(end) }),
      });
      const out: Array<readonly [string, LocalRecord]> = [];
      for (const { key, value } of range) {
        const name = key.toString('utf8');
        out.push([name, decodeLmdbRecord(name, value)]);
      }
      return out;
    },
    async close() {
      await env.close();
      logger.info({ path: options.path }, 'LMDB channel-state store closed');
    },
  };
  return createLocalStore(backend, options.now === undefined ? {} : { now: options.now });
}
