import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from './memory-store.ts';
import { createPrefixedStore } from './prefixed-store.ts';
import { runAtomicStoreContract } from './testing/atomic-store-contract.ts';

runAtomicStoreContract({
  name: 'prefixed view over memory',
  create: () => {
    const inner = createMemoryStore();
    // Noise outside the prefix must stay invisible to the view.
    void inner.put('sepolia/org/other', new Uint8Array([1]));
    return Promise.resolve({ store: createPrefixedStore(inner, 'sepolia/org/G=/'), close: () => inner.close() });
  },
  lockTtlMs: 150,
  lockExpiryBoundMs: 5_000,
});

describe('createPrefixedStore()', () => {
  it('behavior: writes land under the prefix and results come back without it', async () => {
    const inner = createMemoryStore();
    const view = createPrefixedStore(inner, 'net/org/G=/0xMPE//payment-channel/storage/');
    await view.put('{ID: 42}', new Uint8Array([7]));
    assert.deepEqual(await inner.get('net/org/G=/0xMPE//payment-channel/storage/{ID: 42}'), new Uint8Array([7]));
    assert.deepEqual((await view.getByPrefix('')).map((entry) => entry.key), ['{ID: 42}']);
    assert.equal((await view.getEntry('{ID: 42}'))?.key, '{ID: 42}');
    const lock = await view.acquireLock('lock', 1000);
    assert.equal(lock?.key, 'lock');
    await view.close();
    assert.deepEqual(await inner.get('net/org/G=/0xMPE//payment-channel/storage/{ID: 42}'), new Uint8Array([7]), 'closing a view keeps the store open');
  });

  it('error: an empty prefix is refused', () => {
    assert.throws(() => createPrefixedStore(createMemoryStore(), ''), { code: 'STORAGE_INVALID_ARGUMENT' });
  });
});
