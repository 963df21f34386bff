// Every builder and both recovery backends against the JSON vectors in test/vectors/ (README there says
// where each vector comes from). The same vectors run through `native` and `js`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildVectorMessage, bytesToHex, hexToBytes, type VectorFile } from '../../../test/vectors/message-vector.ts';
import { hashSignedMessage, keccak256 } from './index.ts';
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
