import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from 'viem';
import { encodeMetadataUri, parseMetadataUri } from './metadata-uri.ts';
import { parseGoDurationMs } from './go-duration.ts';
import { parseJsonExact } from './metadata-json.ts';

void describe('parseMetadataUri()', () => {
  void it('behavior: strips snet-cli NUL padding from Registry bytes', () => {
    const encoded = encodeMetadataUri('ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o');
    assert.equal(encoded.length % 32, 0);
    assert.deepEqual(parseMetadataUri(bytesToHex(encoded)), { scheme: 'ipfs', cid: 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o', uri: 'ipfs://QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o' });
  });
  void it('behavior: filecoin:// and bare CIDs', () => {
    assert.equal(parseMetadataUri('filecoin://bafkreiabc')?.scheme, 'filecoin');
    assert.equal(parseMetadataUri('QmAbc')?.scheme, 'ipfs');
  });
  void it('error: empty registry value → undefined', () => {
    assert.equal(parseMetadataUri('0x'), undefined);
    assert.equal(parseMetadataUri(new Uint8Array(32)), undefined);
  });
});

void describe('parseGoDurationMs()', () => {
  void it('behavior: Go duration strings', () => {
    assert.equal(parseGoDurationMs('15s'), 15_000);
    assert.equal(parseGoDurationMs('1m30s'), 90_000);
    assert.equal(parseGoDurationMs('500ms'), 500);
    assert.equal(parseGoDurationMs('0'), 0);
    assert.equal(parseGoDurationMs('1.5h'), 5_400_000);
  });
  void it('error: not durations', () => {
    for (const bad of ['', '15', 's', '5 s', '-1s', '1d']) assert.equal(parseGoDurationMs(bad), undefined, bad);
  });
});

void describe('parseJsonExact()', () => {
  void it('behavior: keeps big integers exact as bigint', () => {
    const doc = parseJsonExact('{"a": 1000000000000000000000, "b": 12, "c": 1.5}') as Record<string, unknown>;
    assert.equal(doc['a'], 1000000000000000000000n);
    assert.equal(doc['b'], 12);
    assert.equal(doc['c'], 1.5);
  });
});
