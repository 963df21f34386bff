import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unixfs } from '@helia/unixfs';
import { MemoryBlockstore } from 'blockstore-core';
import { verifyCid } from './verify-cid.ts';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

void describe('verifyCid()', () => {
  void it('behavior: matches CIDs kubo `ipfs add` is known to produce (CIDv0)', async () => {
    // Well-known kubo results: "hello world\n" and the empty file.
    assert.deepEqual(await verifyCid('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o', text('hello world\n')), { ok: true, layout: 'kubo ipfs add (CIDv0, 256 KiB chunks, 174 links)' });
    assert.equal((await verifyCid('QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH', new Uint8Array())).ok, true);
  });

  void it('behavior: matches helia adds for v0, v1 raw-leaf and multi-block files', async () => {
    const fs = unixfs({ blockstore: new MemoryBlockstore() });
    const big = new Uint8Array(700 * 1024).map((_, i) => (i * 7) % 251);
    for (const bytes of [text('{"a":1}'), big]) {
      for (const opts of [{ cidVersion: 0 as const, rawLeaves: false }, { cidVersion: 1 as const, rawLeaves: true }, { cidVersion: 1 as const, rawLeaves: false }]) {
        const cid = await fs.addBytes(bytes, opts);
        const check = await verifyCid(cid.toString(), bytes);
        assert.equal(check.ok, true, `${cid.toString()} ${JSON.stringify(opts)} ${bytes.length}`);
      }
    }
  });

  void it('error: a changed byte is a mismatch naming the computed CID', async () => {
    const check = await verifyCid('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o', text('hello world!'));
    assert.equal(check.ok, false);
    assert.ok(!check.ok && check.reason === 'mismatch' && check.computed.startsWith('Qm'));
  });

  void it('error: garbage is invalid, not a crash', async () => {
    const check = await verifyCid('not-a-cid', text('x'));
    assert.equal(check.ok, false);
    assert.ok(!check.ok && check.reason === 'invalid');
  });
});
