import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from './memory-store.ts';
import { runAtomicStoreContract } from './testing/atomic-store-contract.ts';

runAtomicStoreContract({
  name: 'memory',
  create: () => {
    const store = createMemoryStore();
    return Promise.resolve({ store, close: () => store.close() });
  },
  lockTtlMs: 150,
  lockExpiryBoundMs: 5_000,
});

describe('createMemoryStore()', () => {
  it('behavior: a lock expires exactly when the injected clock passes its TTL', async () => {
    let nowMs = 1_000_000;
    const store = createMemoryStore({ now: () => nowMs });
    const lock = await store.acquireLock('l', 1000);
    assert.ok(lock !== undefined);
    nowMs += 999;
    assert.equal(await store.acquireLock('l', 1000), undefined);
    assert.equal(await lock.refresh(), true);
    nowMs += 999;
    assert.equal(await store.acquireLock('l', 1000), undefined, 'refresh extended the lock');
    nowMs += 1;
    assert.equal(await store.get('l'), undefined, 'an expired lock reads as absent');
    assert.equal(await store.delete('l'), false);
    assert.ok((await store.acquireLock('l', 1000)) !== undefined);
    await store.close();
  });
});
