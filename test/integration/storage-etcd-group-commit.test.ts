// Group commit of the etcd store (src/storage/etcd-group-commit.ts) against a real etcd 3.4 member:
// batching itself (observed through a recording sender on a real etcd3 client), then through the store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Etcd3 } from 'etcd3';
import { createEtcdStore } from '../../src/storage/index.ts';
import type { AtomicStore } from '../../src/storage/index.ts';
import { createEtcdGroupCommit } from '../../src/storage/etcd-group-commit.ts';
import type { EtcdTxnRequest, EtcdTxnSender } from '../../src/storage/etcd-group-commit.ts';
import type { StoreCondition, StoreOperation } from '../../src/storage/atomic-store.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { isSnetError } from '../../src/errors/index.ts';
import { startEtcd } from '../harness/etcd.ts';
import type { TestEtcd } from '../harness/etcd.ts';

const logger = createSilentLogger();
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));
let etcd: TestEtcd | undefined;
let client: Etcd3 | undefined;
let space = 0;
/** A fresh key prefix of the shared member for each test. */
const prefix = (): string => `gc-${process.pid}-${space++}/`;

before(async () => {
  etcd = await startEtcd({ name: 'group-commit-it' });
  client = new Etcd3({ hosts: [etcd.endpoint] });
});
after(async () => {
  client?.close();
  await etcd?.stop();
});

/** The group commit on the real etcd, recording every Txn it sends. */
function recordedGroupCommit(options: { maxInFlightBatches?: number } = {}) {
  assert.ok(client !== undefined);
  const kv = client;
  const requests: EtcdTxnRequest[] = [];
  const send: EtcdTxnSender = (request) => {
    requests.push(request);
    return kv.kv.txn(request);
  };
  return { group: createEtcdGroupCommit({ send, ...options }), requests };
}

const cas = (key: string, expected: string | undefined, next: string): [StoreCondition[], StoreOperation[]] => [
  [expected === undefined ? { kind: 'absent', key } : { kind: 'equals', key, value: bytes(expected) }],
  [{ kind: 'put', key, value: bytes(next) }],
];

async function read(key: string): Promise<string | undefined> {
  assert.ok(client !== undefined);
  return (await client.get(key).buffer())?.toString() ?? undefined;
}

describe('etcd group commit on a real etcd', () => {
  it('behavior: 300 concurrent CAS on distinct keys all succeed and land, in batches of at most 128', async () => {
    const p = prefix();
    const { group, requests } = recordedGroupCommit();
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => group.submit(...cas(`${p}${i}`, undefined, `v${i}`))));
    assert.ok(results.every(Boolean));
    for (let i = 0; i < 300; i++) assert.equal(await read(`${p}${i}`), `v${i}`);
    const sizes = requests.map((request) => request.compare.length);
    assert.ok(Math.max(...sizes) <= 128, `batch sizes ${sizes.join(',')}`);
    assert.ok(sizes.length < 300 && sizes.some((size) => size === 128), `batches were formed: ${sizes.join(',')}`);
  });

  it('behavior: a batch where some compares fail gives each member its own answer', async () => {
    const p = prefix();
    const { group, requests } = recordedGroupCommit();
    await Promise.all([0, 1, 2, 3, 4, 5].map((i) => group.submit(...cas(`${p}${i}`, undefined, 'old'))));
    requests.length = 0;
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => group.submit(...cas(`${p}${i}`, i % 2 === 0 ? 'old' : 'stale', 'new'))));
    assert.deepEqual(results, [true, false, true, false, true, false]);
    for (const i of [0, 1, 2, 3, 4, 5]) assert.equal(await read(`${p}${i}`), i % 2 === 0 ? 'new' : 'old');
    assert.equal(requests[0]?.compare.length, 6, 'all six were sent as one Txn, which etcd failed');
    assert.equal(requests[1]?.compare.length, 3, 'the three holding members were re-sent together');
    assert.equal(requests.length, 2);
  });

  it('behavior: concurrent CAS on one key: exactly one winner per expected value, never two in one Txn', async () => {
    const p = prefix();
    const { group, requests } = recordedGroupCommit({ maxInFlightBatches: 4 });
    const key = `${p}hot`;
    assert.equal(await group.submit(...cas(key, undefined, '0')), true);
    for (let round = 0; round < 5; round++) {
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => group.submit(...cas(key, String(round), `${round + 1}`.padEnd(i + 1, '.')))));
      assert.equal(results.filter(Boolean).length, 1, `round ${round}`);
      const winner = results.indexOf(true);
      assert.equal(await read(key), `${round + 1}`.padEnd(winner + 1, '.'));
      assert.equal(await group.submit(...cas(key, `${round + 1}`.padEnd(winner + 1, '.'), String(round + 1))), true);
    }
    for (const request of requests) assert.ok(request.success.length <= 1, 'a key is never written twice in one Txn');
  });

  it('error: a member whose signal aborts before its batch leaves is never sent', async () => {
    const p = prefix();
    const { group, requests } = recordedGroupCommit({ maxInFlightBatches: 1 });
    const controller = new AbortController();
    const first = group.submit(...cas(`${p}first`, undefined, '1'));
    const cancelled = group.submit(...cas(`${p}cancelled`, undefined, '1'), controller.signal);
    const kept = group.submit(...cas(`${p}kept`, undefined, '1'));
    controller.abort();
    await assert.rejects(cancelled, (error: unknown) => isSnetError(error, 'REQUEST_CANCELLED'));
    assert.deepEqual(await Promise.all([first, kept]), [true, true]);
    const sent = requests.flatMap((request) => request.compare.map((compare) => String(compare.key)));
    assert.ok(!sent.includes(`${p}cancelled`));
    assert.equal(await read(`${p}cancelled`), undefined);
    assert.equal(await read(`${p}kept`), '1');
  });
});

