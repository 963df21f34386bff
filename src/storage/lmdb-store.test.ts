import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '../shared/index.ts';
import { createLmdbStore } from './lmdb-store.ts';
import { decodeLmdbRecord, decodeLmdbRecordView, encodeLmdbRecord } from './lmdb-record.ts';
import { runAtomicStoreContract } from './testing/atomic-store-contract.ts';

const root = mkdtempSync(join(tmpdir(), 'snetd-lmdb-'));
let counter = 0;
after(() => rmSync(root, { recursive: true, force: true }));

runAtomicStoreContract({
  name: 'lmdb',
  create: () => {
    const store = createLmdbStore({ path: join(root, `contract-${counter++}`, 'state.mdb'), logger: createSilentLogger() });
    return Promise.resolve({ store, close: () => store.close() });
  },
  lockTtlMs: 150,
  lockExpiryBoundMs: 5_000,
});

describe('createLmdbStore()', () => {
  it('behavior: data, versions and locks survive close and reopen', async () => {
    const path = join(root, 'reopen', 'state.mdb');
    const first = createLmdbStore({ path, logger: createSilentLogger() });
    await first.put('k', new Uint8Array([1, 2, 3]));
    const entry = await first.getEntry('k');
    const lock = await first.acquireLock('lock', 60_000);
    assert.ok(lock !== undefined && entry !== undefined);
    await first.close();
    const second = createLmdbStore({ path, logger: createSilentLogger() });
    assert.deepEqual(await second.getEntry('k'), entry);
    assert.equal(await second.acquireLock('lock', 60_000), undefined, 'a live lock is still held after a restart');
    await second.put('k', new Uint8Array([4]));
    assert.ok(((await second.getEntry('k'))?.version ?? 0n) > entry.version, 'the revision counter persists');
    await second.close();
  });

  it('error: an unusable path fails with STORAGE_OPEN_FAILED naming it', () => {
    const file = join(root, 'not-a-dir');
    writeFileSync(file, 'x');
    assert.throws(() => createLmdbStore({ path: join(file, 'state.mdb'), logger: createSilentLogger() }), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'STORAGE_OPEN_FAILED');
      assert.match((error as Error).message, /not-a-dir/);
      return true;
    });
  });
});

describe('decodeLmdbRecord()', () => {
  it('behavior: round-trips plain and leased records', () => {
    const plain = { value: new Uint8Array([9, 8]), version: 42n, expiresAtMs: undefined };
    assert.deepEqual(decodeLmdbRecord('k', encodeLmdbRecord(plain)), plain);
    const leased = { value: new Uint8Array([1]), version: 2n ** 60n, expiresAtMs: 1_800_000_000_000 };
    assert.deepEqual(decodeLmdbRecord('k', encodeLmdbRecord(leased)), leased);
  });

  it('behavior: the view decoder reads only the first `length` bytes of a larger reused buffer (lmdb-js getBinaryFast)', () => {
    const leased = { value: new Uint8Array([5, 6, 7]), version: 2n ** 63n + 5n, expiresAtMs: 1_800_000_000_123 };
    const encoded = encodeLmdbRecord(leased);
    const reused = new Uint8Array(64).fill(0xee);
    reused.set(encoded, 0);
    const view = decodeLmdbRecordView('k', reused, encoded.length);
    assert.deepEqual({ ...view, value: Uint8Array.from(view.value) }, leased);
    assert.equal(view.value.buffer, reused.buffer, 'a view, not a copy');
    assert.throws(() => decodeLmdbRecordView('k', reused, 9), { code: 'STORAGE_CORRUPT' });
  });

  it('error: rejects foreign bytes with STORAGE_CORRUPT', () => {
    for (const raw of [new Uint8Array([1]), new Uint8Array(12).fill(7), Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 1])]) {
      assert.throws(() => decodeLmdbRecord('k', raw), { code: 'STORAGE_CORRUPT' });
    }
  });
});
