import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '../shared/index.ts';
import { createStore } from './create-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'snetd-create-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('createStore()', () => {
  it('behavior: opens LMDB and memory backends', async () => {
    for (const store of [
      await createStore({ backend: 'lmdb', path: join(dir, 's.mdb') }, createSilentLogger()),
      await createStore({ backend: 'memory' }, createSilentLogger()),
    ]) {
      assert.equal(await store.putIfAbsent('k', new Uint8Array([1])), true);
      await store.close();
    }
  });

  it('error: etcd without endpoints fails with STORAGE_UNAVAILABLE', async () => {
    await assert.rejects(createStore({ backend: 'etcd', endpoints: [] }, createSilentLogger()), { code: 'STORAGE_UNAVAILABLE' });
  });
});
