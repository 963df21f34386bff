// The behavioural contract of AtomicStore, run against every backend (memory, LMDB, etcd).
// Production code never imports this folder (dependency-cruiser rule `production-never-imports-tests`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSnetError } from '../../errors/index.ts';
import type { ErrorCode } from '../../errors/index.ts';
import type { AtomicStore } from '../atomic-store.ts';

/** A store under test and how to dispose of it. */
export interface StoreUnderTest {
  readonly store: AtomicStore;
  /** Closes everything `create` opened; afterwards `store` calls fail with STORAGE_CLOSED. */
  readonly close: () => Promise<void>;
}

/** Options of {@link runAtomicStoreContract}. */
export interface AtomicStoreContractOptions {
  /** Shown in the test names. */
  readonly name: string;
  /** A fresh, empty store (or an empty key space of a shared one). */
  readonly create: () => Promise<StoreUnderTest>;
  /** A short lock TTL the backend honours (etcd rounds up to its minimum lease TTL). */
  readonly lockTtlMs: number;
  /** Upper bound for waiting until an abandoned lock expires. */
  readonly lockExpiryBoundMs: number;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);

async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isSnetError(error), `expected an SnetError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

async function pollUntil<T>(boundMs: number, attempt: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Defines the `node:test` suite that pins the {@link AtomicStore} semantics for one backend. */
export function runAtomicStoreContract(options: AtomicStoreContractOptions): void {
  describe(`AtomicStore contract: ${options.name}`, () => {
    let current: StoreUnderTest | undefined;
    const fresh = async (): Promise<AtomicStore> => {
      await current?.close();
      current = await options.create();
      return current.store;
    };
    before(async () => {
      await fresh();
    });
    after(async () => {
      await current?.close();
    });

    it('behavior: get of an absent key is undefined; put then get returns the bytes', async () => {
      const store = await fresh();
      assert.equal(await store.get('a'), undefined);
      assert.equal(await store.getEntry('a'), undefined);
      await store.put('a', bytes('one'));
      assert.equal(text(await store.get('a')), 'one');
      await store.put('a', bytes('two'));
      assert.equal(text(await store.get('a')), 'two');
      await store.put('empty', new Uint8Array());
      assert.deepEqual(await store.get('empty'), new Uint8Array());
    });

    it('behavior: every write gives the key a higher version, also after delete and re-create', async () => {
      const store = await fresh();
      await store.put('v', bytes('1'));
      const first = await store.getEntry('v');
      await store.put('v', bytes('1'));
      const second = await store.getEntry('v');
      assert.ok(first !== undefined && second !== undefined);
      assert.ok(second.version > first.version);
      assert.equal(second.leased, false);
      assert.equal(await store.delete('v'), true);
      await store.put('v', bytes('1'));
      const third = await store.getEntry('v');
      assert.ok(third !== undefined && third.version > second.version);
    });

    it('behavior: stored bytes are isolated from the caller’s buffers', async () => {
      const store = await fresh();
      const input = bytes('abc');
      await store.put('iso', input);
      input[0] = 0x7a;
      const read = await store.get('iso');
      assert.equal(text(read), 'abc');
      if (read !== undefined) read[0] = 0x7a;
      assert.equal(text(await store.get('iso')), 'abc');
    });

    it('behavior: putIfAbsent stores only once', async () => {
      const store = await fresh();
      assert.equal(await store.putIfAbsent('p', bytes('first')), true);
      assert.equal(await store.putIfAbsent('p', bytes('second')), false);
      assert.equal(text(await store.get('p')), 'first');
    });

    it('behavior: compareAndSwap swaps only on an exact byte match (undefined = absent)', async () => {
      const store = await fresh();
      assert.equal(await store.compareAndSwap('c', bytes('x'), bytes('y')), false);
      assert.equal(await store.get('c'), undefined);
      assert.equal(await store.compareAndSwap('c', undefined, bytes('1')), true);
      assert.equal(await store.compareAndSwap('c', undefined, bytes('2')), false);
      assert.equal(await store.compareAndSwap('c', bytes('1 '), bytes('2')), false);
      assert.equal(await store.compareAndSwap('c', bytes(''), bytes('2')), false);
      assert.equal(text(await store.get('c')), '1');
      assert.equal(await store.compareAndSwap('c', bytes('1'), bytes('2')), true);
      assert.equal(text(await store.get('c')), '2');
    });

    it('behavior: delete reports whether the key existed', async () => {
      const store = await fresh();
      assert.equal(await store.delete('d'), false);
      await store.put('d', bytes('x'));
      assert.equal(await store.delete('d'), true);
      assert.equal(await store.get('d'), undefined);
      assert.equal(await store.putIfAbsent('d', bytes('again')), true);
    });

    it('behavior: getByPrefix returns only the prefix, sorted by UTF-8 bytes', async () => {
      const store = await fresh();
      const keys = ['net/org/G+/=/b', 'net/org/G+/=/a', 'net/org/G+/=/ä', 'net/org/G+/=/\u{1F600}', 'net/org/G+/=/\uFFFD', 'net/org/G+', 'net/other'];
      for (const key of keys) await store.put(key, bytes(key));
      const found = await store.getByPrefix('net/org/G+/=/');
      assert.deepEqual(
        found.map((entry) => entry.key),
        ['net/org/G+/=/a', 'net/org/G+/=/b', 'net/org/G+/=/ä', 'net/org/G+/=/\uFFFD', 'net/org/G+/=/\u{1F600}'],
      );
      for (const entry of found) assert.equal(text(entry.value), entry.key);
      assert.equal((await store.getByPrefix('')).length, keys.length);
      assert.deepEqual(await store.getByPrefix('nothing/'), []);
    });

    it('behavior: a transaction applies all operations when every condition holds', async () => {
      const store = await fresh();
      await store.put('t/a', bytes('1'));
      await store.put('t/gone', bytes('x'));
      const entry = await store.getEntry('t/a');
      assert.ok(entry !== undefined);
      const ok = await store.transaction(
        [
          { kind: 'equals', key: 't/a', value: bytes('1') },
          { kind: 'absent', key: 't/b' },
          { kind: 'version', key: 't/a', version: entry.version },
        ],
        [
          { kind: 'put', key: 't/a', value: bytes('2') },
          { kind: 'put', key: 't/b', value: bytes('new') },
          { kind: 'delete', key: 't/gone' },
          { kind: 'delete', key: 't/never' },
        ],
      );
      assert.equal(ok, true);
      assert.equal(text(await store.get('t/a')), '2');
      assert.equal(text(await store.get('t/b')), 'new');
      assert.equal(await store.get('t/gone'), undefined);
      const a = await store.getEntry('t/a');
      const b = await store.getEntry('t/b');
      assert.ok(a !== undefined && b !== undefined);
      assert.equal(a.version, b.version, 'writes of one transaction share its revision');
    });

    it('behavior: a transaction with one failing condition changes nothing', async () => {
      const store = await fresh();
      await store.put('f/a', bytes('1'));
      const entry = await store.getEntry('f/a');
      assert.ok(entry !== undefined);
      await store.put('f/a', bytes('1'));
      const cases = [
        { kind: 'equals', key: 'f/a', value: bytes('2') },
        { kind: 'absent', key: 'f/a' },
        { kind: 'version', key: 'f/a', version: entry.version },
        { kind: 'version', key: 'f/missing', version: entry.version },
        { kind: 'equals', key: 'f/missing', value: bytes('') },
      ] as const;
      for (const failing of cases) {
        const ok = await store.transaction(
          [{ kind: 'absent', key: 'f/b' }, failing],
          [
            { kind: 'put', key: 'f/b', value: bytes('b') },
            { kind: 'delete', key: 'f/a' },
          ],
        );
        assert.equal(ok, false, `condition ${failing.kind} on ${failing.key} must fail`);
      }
      assert.equal(text(await store.get('f/a')), '1');
      assert.equal(await store.get('f/b'), undefined);
      assert.equal(await store.transaction([], [{ kind: 'put', key: 'f/c', value: bytes('c') }]), true);
      assert.equal(await store.transaction([{ kind: 'absent', key: 'f/none' }], []), true);
    });

    it('error: malformed calls reject with STORAGE_INVALID_ARGUMENT and change nothing', async () => {
      const store = await fresh();
      await rejectsWithCode(store.get(''), 'STORAGE_INVALID_ARGUMENT');
      await rejectsWithCode(store.put('', bytes('x')), 'STORAGE_INVALID_ARGUMENT');
      await rejectsWithCode(store.put('k'.repeat(5000), bytes('x')), 'STORAGE_INVALID_ARGUMENT');
      await rejectsWithCode(store.put('k', 'text' as unknown as Uint8Array), 'STORAGE_INVALID_ARGUMENT');
      await rejectsWithCode(
        store.transaction([], [
          { kind: 'put', key: 'dup', value: bytes('1') },
          { kind: 'delete', key: 'dup' },
        ]),
        'STORAGE_INVALID_ARGUMENT',
      );
      await rejectsWithCode(store.acquireLock('lock', 0), 'STORAGE_INVALID_ARGUMENT');
      assert.equal(await store.get('dup'), undefined);
      assert.equal(await store.get('k'), undefined);
    });

    it('error: an aborted signal rejects with REQUEST_CANCELLED before anything is sent', async () => {
      const store = await fresh();
      const controller = new AbortController();
      controller.abort();
      const signal = controller.signal;
      await rejectsWithCode(store.put('ab', bytes('x'), { signal }), 'REQUEST_CANCELLED');
      await rejectsWithCode(store.compareAndSwap('ab', undefined, bytes('x'), { signal }), 'REQUEST_CANCELLED');
      await rejectsWithCode(store.get('ab', { signal }), 'REQUEST_CANCELLED');
      assert.equal(await store.get('ab'), undefined);
    });

    it('behavior: concurrent CAS increments on one key lose no update', async () => {
      const store = await fresh();
      await store.put('counter', bytes('0'));
      const workers = 20;
      const incrementsEach = 3;
      let conflicts = 0;
      const worker = async (): Promise<void> => {
        for (let i = 0; i < incrementsEach; i++) {
          for (;;) {
            const seen = await store.get('counter');
            assert.ok(seen !== undefined);
            const next = bytes(String(Number(text(seen)) + 1));
            if (await store.compareAndSwap('counter', seen, next)) break;
            conflicts++;
          }
        }
      };
      await Promise.all(Array.from({ length: workers }, worker));
      assert.equal(text(await store.get('counter')), String(workers * incrementsEach));
      assert.ok(conflicts >= 0);
    });

    it('behavior: of many concurrent putIfAbsent calls on one key exactly one wins', async () => {
      const store = await fresh();
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => store.putIfAbsent('once', bytes(String(i)))));
      assert.equal(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true);
      assert.equal(text(await store.get('once')), String(winner));
    });

    it('behavior: a lock is exclusive until released; release and refresh report ownership', async () => {
      const store = await fresh();
      const lock = await store.acquireLock('locks/ch-1', 30_000);
      assert.ok(lock !== undefined);
      assert.equal(await store.acquireLock('locks/ch-1', 30_000), undefined);
      assert.deepEqual(await store.get('locks/ch-1'), lock.token);
      const listed = await store.getByPrefix('locks/');
      assert.equal(listed.length, 1);
      assert.equal(listed[0]?.leased, true);
      assert.equal(await lock.refresh(), true);
      assert.equal(await lock.release(), true);
      assert.equal(await lock.release(), false);
      assert.equal(await lock.refresh(), false);
      assert.equal(await store.get('locks/ch-1'), undefined);
      const again = await store.acquireLock('locks/ch-1', 30_000);
      assert.ok(again !== undefined);
      assert.notDeepEqual(again.token, lock.token);
      assert.equal(await lock.release(), false, 'an old handle cannot release a newer holder’s lock');
      assert.equal(await again.release(), true);
    });

    it('behavior: an abandoned lock expires by itself after its TTL', async () => {
      const store = await fresh();
      const abandoned = await store.acquireLock('locks/crashed', options.lockTtlMs);
      assert.ok(abandoned !== undefined);
      assert.equal(await store.acquireLock('locks/crashed', options.lockTtlMs), undefined);
      const next = await pollUntil(options.lockExpiryBoundMs, () => store.acquireLock('locks/crashed', 30_000));
      assert.ok(next !== undefined, `lock still held after ${options.lockExpiryBoundMs} ms`);
      assert.equal(await abandoned.refresh(), false);
      assert.equal(await abandoned.release(), false);
      assert.equal(await next.release(), true);
    });

    it('error: calls after close reject with STORAGE_CLOSED', async () => {
      const under = await options.create();
      await under.store.put('closing', bytes('x'));
      await under.close();
      await rejectsWithCode(under.store.get('closing'), 'STORAGE_CLOSED');
      await rejectsWithCode(under.store.put('closing', bytes('y')), 'STORAGE_CLOSED');
    });
  });
}