describe('etcd store with group commit', () => {
  let stores: AtomicStore[] = [];
  before(async () => {
    assert.ok(etcd !== undefined);
    stores = [
      await createEtcdStore({ endpoints: [etcd.endpoint], logger }),
      await createEtcdStore({ endpoints: [etcd.endpoint], logger }),
    ];
  });
  after(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  it('behavior: many concurrent writes of every kind on distinct keys land', async () => {
    const p = prefix();
    const [store] = stores;
    assert.ok(store !== undefined);
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.put(`${p}put/${i}`, bytes(`${i}`))));
    const swapped = await Promise.all(Array.from({ length: 100 }, (_, i) => store.compareAndSwap(`${p}put/${i}`, bytes(`${i}`), bytes(`${i}+`))));
    const claimed = await Promise.all(Array.from({ length: 100 }, (_, i) => store.putIfAbsent(`${p}new/${i}`, bytes('x'))));
    assert.ok(swapped.every(Boolean) && claimed.every(Boolean));
    const entries = await store.getByPrefix(p);
    assert.equal(entries.length, 200);
    for (const entry of entries) assert.equal(text(entry.value), entry.key.includes('/put/') ? `${entry.key.split('/').at(-1)}+` : 'x');
  });

  it('behavior: random concurrent CAS chains from two stores end in the state a sequential replay of the winners gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Per worker: a list of (key index, use a stale expected value?).
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.boolean()), { minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 10 }),
        async (workers) => {
          const p = prefix();
          const keys = [0, 1, 2].map((k) => `${p}k${k}`);
          const winners: { key: string; expected: string | undefined; next: string }[] = [];
          await Promise.all(
            workers.map(async (plan, w) => {
              const store = stores[w % 2];
              assert.ok(store !== undefined);
              for (const [step, [k, stale]] of plan.entries()) {
                const key = keys[k] ?? '';
                const seen = text(await store.get(key));
                const expected = stale ? `stale-${w}` : seen;
                const next = `w${w}s${step}`;
                const ok = await store.compareAndSwap(key, expected === undefined ? undefined : bytes(expected), bytes(next));
                if (ok) winners.push({ key, expected, next });
              }
            }),
          );
          // Values are unique, so each key's winners form one chain from "absent" to the stored value.
          for (const key of keys) {
            const mine = winners.filter((winner) => winner.key === key);
            let state: string | undefined;
            for (let applied = 0; applied < mine.length; applied++) {
              const next = mine.find((winner) => winner.expected === state);
              assert.ok(next !== undefined, `no winner continues ${key} from ${String(state)}`);
              state = next.next;
            }
            assert.equal(text(await stores[0]?.get(key)), state, key);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('etcd store with group commit: etcd stops mid-batch', () => {
  let own: TestEtcd | undefined;
  after(async () => {
    const pid = own?.supervisor.pid;
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
    await own?.stop();
  });

  it('error: every member of an in-flight batch rejects with STORAGE_TIMEOUT / STORAGE_UNAVAILABLE; nothing hangs', async () => {
    own = await startEtcd({ name: 'group-commit-frozen' });
    const store = await createEtcdStore({ endpoints: [own.endpoint], requestTimeoutMs: 1000, logger });
    try {
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.put(`frozen/${i}`, bytes('old'))));
      const pid = own.supervisor.pid;
      assert.ok(pid !== undefined);
      // Frozen, not dead: the batch is written to etcd's socket and never answered.
      process.kill(pid, 'SIGSTOP');
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => store.compareAndSwap(`frozen/${i}`, bytes('old'), bytes('new'))),
      );
      for (const [i, result] of results.entries()) {
        // The whole outcome in the message: a failure here must say what came back instead.
        assert.equal(result.status, 'rejected', `CAS ${i} of 40 resolved ${result.status === 'fulfilled' ? String(result.value) : ''} while etcd (pid ${pid}) was stopped`);
        const error: unknown = result.reason;
        assert.ok(isSnetError(error) && (error.code === 'STORAGE_TIMEOUT' || error.code === 'STORAGE_UNAVAILABLE'), String(error));
        assert.match(error.message, /may or may not have been applied/);
      }
      process.kill(pid, 'SIGCONT');
      // Outcome unknown, but atomic per batch: once etcd runs again each key holds the old or the new value.
      const deadline = Date.now() + 20_000;
      let values: (string | undefined)[] | undefined;
      while (values === undefined && Date.now() < deadline) {
        values = await Promise.all(Array.from({ length: 40 }, (_, i) => store.get(`frozen/${i}`))).then(
          (found) => found.map(text),
          () => undefined,
        );
        if (values === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(values !== undefined, 'etcd did not answer again within 20 s');
      for (const value of values) assert.ok(value === 'old' || value === 'new', String(value));
    } finally {
      await store.close();
    }
  });
});

