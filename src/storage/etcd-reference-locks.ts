import type { ICompare, IKeyValue, IRequestOp, Lease } from 'etcd3';
import { SnetError } from '../errors/index.ts';
import { loadCockatiel, loadEtcd3, readTls, storageError, type EtcdStoreOptions } from './etcd-store.ts';

// The Go daemon's lock protocol on etcd (Go `escrow/lock.go` over `etcddb/etcddb_client.go`): a lock key holds
// `locked` while a replica works on the guarded value and `unlocked` (or nothing) otherwise. Go takes it with
// Get + CAS / PutIfAbsent and never attaches a lease. Our lock keys carry this process's lease, so when a
// snetd-ts replica dies its locks vanish after the TTL and a Go replica locks the key again as if it was
// never taken (absent = unlocked for Go).

/** The reference's lock values. */
export const lockedValue = 'locked';
export const unlockedValue = 'unlocked';

/** A key read with its etcd `mod_revision` (the condition of the write that follows). */
export interface RevisionedValue {
  readonly bytes: Uint8Array;
  readonly revision: bigint;
}

/** A lock key and the value it guards, read at one revision. */
export interface LockedRead {
  /** The lock key's value (`locked`, `unlocked`, …) and revision, or `undefined` when absent. */
  readonly lock: { readonly value: string; readonly revision: bigint } | undefined;
  readonly value: RevisionedValue | undefined;
}

/** A lock taken by {@link ReferenceLocks.lock}, with the guarded value read in the same transaction. */
export interface HeldLock {
  /** `mod_revision` of our `locked` write: only this holder's writes carry it. */
  readonly revision: bigint;
  readonly value: RevisionedValue | undefined;
}

/** Outcome of {@link ReferenceLocks.lockAndPut}: the lock taken and the value written, or what stopped it. */
export type LockAndPut =
  | { readonly ok: true; readonly lock: HeldLock }
  /** Nothing written: `read` shows whether the lock was busy or the value other than expected. */
  | { readonly ok: false; readonly read: LockedRead };

/** What {@link ReferenceLocks.releaseOrphan} puts back when the orphan lock came with a value write of ours. */
export interface OrphanWrite {
  readonly valueKey: string;
  /** The value our unknown-outcome {@link ReferenceLocks.lockAndPut} tried to write. */
  readonly written: Uint8Array;
  /** The value it replaced (`undefined`: there was none). */
  readonly previous: Uint8Array | undefined;
}

/** One extra put beside the guarded value in a commit (e.g. a claim record beside the channel value). */
export interface ReferencePut {
  readonly key: string;
  readonly value: Uint8Array;
}

/** Options of {@link createReferenceLocks}. */
export interface ReferenceLocksOptions extends Omit<EtcdStoreOptions, 'dialTimeoutMs'> {
  /** TTL of the lease our lock keys are attached to; rounded up to whole seconds (at least 1). */
  readonly ttlMs: number;
}

/**
 * Reference-compatible locks on one etcd cluster. Every method but `releaseOrphan` is one etcd request. The
 * commit (put the value, delete the lock) is an ordinary store transaction conditioned on the lock's and the
 * value's revisions, so it goes through the store (and its group commit). Storage failures are
 * STORAGE_TIMEOUT / STORAGE_UNAVAILABLE (a write's outcome is then unknown: its lock may be held until the TTL).
 */
export interface ReferenceLocks {
  /** The lock key and the value key in one snapshot. */
  read(lockKey: string, valueKey: string): Promise<LockedRead>;
  /**
   * Takes the lock as Go does (absent → `locked`; `unlocked` → `locked`; anything else = busy), attached to this
   * process's lease, and reads `valueKey` in the same transaction. `undefined` = busy.
   */
  lock(lockKey: string, valueKey: string): Promise<HeldLock | undefined>;
  /**
   * {@link ReferenceLocks.lock} and a put of `value` in one transaction, only if the guarded value is still
   * `expected` byte for byte (`undefined`: absent). The returned lock's value is `value` at the lock's revision.
   */
  lockAndPut(lockKey: string, valueKey: string, expected: Uint8Array | undefined, value: Uint8Array): Promise<LockAndPut>;
  /**
   * Deletes the lock if it is attached to this process's lease: a lock whose `lock` call timed out (taken or not,
   * unknown) would otherwise stay while this process keeps its lease alive. With `write` (an unknown-outcome
   * `lockAndPut`), the value that landed with the lock (same revision, same bytes) is put back to `previous` in
   * the same transaction. Only call it while no call of this process can hold that lock. `true` when one was deleted.
   */
  releaseOrphan(lockKey: string, write?: OrphanWrite): Promise<boolean>;
  /** Operator unlock (Go `snetd channel --unlock`): deletes the lock key whoever holds it; `true` when it was `locked`. */
  forceUnlock(lockKey: string): Promise<boolean>;
  /** Revokes the lease (our locks vanish at once) and closes the connection. */
  close(): Promise<void>;
}

