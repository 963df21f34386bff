import type { ICompare, IKeyValue, IRequestOp, ITxnResponse } from 'etcd3';
import { SnetError } from '../errors/index.ts';
import { maxTransactionOperations } from './atomic-store.ts';
import type { StoreCondition, StoreOperation } from './atomic-store.ts';
import { bytesEqual } from './bytes.ts';

/** One etcd `KV.Txn` request as the group commit builds it. */
export interface EtcdTxnRequest {
  readonly compare: ICompare[];
  readonly success: IRequestOp[];
  readonly failure: IRequestOp[];
}

/** Sends one `KV.Txn`; rejects with the client's own error (the store maps it to a storage error). */
export type EtcdTxnSender = (request: EtcdTxnRequest) => Promise<Pick<ITxnResponse, 'succeeded' | 'responses'>>;

/** Options of {@link createEtcdGroupCommit}. */
export interface EtcdGroupCommitOptions {
  readonly send: EtcdTxnSender;
  /**
   * Most compares, success ops and failure ops in one batch (etcd `--max-txn-ops` applies to each list).
   * @default 128 ({@link maxTransactionOperations})
   */
  readonly maxOperations?: number;
  /**
   * Soft cap on the keys and values of one batch in bytes, well under etcd's `--max-request-bytes`
   * (1.5 MiB by default). A single member larger than this is still sent, alone. @default 524288
   */
  readonly maxBatchBytes?: number;
  /**
   * Batches in flight at once. While they are, new members queue and leave together as the next batch
   * when one returns (group commit). @default 2
   */
  readonly maxInFlightBatches?: number;
  /**
   * True for a send error that proves etcd refused the request before applying anything (a cluster run
   * with a lower `--max-txn-ops` or `--max-request-bytes`). The batch's members are then re-sent in
   * smaller batches instead of failing; a one-member batch still rejects. @default () => false
   */
  readonly isRefusedBeforeApply?: (error: unknown) => boolean;
  /** Called when a refused batch made the group commit lower its caps (for a log line). */
  readonly onLimitsLowered?: (limits: { readonly maxOperations: number; readonly maxBatchBytes: number }) => void;
  /**
   * Told about every request sent (one per batch, not per member): its time in seconds and whether etcd answered
   * (a refusal before apply is an answer). Must not throw.
   */
  readonly onRoundTrip?: (seconds: number, ok: boolean) => void;
}

/**
 * Combines concurrent etcd transactions into one `KV.Txn` (group commit). Each member's answer is exactly
 * what its transaction alone would have answered: see {@link createEtcdGroupCommit}.
 */
export interface EtcdGroupCommit {
  /**
   * Runs "if every condition holds, apply every operation" atomically, as part of the next batch.
   * Resolves `true` (applied) or `false` (a condition failed, nothing changed). Rejects with the send
   * error when the batch's request failed (outcome unknown), or with REQUEST_CANCELLED when `signal`
   * aborted before the member was sent (nothing changed). The caller validates the shape first.
   */
  submit(conditions: readonly StoreCondition[], operations: readonly StoreOperation[], signal?: AbortSignal): Promise<boolean>;
  /**
   * `submit([condition], [put key next])` for the payment path's compare-and-swap (`expected === undefined`: the
   * key must be absent), built without the generic lists: the same member, the same etcd request and answers.
   * `keyBytes` is `key` as UTF-8 (the caller may reuse one buffer per key; it is only read).
   */
  submitCompareAndSwap(key: string, keyBytes: Buffer, expected: Uint8Array | undefined, next: Uint8Array, signal?: AbortSignal): Promise<boolean>;
  /** Members waiting for a batch (for tests and metrics). */
  readonly queued: number;
  /** Batches sent and not yet answered. */
  readonly inFlightBatches: number;
}

const keyBuffer = (key: string): Buffer => Buffer.from(key, 'utf8');

/** The etcd compare for one {@link StoreCondition}. */
export function toEtcdCompare(condition: StoreCondition, key: Buffer = keyBuffer(condition.key)): ICompare {
  switch (condition.kind) {
    case 'equals':
      // etcd fails a Value compare on a missing key, as wanted.
      return { key, target: 'Value', result: 'Equal', value: Buffer.from(condition.value) };
    case 'absent':
      return { key, target: 'Create', result: 'Equal', create_revision: 0 };
    case 'version':
      return { key, target: 'Mod', result: 'Equal', mod_revision: condition.version.toString() };
  }
}

