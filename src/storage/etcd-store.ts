import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as etcd3Module from 'etcd3';
import type { ICompare, IKeyValue, IRequestOp, Lease } from 'etcd3';
import type * as cockatielModule from 'cockatiel';
import { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import { transactionWrites } from './transaction-writes.ts';
import { bytesEqual, prefixRangeEnd } from './bytes.ts';
import { createKeyedMutex } from './keyed-mutex.ts';
import { createEtcdGroupCommit } from './etcd-group-commit.ts';
import { assertOpen, assertValidKey, assertValidTransaction, assertValidTtl, assertValidValue, throwIfAborted } from './store-validation.ts';
import type {
  AtomicStore,
  LockHandle,
  StoreCallOptions,
  StoreCondition,
  StoreEntry,
  StoreOperation,
} from './atomic-store.ts';

/** TLS files for etcd (config `payment_channel_ca_path`, `…_cert_path`, `…_key_path`; Go `etcddb/etcddb_client.go`). */
export interface EtcdTlsFiles {
  /** CA bundle (PEM) that signed the etcd server certificates. */
  readonly caFile: string;
  /** Client certificate (PEM) for mTLS; give it together with `keyFile`. */
  readonly certFile?: string;
  /** Client private key (PEM) for mTLS. */
  readonly keyFile?: string;
}

/** Options of {@link createEtcdStore} (Go `etcddb/etcddb_client.go`). */
export interface EtcdStoreOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379`; all http or all https. */
  readonly endpoints: readonly string[];
  /** Time allowed to connect to each endpoint for the start-up health probe. @default 5000 */
  readonly dialTimeoutMs?: number;
  /** Deadline of every etcd request. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** TLS files; required for mTLS. With https endpoints and no files, the system CAs are used. */
  readonly tls?: EtcdTlsFiles;
  readonly logger: Logger;
  /**
   * Told about every etcd request of the reads and of the transaction batches (one per batch: concurrent
   * writes share requests): its time in seconds and whether etcd answered. Must not throw.
   */
  readonly onRoundTrip?: (seconds: number, ok: boolean) => void;
}

/** Strips userinfo from an endpoint so it can be shown in logs and errors. */
export function redactEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return endpoint.replace(/\/\/[^@/]*@/, '//');
  }
}

export function readTls(tls: EtcdTlsFiles | undefined): { rootCertificate: Buffer; privateKey?: Buffer; certChain?: Buffer } | undefined {
  if (tls === undefined) return undefined;
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new SnetError('STORAGE_TLS_INVALID', 'etcd client TLS needs both payment_channel_cert_path and payment_channel_key_path, or neither');
  }
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new SnetError('STORAGE_TLS_INVALID', `cannot read the etcd ${what} file ${path}`, { cause: error, details: { path } });
    }
  };
  return {
    rootCertificate: read(tls.caFile, 'CA (payment_channel_ca_path)'),
    ...(tls.certFile === undefined ? {} : { certChain: read(tls.certFile, 'client certificate (payment_channel_cert_path)') }),
    ...(tls.keyFile === undefined ? {} : { privateKey: read(tls.keyFile, 'client key (payment_channel_key_path)') }),
  };
}

// etcd3 (with its own grpc-js, proto-loader and cockatiel, ~0.3 s of CPU) is loaded when a store is created, not when the
// storage domain is imported: a daemon on LMDB or with the blockchain off, and the CLI, start without it.
const requireCjs = createRequire(import.meta.url);
/** The etcd3 package, loaded on first use. */
export const loadEtcd3 = (): typeof etcd3Module => requireCjs('etcd3') as typeof etcd3Module;
/** cockatiel (etcd3's fault handling), loaded on first use. */
export const loadCockatiel = (): typeof cockatielModule => requireCjs('cockatiel') as typeof cockatielModule;

/** Maps an etcd3 / grpc failure to a storage SnetError; writes get the "outcome unknown" hint. */
export function storageError(error: unknown, operation: string, write: boolean): SnetError {
  if (error instanceof SnetError) return error;
  const { ClientClosedError, GRPCDeadlineExceededError } = loadEtcd3();
  if (error instanceof ClientClosedError) {
    return new SnetError('STORAGE_CLOSED', `etcd ${operation} called after the store was closed`, { cause: error });
  }
  const unknownOutcome = write ? ' The write may or may not have been applied; re-read before deciding.' : '';
  if (error instanceof GRPCDeadlineExceededError) {
    return new SnetError('STORAGE_TIMEOUT', `etcd ${operation} exceeded the request timeout.${unknownOutcome}`, {
      cause: error,
      hint: 'Check etcd health and latency, or raise payment_channel_storage_client.request_timeout.',
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SnetError('STORAGE_UNAVAILABLE', `etcd ${operation} failed: ${reason}.${unknownOutcome}`, {
    cause: error,
    hint: 'Check that the etcd endpoints are up and reachable from this host.',
  });
}

const toEntry = (kv: IKeyValue): StoreEntry => ({
  key: kv.key.toString('utf8'),
  value: new Uint8Array(kv.value),
  version: BigInt(kv.mod_revision),
  leased: kv.lease !== undefined && String(kv.lease) !== '0',
});

const keyBuffer = (key: string): Buffer => Buffer.from(key, 'utf8');

/**
 * An {@link AtomicStore} on an etcd v3 cluster through `etcd3`, for replica groups sharing channel
 * state. Starts with a `Maintenance.Status` probe of **every** endpoint and
 * rejects with STORAGE_UNAVAILABLE naming the first unhealthy one. Writes are etcd transactions
 * (value / create-revision / mod-revision compares); writes on one key are serialised inside this
 * process before they reach etcd. Writes are never retried by the client: a failed write reports
 * STORAGE_TIMEOUT / STORAGE_UNAVAILABLE (outcome unknown) instead of a misleading `false`.
 * Locks are keys attached to an etcd lease of ⌈ttlMs/1000⌉ s, deleted by etcd when the holder stops.
 */
export async function createEtcdStore(options: EtcdStoreOptions): Promise<AtomicStore> {
  const logger = options.logger.child({ component: 'storage', backend: 'etcd' });
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const dialTimeoutMs = options.dialTimeoutMs ?? 5000;
  const endpoints = [...options.endpoints];
  if (endpoints.length === 0) {
    throw new SnetError('STORAGE_UNAVAILABLE', 'no etcd endpoints are configured', {
      hint: 'Set payment_channel_storage_client.endpoints, or the org metadata group payment_channel_storage_client.',
    });
  }
  const secure = endpoints.filter((endpoint) => endpoint.startsWith('https:')).length;
  if (secure !== 0 && secure !== endpoints.length) {
    throw new SnetError('STORAGE_UNAVAILABLE', 'etcd endpoints mix http and https', {
      hint: 'Use https for every endpoint of the cluster, or http for every one.',
      details: { endpoints: endpoints.map(redactEndpoint) },
    });
  }
  const credentials = readTls(options.tls);
  const { Etcd3, GRPCInvalidArgumentError } = loadEtcd3();
  const { noop } = loadCockatiel();
  const noRetry = { global: noop, host: () => noop };

  // Start-up probe of every endpoint (the reference probes only the first, Go `etcddb/etcddb_client.go`).
  for (const endpoint of endpoints) {
    const probe = new Etcd3({ hosts: [endpoint], ...(credentials === undefined ? {} : { credentials }), faultHandling: noRetry });
    try {
      const status = await probe.maintenance.status({ deadline: Date.now() + dialTimeoutMs + requestTimeoutMs });
      logger.info({ endpoint: redactEndpoint(endpoint), version: status.version }, 'etcd endpoint healthy');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SnetError('STORAGE_UNAVAILABLE', `etcd endpoint ${redactEndpoint(endpoint)} is not healthy: ${reason}`, {
        cause: error,
        hint:
          'Check that etcd runs there and is reachable from this host (firewall, scheme http/https, TLS files); ' +
          'the endpoints come from payment_channel_storage_client.endpoints or the org metadata group.',
        details: { endpoint: redactEndpoint(endpoint) },
      });
    } finally {
      probe.close();
    }
  }

  const client = new Etcd3({
    hosts: endpoints,
    ...(credentials === undefined ? {} : { credentials }),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    // Keep the per-host circuit breaker; no global retry: a retried CAS whose first attempt was applied
    // would report `false` for a write that happened.
    faultHandling: { global: noop },
  });
  const mutex = createKeyedMutex();
  // Concurrent transactions (every put / putIfAbsent / compareAndSwap) share etcd requests; each keeps
  // its own answer (etcd-group-commit.ts). Same-key writes are already serialised by `mutex`.
  const groupCommit = createEtcdGroupCommit({
    send: (request) => client.kv.txn(request),
    // etcd checks these before proposing the request to raft: nothing of the batch was applied.
    isRefusedBeforeApply: (error) =>
      error instanceof GRPCInvalidArgumentError && /too many operations in txn request|request is too large/.test(error.message),
    onLimitsLowered: (limits) =>
      logger.warn(limits, 'etcd refused a batched transaction as too large; batches are smaller from now on (etcd --max-txn-ops / --max-request-bytes below the defaults?)'),
    ...(options.onRoundTrip === undefined ? {} : { onRoundTrip: options.onRoundTrip }),
  });
  const onRoundTrip = options.onRoundTrip;
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  };

  const read = async <T>(operation: string, callOptions: StoreCallOptions | undefined, fn: () => Promise<T>): Promise<T> => {
    assertOpen(closed, operation);
    throwIfAborted(callOptions, operation);
    const startedAt = onRoundTrip === undefined ? 0 : performance.now();
    try {
      const result = await track(fn());
      onRoundTrip?.((performance.now() - startedAt) / 1000, true);
      return result;
    } catch (error) {
      onRoundTrip?.((performance.now() - startedAt) / 1000, false);
      throw storageError(error, operation, false);
    }
  };

  // Every write goes through the per-key queue, then one etcd request.
  const write = async <T>(
    operation: string,
    keys: readonly string[],
    callOptions: StoreCallOptions | undefined,
    fn: () => Promise<T>,
  ): Promise<T> => {
    assertOpen(closed, operation);
    throwIfAborted(callOptions, operation);
    try {
      return await track(
        mutex.run(keys, () => {
          assertOpen(closed, operation);
          return fn();
        }, callOptions?.signal),
      );
    } catch (error) {
      throw storageError(error, operation, true);
    }
  };

  const txn = async (compare: ICompare[], success: IRequestOp[]): Promise<boolean> => {
    const response = await client.kv.txn({ compare, success, failure: [] });
    return response.succeeded;
  };

  const transaction = async (
    conditions: readonly StoreCondition[],
    operations: readonly StoreOperation[],
    callOptions?: StoreCallOptions,
  ): Promise<boolean> => {
    assertValidTransaction(conditions, operations);
    const keys = [...conditions.map((c) => c.key), ...operations.map((o) => o.key)];
    const signal = callOptions?.signal;
    return write('transaction', keys, callOptions, () => groupCommit.submit(conditions, operations, signal));
  };

  // Key bytes per key string for the compare-and-swap path (a paid call writes its channel key twice, and each
  // write names it three times: compare, put, failure-branch read). etcd3 only reads them. Bounded; dropped
  // wholesale when full.
  const casKeys = new Map<string, Buffer>();
  const casKeyBytes = (key: string): Buffer => {
    let bytes = casKeys.get(key);
    if (bytes === undefined) {
      bytes = keyBuffer(key);
      if (casKeys.size >= 10_000) casKeys.clear();
      casKeys.set(key, bytes);
    }
    return bytes;
  };

  // The payment path's write (two per paid call): `transaction([condition], [put])` as `transactionWrites` builds
  // it, with the same checks in the same order, the same per-key queue, the same etcd request and error mapping,
  // and the same tracking for close(); without the generic lists, the multi-key queue path and three async frames.
  const compareAndSwap: AtomicStore['compareAndSwap'] = (key, expected, next, callOptions) => {
    try {
      assertValidValue(next);
      assertValidKey(key);
      if (expected !== undefined) assertValidValue(expected);
      assertOpen(closed, 'transaction');
      throwIfAborted(callOptions, 'transaction');
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const signal = callOptions?.signal;
    const queued = mutex.run(
      [key],
      () => {
        assertOpen(closed, 'transaction');
        return groupCommit.submitCompareAndSwap(key, casKeyBytes(key), expected, next, signal);
      },
      signal,
    );
    const tracked: Promise<boolean> = queued.then(
      (swapped) => {
        inFlight.delete(tracked);
        return swapped;
      },
      (error: unknown) => {
        inFlight.delete(tracked);
        throw storageError(error, 'transaction', true);
      },
    );
    inFlight.add(tracked);
    return tracked;
  };

  const getEntry = async (key: string, callOptions?: StoreCallOptions): Promise<StoreEntry | undefined> => {
    assertValidKey(key);
    return read('get', callOptions, async () => {
      const response = await client.kv.range({ key: keyBuffer(key) });
      const kv = response.kvs[0];
      return kv === undefined ? undefined : toEntry(kv);
    });
  };

  const makeLock = (key: string, token: Uint8Array, lease: Lease): LockHandle => {
    const ownsKey = async (): Promise<boolean> => {
      const response = await client.kv.range({ key: keyBuffer(key) });
      const kv = response.kvs[0];
      return kv !== undefined && bytesEqual(kv.value, token);
    };
    return {
      key,
      token: new Uint8Array(token),
      refresh: (callOptions) =>
        write('lock refresh', [key], callOptions, async () => {
          if (lease.revoked()) return false;
          try {
            // Streams get no default deadline from etcd3; bound the keep-alive like any request.
            const response = await lease.keepaliveOnce({ deadline: Date.now() + requestTimeoutMs });
            if (BigInt(response.TTL) <= 0n) return false;
          } catch (error) {
            if (lease.revoked()) return false;
            throw error;
          }
          return ownsKey();
        }),
      release: (callOptions) =>
        write('lock release', [key], callOptions, async () => {
          const released = await txn(
            [{ key: keyBuffer(key), target: 'Value', result: 'Equal', value: Buffer.from(token) }],
            [{ request_delete_range: { key: keyBuffer(key) } }],
          );
          await lease.revoke({ deadline: Date.now() + requestTimeoutMs }).catch((error: unknown) => {
            logger.debug({ err: error, key }, 'etcd lease revoke failed; it expires by its TTL');
          });
          return released;
        }),
    };
  };

  logger.info({ endpoints: endpoints.map(redactEndpoint), requestTimeoutMs }, 'etcd channel-state store connected');

  return {
    get: async (key, callOptions) => (await getEntry(key, callOptions))?.value,
    getEntry,
    async getByPrefix(prefix, callOptions) {
      if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
      return read('getByPrefix', callOptions, async () => {
        const start = prefix === '' ? Buffer.from([0]) : keyBuffer(prefix);
        const end = prefix === '' ? undefined : prefixRangeEnd(start);
        // range_end "\0" = every key >= key (etcd API).
        const response = await client.kv.range({ key: start, range_end: end === undefined ? Buffer.from([0]) : Buffer.from(end) });
        return response.kvs.map(toEntry);
      });
    },
    ...transactionWrites(transaction),
    compareAndSwap,
    async delete(key, callOptions) {
      assertValidKey(key);
      return write('delete', [key], callOptions, async () => {
        const response = await client.kv.deleteRange({ key: keyBuffer(key) });
        return BigInt(response.deleted) > 0n;
      });
    },
    transaction,
    async acquireLock(key, ttlMs, callOptions) {
      assertValidKey(key);
      assertValidTtl(ttlMs);
      const token = randomBytes(16);
      return write('lock acquire', [key], callOptions, async () => {
        // Cheap pre-check: a held lock costs one read instead of a lease grant and revoke.
        const existing = await client.kv.range({ key: keyBuffer(key), count_only: true });
        if (BigInt(existing.count) > 0n) return undefined;
        const lease = client.lease(Math.ceil(ttlMs / 1000), { autoKeepAlive: false });
        try {
          const leaseId = await lease.grant();
          const acquired = await txn(
            [{ key: keyBuffer(key), target: 'Create', result: 'Equal', create_revision: 0 }],
            [{ request_put: { key: keyBuffer(key), value: token, lease: leaseId } }],
          );
          if (acquired) return makeLock(key, token, lease);
        } catch (error) {
          await lease.revoke({ deadline: Date.now() + requestTimeoutMs }).catch(() => undefined);
          throw error;
        }
        await lease.revoke({ deadline: Date.now() + requestTimeoutMs }).catch(() => undefined);
        return undefined;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight]);
      client.close();
      logger.info({}, 'etcd channel-state store closed');
    },
  };
}
