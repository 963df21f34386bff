// Unit tests of the batching logic with a fake etcd KV (the real etcd runs in
// test/integration/storage-etcd-group-commit.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { IKeyValue, IRequestOp, IResponseOp } from 'etcd3';
import { isSnetError } from '../errors/index.ts';
import { createEtcdGroupCommit } from './etcd-group-commit.ts';
import type { EtcdTxnRequest, EtcdTxnSender } from './etcd-group-commit.ts';
import type { StoreCondition, StoreOperation } from './atomic-store.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/**
 * A fake etcd KV: evaluates compares, applies the success or failure branch at one revision, and refuses
 * what etcd refuses (more than 128 compares / ops per branch, a key put or deleted twice in one branch).
 */
function createFakeEtcd(maxTxnOps = 128) {
  const data = new Map<string, { value: Buffer; mod: number; create: number }>();
  let revision = 1;
  const requests: EtcdTxnRequest[] = [];
  let hold: Promise<void> | undefined;
  const kvOf = (key: string): IKeyValue | undefined => {
    const entry = data.get(key);
    return entry === undefined
      ? undefined
      : ({ key: Buffer.from(key), value: entry.value, mod_revision: String(entry.mod), create_revision: String(entry.create) } as unknown as IKeyValue);
  };
  const send: EtcdTxnSender = async (request) => {
    requests.push(request);
    if (hold !== undefined) await hold;
    await new Promise((resolve) => setImmediate(resolve));
    for (const list of [request.compare, request.success, request.failure]) {
      if (list.length > maxTxnOps) throw new Error('etcdserver: too many operations in txn request');
    }
    for (const branch of [request.success, request.failure]) {
      const written = new Set<string>();
      for (const op of branch) {
        const key = (op.request_put?.key ?? op.request_delete_range?.key)?.toString();
        if (key === undefined) continue;
        if (written.has(key)) throw new Error('etcdserver: duplicate key given in txn request');
        written.add(key);
      }
    }
    const succeeded = request.compare.every((compare) => {
      const entry = data.get(String(compare.key));
      if (compare.target === 'Value') return entry !== undefined && Buffer.compare(entry.value, compare.value as Buffer) === 0;
      if (compare.target === 'Create') return (entry?.create ?? 0) === Number(compare.create_revision);
      if (compare.target === 'Mod') return (entry?.mod ?? 0) === Number(compare.mod_revision);
      throw new Error(`fake etcd: compare target ${String(compare.target)}`);
    });
    const branch = succeeded ? request.success : request.failure;
    const writes = branch.some((op: IRequestOp) => op.request_put !== undefined || op.request_delete_range !== undefined);
    if (writes) revision++;
    const responses = branch.map((op) => {
      if (op.request_range !== undefined) {
        const kv = kvOf(String(op.request_range.key));
        return { response_range: { kvs: kv === undefined ? [] : [kv] } } as unknown as IResponseOp;
      }
      if (op.request_put !== undefined) {
        const key = String(op.request_put.key);
        data.set(key, { value: Buffer.from(op.request_put.value as Buffer), mod: revision, create: data.get(key)?.create ?? revision });
      } else if (op.request_delete_range !== undefined) {
        data.delete(String(op.request_delete_range.key));
      }
      return {} as IResponseOp;
    });
    return { succeeded, responses };
  };
  return {
    send,
    requests,
    data,
    value: (key: string): string | undefined => data.get(key)?.value.toString(),
    version: (key: string): bigint | undefined => {
      const mod = data.get(key)?.mod;
      return mod === undefined ? undefined : BigInt(mod);
    },
    /** Holds every request until the returned function is called. */
    pause(): () => void {
      let release = (): void => undefined;
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

const cas = (key: string, expected: string | undefined, next: string): [StoreCondition[], StoreOperation[]] => [
  [expected === undefined ? { kind: 'absent', key } : { kind: 'equals', key, value: bytes(expected) }],
  [{ kind: 'put', key, value: bytes(next) }],
];

describe('createEtcdGroupCommit()', () => {
  it('behavior: transactions submitted in one turn leave as one Txn and all apply', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => group.submit(...cas(`k${i}`, undefined, `v${i}`))));
    assert.deepEqual(results, Array(20).fill(true));
    assert.equal(etcd.requests.length, 1);
    assert.equal(etcd.requests[0]?.compare.length, 20);
    for (let i = 0; i < 20; i++) assert.equal(etcd.value(`k${i}`), `v${i}`);
    assert.equal(new Set(Array.from({ length: 20 }, (_, i) => etcd.version(`k${i}`))).size, 1, 'one revision for the batch');
  });

  it('behavior: with nothing in flight, a lone transaction leaves without waiting for the event-loop turn', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send });
    const pending = group.submit(...cas('a', undefined, '1'));
    await Promise.resolve();
    assert.equal(etcd.requests.length, 1, 'sent before any setImmediate ran');
    assert.equal(await pending, true);
  });

  it('behavior: onRoundTrip is told once per request sent, not per member, and about a failed send', async () => {
    const etcd = createFakeEtcd();
    const trips: boolean[] = [];
    let fail = false;
    const group = createEtcdGroupCommit({ send: (request) => (fail ? Promise.reject(new Error('connection refused')) : etcd.send(request)), onRoundTrip: (seconds, ok) => (assert.ok(seconds >= 0), trips.push(ok)) });
    await Promise.all(Array.from({ length: 5 }, (_, i) => group.submit(...cas(`k${i}`, undefined, 'v'))));
    assert.deepEqual(trips, [true]);
    fail = true;
    await assert.rejects(group.submit(...cas('k9', undefined, 'v')), /connection refused/);
    assert.deepEqual(trips, [true, false]);
  });

  it('behavior: a single transaction is sent as itself, without failure reads', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send });
    assert.equal(await group.submit(...cas('a', 'x', 'y')), false);
    assert.deepEqual(etcd.requests[0]?.failure, []);
    assert.equal(etcd.value('a'), undefined);
  });

  it('behavior: in a failed batch each member gets its own answer; the holding ones are re-sent', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send });
    await Promise.all([group.submit(...cas('a', undefined, '1')), group.submit(...cas('b', undefined, '1'))]);
    const version = etcd.version('b');
    assert.ok(version !== undefined);
    etcd.requests.length = 0;
    const results = await Promise.all([
      group.submit(...cas('a', '1', '2')), // holds
      group.submit(...cas('b', 'wrong', '2')), // fails
      group.submit(...cas('c', undefined, '1')), // holds
      group.submit(...cas('a2', 'missing', '1')), // fails: absent key
      group.submit([{ kind: 'version', key: 'b', version }], [{ kind: 'delete', key: 'gone' }]), // waits for b, then holds
      group.submit([], [{ kind: 'put', key: 'd', value: bytes('put') }]), // no conditions: holds
    ]);
    // Member 5 compares `b`, which member 2 also compares: it waits for the next batch and then holds.
    assert.deepEqual(results, [true, false, true, false, true, true]);
    assert.equal(etcd.value('a'), '2');
    assert.equal(etcd.value('b'), '1');
    assert.equal(etcd.value('c'), '1');
    assert.equal(etcd.value('a2'), undefined);
    assert.equal(etcd.value('d'), 'put');
    // First batch: every member but the one sharing key b (the unconditional put has no compare).
    assert.equal(etcd.requests[0]?.success.length, 5);
    assert.equal(etcd.requests[0]?.compare.length, 4);
    assert.equal(etcd.requests[0]?.failure.length, 4, 'a range read per compared key');
    // Second batch: the three holding members again, plus the one that waited for b.
    assert.equal(etcd.requests[1]?.success.length, 4);
    assert.equal(etcd.requests.length, 2);
  });

  it('behavior: members on the same key never share a batch and run in arrival order', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send, maxInFlightBatches: 4 });
    const results = await Promise.all([
      group.submit(...cas('k', undefined, '1')),
      group.submit(...cas('k', '1', '2')),
      group.submit(...cas('other', undefined, 'x')),
      group.submit(...cas('k', '2', '3')),
      group.submit(...cas('k', '1', 'late')),
    ]);
    assert.deepEqual(results, [true, true, true, true, false]);
    assert.equal(etcd.value('k'), '3');
    for (const request of etcd.requests) {
      const keys = request.success.map((op) => String(op.request_put?.key));
      assert.equal(new Set(keys).size, keys.length, 'no key twice in one Txn');
    }
  });

  it('behavior: a batch above the op limit is split', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send, maxInFlightBatches: 8 });
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => group.submit(...cas(`k${i}`, undefined, 'v'))));
    assert.ok(results.every(Boolean));
    assert.deepEqual(
      etcd.requests.map((request) => request.compare.length),
      [128, 128, 44],
    );
  });

  it('behavior: a batch etcd refuses before applying (lower --max-txn-ops) is re-sent in smaller batches', async () => {
    const etcd = createFakeEtcd(16);
    const lowered: number[] = [];
    const group = createEtcdGroupCommit({
      send: etcd.send,
      maxInFlightBatches: 8,
      isRefusedBeforeApply: (error) => error instanceof Error && error.message.includes('too many operations'),
      onLimitsLowered: (limits) => lowered.push(limits.maxOperations),
    });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => group.submit(...cas(`k${i}`, undefined, `v${i}`))));
    assert.ok(results.every(Boolean));
    for (let i = 0; i < 100; i++) assert.equal(etcd.value(`k${i}`), `v${i}`);
    assert.ok(lowered.length > 0 && lowered.every((limit) => limit < 128));
    const accepted = etcd.requests.filter((request) => request.compare.length <= 16).reduce((sum, request) => sum + request.compare.length, 0);
    assert.equal(accepted, 100, 'every member was applied exactly once, in accepted batches');
  });

  it('error: a one-member transaction etcd refuses still rejects', async () => {
    const etcd = createFakeEtcd(1);
    const group = createEtcdGroupCommit({ send: etcd.send, isRefusedBeforeApply: () => true });
    await assert.rejects(
      group.submit([], [
        { kind: 'put', key: 'a', value: bytes('1') },
        { kind: 'put', key: 'b', value: bytes('1') },
      ]),
      /too many operations/,
    );
    assert.equal(etcd.value('a'), undefined);
  });

  it('behavior: the byte cap splits batches; an oversized member goes alone', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send, maxBatchBytes: 1000, maxInFlightBatches: 8 });
    const big = new Uint8Array(2000);
    const results = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => group.submit([], [{ kind: 'put', key: `small${i}`, value: new Uint8Array(300) }])),
      group.submit([], [{ kind: 'put', key: 'big', value: big }]),
    ]);
    assert.ok(results.every(Boolean));
    assert.deepEqual(
      etcd.requests.map((request) => request.success.length),
      [3, 1, 1],
    );
  });

  it('behavior: while batches are in flight, new members queue and leave together', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send, maxInFlightBatches: 1 });
    const release = etcd.pause();
    const first = group.submit(...cas('first', undefined, '1'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(group.inFlightBatches, 1);
    const later = Array.from({ length: 5 }, (_, i) => group.submit(...cas(`later${i}`, undefined, '1')));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(group.queued, 5);
    release();
    assert.equal(await first, true);
    assert.deepEqual(await Promise.all(later), Array(5).fill(true));
    assert.deepEqual(
      etcd.requests.map((request) => request.compare.length),
      [1, 5],
    );
  });

  it('error: a failed send rejects every member of that batch with the error', async () => {
    const failure = new Error('connection reset');
    const group = createEtcdGroupCommit({ send: () => Promise.reject(failure) });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => group.submit(...cas(`k${i}`, undefined, 'v'))));
    for (const result of results) assert.deepEqual(result, { status: 'rejected', reason: failure });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(group.inFlightBatches, 0);
    assert.equal(group.queued, 0);
  });

  it('error: a member whose signal aborts before dispatch rejects with REQUEST_CANCELLED and is never sent', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send, maxInFlightBatches: 1 });
    const release = etcd.pause();
    const first = group.submit(...cas('first', undefined, '1'));
    await new Promise((resolve) => setImmediate(resolve));
    const controller = new AbortController();
    const cancelled = group.submit(...cas('cancelled', undefined, '1'), controller.signal);
    const kept = group.submit(...cas('kept', undefined, '1'));
    const already = new AbortController();
    already.abort();
    await assert.rejects(group.submit(...cas('never', undefined, '1'), already.signal), (error: unknown) => isSnetError(error, 'REQUEST_CANCELLED'));
    controller.abort();
    await assert.rejects(cancelled, (error: unknown) => isSnetError(error, 'REQUEST_CANCELLED'));
    release();
    assert.equal(await first, true);
    assert.equal(await kept, true);
    const sentKeys = etcd.requests.flatMap((request) => request.compare.map((compare) => String(compare.key)));
    assert.deepEqual(sentKeys, ['first', 'kept']);
    assert.equal(etcd.value('cancelled'), undefined);
  });

  it('behavior: an abort after dispatch does not abandon the member (outcome stays known)', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send });
    const release = etcd.pause();
    const controller = new AbortController();
    const pending = group.submit(...cas('k', undefined, '1'), controller.signal);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    release();
    assert.equal(await pending, true);
    assert.equal(etcd.value('k'), '1');
  });

  it('behavior: random concurrent CAS chains end in the state a sequential replay of the winners gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }), fc.integer({ min: 0, max: 4 })), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 4 }),
        async (ops, maxInFlightBatches) => {
          const etcd = createFakeEtcd();
          const group = createEtcdGroupCommit({ send: etcd.send, maxInFlightBatches });
          const calls = ops.map(([k, expected, next]) =>
            group.submit(...cas(`k${k}`, expected === undefined ? undefined : String(expected), String(next))),
          );
          const results = await Promise.all(calls);
          // Per key, members run in submission order: replaying them in that order must agree with every answer.
          const state = new Map<string, string>();
          ops.forEach(([k, expected, next], i) => {
            const key = `k${k}`;
            const holds = state.get(key) === (expected === undefined ? undefined : String(expected));
            assert.equal(results[i], holds, `member ${i}`);
            if (holds) state.set(key, String(next));
          });
          for (let k = 0; k < 4; k++) assert.equal(etcd.value(`k${k}`), state.get(`k${k}`));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('behavior: submitCompareAndSwap sends the requests submit sends and gets the same answers (mixed with submit)', async () => {
    // The same CAS script through both entry points, interleaved with generic members; requests compared field
    // by field (keys and values as bytes), answers and final data compared.
    type Step = readonly [key: string, expected: string | undefined, next: string];
    const steps: Step[] = [
      ['a', undefined, '1'],
      ['b', undefined, '1'],
      ['a', '1', '2'],
      ['b', 'wrong', '2'],
      ['c', undefined, 'x'],
      ['a', '2', '3'],
      ['a', '1', 'late'],
      ['c', undefined, 'again'],
    ];
    const run = async (fast: boolean) => {
      const etcd = createFakeEtcd();
      const group = createEtcdGroupCommit({ send: etcd.send, maxInFlightBatches: 2 });
      const answers = await Promise.all([
        ...steps.map(([key, expected, next]) =>
          fast
            ? group.submitCompareAndSwap(key, Buffer.from(key), expected === undefined ? undefined : bytes(expected), bytes(next))
            : group.submit(...cas(key, expected, next)),
        ),
        group.submit([], [{ kind: 'put', key: 'plain', value: bytes('p') }]),
      ]);
      const requests = etcd.requests.map((request) => JSON.stringify(request, (_key, value: unknown) => (Buffer.isBuffer(value) ? value.toString('hex') : value)));
      return { answers, requests, data: [...etcd.data.keys()].sort().map((key) => `${key}=${etcd.value(key)}`) };
    };
    const generic = await run(false);
    const fast = await run(true);
    assert.deepEqual(fast.answers, [true, true, true, false, true, true, false, false, undefined].map((a) => a ?? true));
    assert.deepEqual(fast, generic);
    // A shared batch whose compare failed was answered from its failure-branch reads (the path under test).
    assert.ok(generic.requests.some((request) => (JSON.parse(request) as EtcdTxnRequest).failure.length > 0));
  });

  it('behavior: submitCompareAndSwap copies the new value and honours a signal like submit', async () => {
    const etcd = createFakeEtcd();
    const group = createEtcdGroupCommit({ send: etcd.send });
    const next = bytes('v1');
    const pending = group.submitCompareAndSwap('k', Buffer.from('k'), undefined, next);
    next.fill(0);
    assert.equal(await pending, true);
    assert.equal(etcd.value('k'), 'v1');
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(group.submitCompareAndSwap('k', Buffer.from('k'), bytes('v1'), bytes('v2'), aborted.signal), (error: unknown) => isSnetError(error) && error.code === 'REQUEST_CANCELLED');
    // One batch in flight at a time: while `busy` is held at the fake etcd, `queued` waits in the queue.
    const single = createEtcdGroupCommit({ send: etcd.send, maxInFlightBatches: 1 });
    const release = etcd.pause();
    const busy = single.submitCompareAndSwap('busy', Buffer.from('busy'), undefined, bytes('1'));
    await new Promise((resolve) => setImmediate(resolve));
    const controller = new AbortController();
    const queued = single.submitCompareAndSwap('queued', Buffer.from('queued'), undefined, bytes('1'), controller.signal);
    controller.abort();
    release();
    await assert.rejects(queued, (error: unknown) => isSnetError(error) && error.code === 'REQUEST_CANCELLED');
    assert.equal(await busy, true);
    assert.equal(etcd.value('queued'), undefined);
    assert.equal(etcd.value('busy'), '1');
  });
});