describe('etcd store with group commit: a cluster with a lower --max-txn-ops', () => {
  let small: TestEtcd | undefined;
  after(async () => {
    await small?.stop();
  });

  it('behavior: refused batches are re-sent smaller; every write lands once and the store logs why', async () => {
    // etcd reads its flags from ETCD_* variables too; the member inherits this process's environment.
    process.env['ETCD_MAX_TXN_OPS'] = '16';
    try {
      small = await startEtcd({ name: 'group-commit-small-txn' });
    } finally {
      delete process.env['ETCD_MAX_TXN_OPS'];
    }
    const warnings: object[] = [];
    const recording = { ...logger, child: () => recording, warn: (obj: object) => void warnings.push(obj) };
    const store = await createEtcdStore({ endpoints: [small.endpoint], logger: recording });
    try {
      const tooBig = Array.from({ length: 17 }, (_, i) => ({ kind: 'put' as const, key: `alone/${i}`, value: bytes('x') }));
      await assert.rejects(store.transaction([], tooBig), (error: unknown) => isSnetError(error, 'STORAGE_UNAVAILABLE'), 'a single transaction above the limit is still refused');
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.putIfAbsent(`small/${i}`, bytes(String(i)))));
      assert.ok(results.every(Boolean));
      const entries = await store.getByPrefix('small/');
      assert.equal(entries.length, 100);
      for (const entry of entries) assert.equal(`small/${text(entry.value)}`, entry.key);
      assert.ok(warnings.length > 0, 'the lowered caps were logged');
    } finally {
      await store.close();
    }
  });
});