/** The etcd request op for one {@link StoreOperation}. */
export function toEtcdRequestOp(operation: StoreOperation): IRequestOp {
  return operation.kind === 'put'
    ? { request_put: { key: keyBuffer(operation.key), value: Buffer.from(operation.value) } }
    : { request_delete_range: { key: keyBuffer(operation.key) } };
}

/** Whether `condition` holds for `kv` (`undefined` = key absent), exactly as etcd evaluates its compare. */
function conditionHolds(condition: StoreCondition, kv: IKeyValue | undefined): boolean {
  switch (condition.kind) {
    case 'equals':
      return kv !== undefined && bytesEqual(kv.value, condition.value);
    case 'absent':
      return kv === undefined;
    case 'version':
      return kv !== undefined && BigInt(kv.mod_revision) === condition.version;
  }
}

const queued = 0;
const sent = 1;
const settled = 2;

interface Member {
  readonly conditions: readonly StoreCondition[];
  /** Every key the member reads or writes, distinct. */
  readonly keys: readonly string[];
  readonly compare: ICompare[];
  readonly success: IRequestOp[];
  /** Range reads of the distinct condition keys, for the failure branch of a shared batch. */
  readonly ranges: IRequestOp[];
  readonly rangeKeys: readonly string[];
  readonly bytes: number;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (value: boolean) => void;
  readonly reject: (error: unknown) => void;
  state: typeof queued | typeof sent | typeof settled;
  /** Set after a shared batch failed without a member to blame: send this member alone next time. */
  alone: boolean;
  onAbort: (() => void) | undefined;
}

/** What a submission asks etcd for; the rest of a {@link Member} is its queue state. */
type MemberRequest = Pick<Member, 'conditions' | 'keys' | 'compare' | 'success' | 'ranges' | 'rangeKeys' | 'bytes'>;

function cancelledError(signal: AbortSignal): SnetError {
  return new SnetError('REQUEST_CANCELLED', 'storage transaction was cancelled before it was sent; nothing changed', {
    cause: signal.reason,
  });
}

/**
 * Group commit for etcd: transactions submitted while a batch forms leave as ONE `KV.Txn`. Submitted to an
 * idle group commit, the queue leaves once the current run of microtasks ends (a lone call waits for
 * nothing); once batches are in flight, members collect until the end of the event-loop turn, and while
 * {@link EtcdGroupCommitOptions.maxInFlightBatches} batches are in flight, until one returns. The Txn:
 * every member's compares ANDed, every member's puts/deletes in the success branch, and a range read of
 * every compared key in the failure branch. Success: every member resolves `true`, all applied at
 * one revision. Failure: each member's conditions are evaluated against that snapshot (the same revision
 * etcd's compares saw); members whose conditions fail resolve `false` (nothing changed for them), the
 * others go back to the head of the queue for the next batch. Each failed batch settles at least one
 * member, so the queue always drains. Members sharing a key never share a batch, and a later member on a
 * key waits for the earlier one to finish, so per-key order is arrival order. A one-member batch is the
 * plain transaction (no failure branch). A rejected send rejects every member of that batch with the error:
 * the outcome of each is unknown, exactly as for a single transaction.
 */
