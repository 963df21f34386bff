// go-gob-vectors.json holds bytes written by Go's own encoding/gob (scripts/generate-go-gob-vectors.ts): every
// vector must decode to its value, and where the writing Go process was fresh, snetd-ts must write the same
// bytes. Needs no Go toolchain (test/integration/go-gob-crosscheck.test.ts runs Go itself).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromGoJson, goGobCodecs, type GoJson, type GoTypeName } from '../harness/go-gob.ts';

interface VectorFile {
  readonly go: string;
  readonly vectors: ReadonlyArray<{ name: string; type: GoTypeName; value: GoJson; gob: string; freshProcess: boolean }>;
}

const file = JSON.parse(readFileSync(new URL('go-gob-vectors.json', import.meta.url), 'utf8')) as VectorFile;
const codecs = goGobCodecs;

void describe(`test/vectors/go-gob-vectors.json (written by ${file.go})`, () => {
  void it('has vectors of every type, one with extra fields and one with shifted type ids', () => {
    const types = new Set(file.vectors.map((v) => v.type));
    assert.deepEqual([...types].sort(), ['FreeCallUserData', 'Payment', 'PaymentChannelData', 'PaymentChannelDataExtended', 'PrePaidData']);
    assert.ok(file.vectors.some((v) => !v.freshProcess));
  });
  for (const vector of file.vectors) {
    void it(`${vector.name}: decodes to its value${vector.freshProcess && vector.type !== 'PaymentChannelDataExtended' ? ' and is what snetd-ts writes' : ''}`, () => {
      const expected = fromGoJson(vector.type, vector.value).value;
      const gob = new Uint8Array(Buffer.from(vector.gob, 'hex'));
      assert.deepEqual(codecs[vector.type].decode(gob), expected);
      if (vector.freshProcess && vector.type !== 'PaymentChannelDataExtended') {
        assert.equal(Buffer.from(codecs[vector.type].encode(expected)).toString('hex'), vector.gob);
      }
    });
  }
});
