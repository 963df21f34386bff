// Every builder and both recovery backends against the JSON vectors in test/vectors/ (README there says
// where each vector comes from). The same vectors run through `native` and `js`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildVectorMessage, bytesToHex, hexToBytes, type VectorFile } from '../../../test/vectors/message-vector.ts';
import { keccak_256 } from '@noble/hashes/sha3.js';
import fc from 'fast-check';
import { hashSignedMessage, keccak256 } from './index.ts';
import { keccak256Concat } from './keccak.ts';
import { createSignatureRecoverer, type SignatureBackend } from './signature-recoverer.ts';
import { signDigest } from './sign-message.ts';

function load(name: string): VectorFile {
  return JSON.parse(readFileSync(new URL(`../../../test/vectors/${name}`, import.meta.url), 'utf8')) as VectorFile;
}
const files = { 'spec-vectors.json': load('spec-vectors.json'), 'generated-vectors.json': load('generated-vectors.json') };

for (const [fileName, file] of Object.entries(files)) {
  void describe(`message builders (${fileName})`, () => {
    for (const vector of file.messages) {
      void it(`behavior: ${vector.kind}: ${vector.name}`, () => {
        const message = buildVectorMessage(vector);
        if (vector.message !== undefined) assert.equal(bytesToHex(message), vector.message);
        if (vector.keccak !== undefined) assert.equal(bytesToHex(keccak256(message)), vector.keccak);
        if (vector.personalHash !== undefined) assert.equal(bytesToHex(hashSignedMessage(message)), vector.personalHash);
      });
    }
  });

  void describe(`signDigest() reproduces RFC 6979 signatures (${fileName})`, () => {
    for (const vector of file.messages.filter((v) => v.privateKey !== undefined && v.signature !== undefined)) {
      void it(`behavior: ${vector.name}`, () => {
        const digest = hashSignedMessage(buildVectorMessage(vector));
        assert.equal(bytesToHex(signDigest(vector.privateKey as string, digest)), vector.signature);
      });
    }
  });

  for (const backend of ['native', 'js'] as const satisfies readonly SignatureBackend[]) {
    void describe(`recoverSigner() [${backend}] (${fileName})`, () => {
      const recoverer = createSignatureRecoverer({ prefer: backend, requireNative: backend === 'native' });
      void it('args: uses the requested backend', () => {
        assert.equal(recoverer.backend, backend);
      });
      for (const vector of file.messages.filter((v) => v.signature !== undefined)) {
        void it(`behavior: recovers ${vector.signer ?? '?'} for ${vector.kind}: ${vector.name}`, () => {
          const digest = hashSignedMessage(buildVectorMessage(vector));
          const result = recoverer.recoverSigner(digest, hexToBytes(vector.signature as string));
          assert.deepEqual(result, { ok: true, value: vector.signer });
        });
      }
      for (const vector of file.recoveries ?? []) {
        void it(`behavior: recovers ${vector.name}`, () => {
          const result = recoverer.recoverSigner(hexToBytes(vector.digest), hexToBytes(vector.signature));
          assert.deepEqual(result, { ok: true, value: vector.signer });
        });
      }
      for (const vector of file.rejections ?? []) {
        void it(`error: rejects ${vector.name} with ${vector.error}`, () => {
          const result = recoverer.recoverAddressBytes(hexToBytes(vector.digest), hexToBytes(vector.signature));
          assert.equal(result.ok, false);
          if (!result.ok) assert.equal(result.error.code, vector.error);
        });
      }
    });
  }
}

describe('keccak256() / keccak256Concat()', () => {
  it('behavior: equal to noble keccak_256 for every length around the one-block limit and for split inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.nat(300), (data, cut) => {
        const expected = Buffer.from(keccak_256(data)).toString('hex');
        assert.equal(Buffer.from(keccak256(data)).toString('hex'), expected);
        const at = Math.min(cut, data.length);
        assert.equal(Buffer.from(keccak256Concat(data.subarray(0, at), data.subarray(at))).toString('hex'), expected);
      }),
      { numRuns: 500 },
    );
    for (let length = 130; length <= 140; length++) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 7 + length) & 0xff);
      assert.equal(Buffer.from(keccak256(data)).toString('hex'), Buffer.from(keccak_256(data)).toString('hex'), `length ${length}`);
    }
  });

  it('behavior: known vectors (empty input, "abc") and a result that is not overwritten by the next hash', () => {
    const empty = keccak256(new Uint8Array(0));
    assert.equal(Buffer.from(empty).toString('hex'), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
    const abc = keccak256(new TextEncoder().encode('abc'));
    assert.equal(Buffer.from(abc).toString('hex'), '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
    assert.equal(Buffer.from(empty).toString('hex'), 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470');
  });
});