const buf = (key: string): Buffer => Buffer.from(key, 'utf8');
const revisioned = (kv: IKeyValue | undefined): RevisionedValue | undefined =>
  kv === undefined ? undefined : { bytes: new Uint8Array(kv.value), revision: BigInt(kv.mod_revision) };

/** Opens a client on `options.endpoints` for the reference's channel locks (no start-up probe: the store did it). */
export function createReferenceLocks(options: ReferenceLocksOptions): ReferenceLocks {
  const logger = options.logger.child({ component: 'storage', backend: 'etcd', role: 'reference-locks' });
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const ttlSeconds = Math.max(1, Math.ceil(options.ttlMs / 1000));
  const credentials = readTls(options.tls);
  const { Etcd3 } = loadEtcd3();
  const { noop } = loadCockatiel();
  const client = new Etcd3({
    hosts: [...options.endpoints],
    ...(credentials === undefined ? {} : { credentials }),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    // No client retries of writes: a retried lock whose first attempt landed would answer "busy" to its owner.
    faultHandling: { global: noop },
  });
  let closed = false;
  // One lease for every lock of this process, granted on first use and kept alive by etcd3 (every TTL/3).
  let lease: { readonly handle: Lease; readonly id: Promise<string> } | undefined;
  const leaseId = (): Promise<string> => {
    if (lease === undefined) {
      const handle = client.lease(ttlSeconds);
      const current = { handle, id: handle.grant() };
      handle.on('lost', (err) => {
        // Our locks are gone with it: commits conditioned on their revisions fail, so nothing is double-counted.
        logger.error({ err }, 'the etcd lease of this replica\'s channel locks was lost; calls in flight will not be recorded');
        if (lease === current) lease = undefined;
      });
      current.id.catch(() => {
        if (lease === current) lease = undefined;
      });
      lease = current;
    }
    return lease.id;
  };

  const run = async <T>(operation: string, write: boolean, fn: () => Promise<T>): Promise<T> => {
    if (closed) throw new SnetError('STORAGE_CLOSED', `etcd ${operation} called after the store was closed`);
    try {
      return await fn();
    } catch (error) {
      throw storageError(error, operation, write);
    }
  };

  const lockOps = (lockKey: string, valueKey: string, id: string): IRequestOp[] => [
    { request_put: { key: buf(lockKey), value: Buffer.from(lockedValue), lease: id } },
    { request_range: { key: buf(valueKey) } },
  ];

  return {
    read: (lockKey, valueKey) =>
      run('lock read', false, async () => {
        const response = await client.kv.txn({ compare: [], success: [{ request_range: { key: buf(lockKey) } }, { request_range: { key: buf(valueKey) } }], failure: [] });
        const lock = response.responses[0]?.response_range.kvs[0];
        return {
          lock: lock === undefined ? undefined : { value: lock.value.toString('utf8'), revision: BigInt(lock.mod_revision) },
          value: revisioned(response.responses[1]?.response_range.kvs[0]),
        };
      }),
    lock: (lockKey, valueKey) =>
      run('lock', true, async () => {
        const id = await leaseId();
        // absent → locked, else (nested, same snapshot) unlocked → locked, else busy: one request either way.
        const response = await client.kv.txn({
          compare: [{ key: buf(lockKey), target: 'Create', result: 'Equal', create_revision: 0 }],
          success: lockOps(lockKey, valueKey, id),
          failure: [
            {
              request_txn: {
                compare: [{ key: buf(lockKey), target: 'Value', result: 'Equal', value: Buffer.from(unlockedValue) }],
                success: lockOps(lockKey, valueKey, id),
                failure: [],
              },
            },
          ],
        });
        let responses = response.responses;
        if (!response.succeeded) {
          const nested = responses[0]?.response_txn;
          if (nested?.succeeded !== true) return undefined;
          responses = nested.responses;
        }
        return { revision: BigInt(response.header.revision), value: revisioned(responses[1]?.response_range.kvs[0]) };
      }),
    lockAndPut: (lockKey, valueKey, expected, value) =>
      run('lock', true, async () => {
        const id = await leaseId();
        const valueCompare: ICompare =
          expected === undefined
            ? { key: buf(valueKey), target: 'Create', result: 'Equal', create_revision: 0 }
            : { key: buf(valueKey), target: 'Value', result: 'Equal', value: Buffer.from(expected) };
        const success: IRequestOp[] = [
          { request_put: { key: buf(lockKey), value: Buffer.from(lockedValue), lease: id } },
          { request_put: { key: buf(valueKey), value: Buffer.from(value) } },
        ];
        // As `lock`, with the value condition on both branches; the innermost failure reads why (same snapshot).
        const response = await client.kv.txn({
          compare: [{ key: buf(lockKey), target: 'Create', result: 'Equal', create_revision: 0 }, valueCompare],
          success,
          failure: [
            {
              request_txn: {
                compare: [{ key: buf(lockKey), target: 'Value', result: 'Equal', value: Buffer.from(unlockedValue) }, valueCompare],
                success,
                failure: [{ request_range: { key: buf(lockKey) } }, { request_range: { key: buf(valueKey) } }],
              },
            },
          ],
        });
        const nested = response.succeeded ? undefined : response.responses[0]?.response_txn;
        if (response.succeeded || nested?.succeeded === true) {
          const revision = BigInt(response.header.revision);
          return { ok: true, lock: { revision, value: { bytes: value, revision } } };
        }
        const lock = nested?.responses[0]?.response_range.kvs[0];
        return {
          ok: false,
          read: {
            lock: lock === undefined ? undefined : { value: lock.value.toString('utf8'), revision: BigInt(lock.mod_revision) },
            value: revisioned(nested?.responses[1]?.response_range.kvs[0]),
          },
        };
      }),
    releaseOrphan: (lockKey, write) =>
      run('unlock', true, async () => {
        const current = lease;
        if (current === undefined) return false;
        const id = await current.id;
        const kv = (await client.kv.range({ key: buf(lockKey) })).kvs[0];
        if (kv === undefined || String(kv.lease) !== id) return false;
        const compare: ICompare[] = [{ key: buf(lockKey), target: 'Mod', result: 'Equal', mod_revision: kv.mod_revision }];
        const success: IRequestOp[] = [{ request_delete_range: { key: buf(lockKey) } }];
        if (write !== undefined) {
          // Written with the lock (same revision) and still our bytes: the charge of a call never served, undone.
          const stored = (await client.kv.range({ key: buf(write.valueKey) })).kvs[0];
          if (stored !== undefined && stored.mod_revision === kv.mod_revision && Buffer.from(write.written).equals(stored.value)) {
            compare.push({ key: buf(write.valueKey), target: 'Mod', result: 'Equal', mod_revision: stored.mod_revision });
            success.push(write.previous === undefined ? { request_delete_range: { key: buf(write.valueKey) } } : { request_put: { key: buf(write.valueKey), value: Buffer.from(write.previous) } });
          }
        }
        const response = await client.kv.txn({ compare, success, failure: [] });
        return response.succeeded;
      }),
    forceUnlock: (lockKey) =>
      run('unlock', true, async () => {
        const response = await client.kv.deleteRange({ key: buf(lockKey), prev_kv: true });
        return response.prev_kvs.some((kv) => kv.value.toString('utf8') === lockedValue);
      }),
    async close() {
      if (closed) return;
      closed = true;
      const current = lease;
      lease = undefined;
      if (current !== undefined) await current.handle.revoke({ deadline: Date.now() + requestTimeoutMs }).catch(() => undefined);
      client.close();
    },
  };
}
