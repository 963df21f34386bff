import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { importBytes } from 'ipfs-unixfs-importer';
import type { CID } from 'multiformats/cid';
import { singleChunkCid } from './single-chunk-cid.ts';

const discardBlocks = { put: (cid: CID): Promise<CID> => Promise.resolve(cid) };

void describe('singleChunkCid()', () => {
  void it('behavior: equals the UnixFS importer (default 256 KiB chunks, no raw leaves) for one-chunk files, CIDv0 and v1', async () => {
    // Sizes around the varint boundaries of the length fields, up to one full chunk.
    for (const size of [0, 1, 5, 126, 127, 128, 129, 300, 16_380, 16_383, 16_384, 65_536, 262_143, 262_144]) {
      const content = new Uint8Array(size).map((_, i) => (i * 13) % 251);
      for (const version of [0, 1] as const) {
        const { cid: expected } = await importBytes(content, discardBlocks, { cidVersion: version, rawLeaves: false });
        assert.equal((await singleChunkCid(content, version)).toString(), expected.toString(), `${size} bytes, CIDv${version}`);
      }
    }
  });

  void it('behavior: the well-known kubo CIDs of "hello world\\n" and of the empty file', async () => {
    assert.equal((await singleChunkCid(new TextEncoder().encode('hello world\n'), 0)).toString(), 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o');
    assert.equal((await singleChunkCid(new Uint8Array(), 0)).toString(), 'QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH');
  });
});