export function createEtcdGroupCommit(options: EtcdGroupCommitOptions): EtcdGroupCommit {
  let maxOperations = options.maxOperations ?? maxTransactionOperations;
  let maxBatchBytes = options.maxBatchBytes ?? 512 * 1024;
  const isRefusedBeforeApply = options.isRefusedBeforeApply ?? (() => false);
  const maxInFlightBatches = options.maxInFlightBatches ?? 2;
  let queue: Member[] = [];
  /** Keys of members that are in flight; a later member on such a key waits for the next batch. */
  const busy = new Set<string>();
  let inFlight = 0;
  let scheduled = false;

  const settle = (member: Member): void => {
    member.state = settled;
    if (member.onAbort !== undefined) member.signal?.removeEventListener('abort', member.onAbort);
  };

  /** `soon`: leave after the current microtasks (an idle store); else at the end of the event-loop turn. */
  const schedule = (soon: boolean): void => {
    if (scheduled || queue.length === 0 || inFlight >= maxInFlightBatches) return;
    scheduled = true;
    // Idle (a submit with nothing in flight): leave at once, so a lone call pays no wait and concurrent
    // replicas race as they did without batching (payments-replicas.test.ts: waiting for the turn's end
    // here skewed which replica wins a replayed payment). Busy (a batch returned, or others are in flight):
    // setImmediate, so the returned members' next writes and every request the poll phase delivers in this
    // turn join the batch (leaving at once whenever below the cap measured ~10-14 % more CPU per paid call).
    if (soon) queueMicrotask(flush);
    else setImmediate(flush);
  };

  /** Takes the next batch off the queue, in arrival order, within the op and byte caps. */
  const takeBatch = (): Member[] => {
    const batch: Member[] = [];
    const rest: Member[] = [];
    const taken = new Set<string>();
    let compares = 0;
    let successOps = 0;
    let failureOps = 0;
    let bytes = 0;
    let full = false;
    for (const member of queue) {
      if (member.state !== queued) continue;
      if (member.signal?.aborted === true) {
        settle(member);
        member.reject(cancelledError(member.signal));
        continue;
      }
      const blocked = member.keys.some((key) => busy.has(key) || taken.has(key));
      const fits =
        batch.length === 0 ||
        (!member.alone &&
          batch[0]?.alone !== true &&
          compares + member.compare.length <= maxOperations &&
          successOps + member.success.length <= maxOperations &&
          failureOps + member.ranges.length <= maxOperations &&
          bytes + member.bytes <= maxBatchBytes);
      if (full || blocked || !fits) {
        rest.push(member);
        // Later members on these keys must not overtake this one.
        for (const key of member.keys) taken.add(key);
        if (!blocked) full = true;
        continue;
      }
      batch.push(member);
      for (const key of member.keys) taken.add(key);
      compares += member.compare.length;
      successOps += member.success.length;
      failureOps += member.ranges.length;
      bytes += member.bytes;
    }
    queue = rest;
    return batch;
  };

  const finish = (batch: readonly Member[]): void => {
    inFlight--;
    for (const member of batch) for (const key of member.keys) busy.delete(key);
    schedule(false);
  };

  const dispatch = (batch: Member[]): void => {
    inFlight++;
    const startedAt = options.onRoundTrip === undefined ? 0 : performance.now();
    for (const member of batch) {
      member.state = sent;
      for (const key of member.keys) busy.add(key);
    }
    const only = batch.length === 1 ? batch[0] : undefined;
    const request: EtcdTxnRequest =
      only !== undefined
        ? { compare: only.compare, success: only.success, failure: [] }
        : {
            compare: batch.flatMap((member) => member.compare),
            success: batch.flatMap((member) => member.success),
            failure: batch.flatMap((member) => member.ranges),
          };
    const rejectUnsettled = (error: unknown): void => {
      for (const member of batch) {
        if (member.state !== sent) continue;
        settle(member);
        member.reject(error);
      }
    };
    const onResponse = (response: Pick<ITxnResponse, 'succeeded' | 'responses'>): void => {
      options.onRoundTrip?.((performance.now() - startedAt) / 1000, true);
      if (response.succeeded || only !== undefined) {
        for (const member of batch) {
          settle(member);
          member.resolve(response.succeeded);
        }
        return;
      }
      const rangeCount = request.failure.length;
      if (response.responses.length !== rangeCount) {
        rejectUnsettled(new Error(`etcd answered ${response.responses.length} reads for the ${rangeCount} of a failed batch`));
        return;
      }
      const snapshot = new Map<string, IKeyValue | undefined>();
      let index = 0;
      for (const member of batch) {
        for (const key of member.rangeKeys) snapshot.set(key, response.responses[index++]?.response_range.kvs[0]);
      }
      const retry: Member[] = [];
      for (const member of batch) {
        if (member.conditions.every((condition) => conditionHolds(condition, snapshot.get(condition.key)))) {
          retry.push(member);
        } else {
          settle(member);
          member.resolve(false);
        }
      }
      // etcd said a compare failed, but every member's conditions held in its snapshot: should not
      // happen; sending each alone next time still gives every member etcd's own answer, and ends.
      if (retry.length === batch.length) for (const member of retry) member.alone = true;
      for (const member of retry) member.state = queued;
      queue = [...retry, ...queue];
    };
    const onError = (error: unknown): void => {
      const refused = isRefusedBeforeApply(error);
      options.onRoundTrip?.((performance.now() - startedAt) / 1000, refused);
      if (batch.length === 1 || !refused) {
        rejectUnsettled(error);
        return;
      }
      // Nothing was applied: halve the caps below this batch and send its members again, in order.
      const ops = Math.max(request.compare.length, request.success.length, request.failure.length);
      const batchBytes = batch.reduce((sum, member) => sum + member.bytes, 0);
      maxOperations = Math.max(1, Math.min(maxOperations, Math.floor(ops / 2)));
      maxBatchBytes = Math.max(1, Math.min(maxBatchBytes, Math.floor(batchBytes / 2)));
      options.onLimitsLowered?.({ maxOperations, maxBatchBytes });
      for (const member of batch) member.state = queued;
      queue = [...batch, ...queue];
    };
    options
      .send(request)
      .then(onResponse, onError)
      // A bug in onResponse must not leave members hanging.
      .catch(rejectUnsettled)
      .finally(() => finish(batch));
  };

  const flush = (): void => {
    scheduled = false;
    while (inFlight < maxInFlightBatches) {
      const batch = takeBatch();
      if (batch.length === 0) return;
      dispatch(batch);
    }
  };

  /** Queues a member made of `request` and watches its signal; resolves with the member's outcome. */
  const enqueue = (request: MemberRequest, signal: AbortSignal | undefined): Promise<boolean> => {
    if (signal?.aborted === true) return Promise.reject(cancelledError(signal));
    return new Promise<boolean>((resolve, reject) => {
      const member: Member = { ...request, signal, resolve, reject, state: queued, alone: false, onAbort: undefined };
      if (signal !== undefined) {
        member.onAbort = () => {
          if (member.state !== queued) return;
          settle(member);
          reject(cancelledError(signal));
        };
        signal.addEventListener('abort', member.onAbort, { once: true });
      }
      queue.push(member);
      schedule(inFlight === 0);
    });
  };

  return {
    submitCompareAndSwap(key, keyBytes, expected, next, signal) {
      const condition: StoreCondition = expected === undefined ? { kind: 'absent', key } : { kind: 'equals', key, value: expected };
      const keys = [key];
      return enqueue(
        {
          conditions: [condition],
          keys,
          compare: [toEtcdCompare(condition, keyBytes)],
          success: [{ request_put: { key: keyBytes, value: Buffer.from(next) } }],
          ranges: [{ request_range: { key: keyBytes } }],
          rangeKeys: keys,
          // As `submit` counts it: the compared key twice and its value (or 8), the put key and value.
          bytes: 3 * keyBytes.length + (expected === undefined ? 8 : expected.length) + next.length,
        },
        signal,
      );
    },
    submit(conditions, operations, signal) {
      const keys = new Set<string>();
      const compare: ICompare[] = [];
      const ranges: IRequestOp[] = [];
      const rangeKeys: string[] = [];
      let bytes = 0;
      for (const condition of conditions) {
        const key = keyBuffer(condition.key);
        compare.push(toEtcdCompare(condition, key));
        bytes += 2 * key.length + (condition.kind === 'equals' ? condition.value.length : 8);
        if (!keys.has(condition.key)) {
          keys.add(condition.key);
          rangeKeys.push(condition.key);
          ranges.push({ request_range: { key } });
        }
      }
      const success = operations.map(toEtcdRequestOp);
      for (const operation of operations) {
        keys.add(operation.key);
        bytes += Buffer.byteLength(operation.key) + (operation.kind === 'put' ? operation.value.length : 0);
      }
      return enqueue({ conditions, keys: [...keys], compare, success, ranges, rangeKeys, bytes }, signal);
    },
    get queued() {
      return queue.filter((member) => member.state === queued).length;
    },
    get inFlightBatches() {
      return inFlight;
    },
  };
}
