import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeFreeCallToken, parseFreeCallToken } from './free-call-token.ts';

// The hand-made M8 vector (test/vectors/spec-vectors.json): token bytes = M8 signature ‖ "_21172800".
const M8_SIG = Uint8Array.from(
  Buffer.from(
    'daaa1bf58a9f35aab3e798cd7fafeb59dc087a0a5c37f3590d98503c3951245d0b0e655b3415cf6d251cb35f012c27b98aa719e6bfa0b58be2ce31b9ecf50e0900',
    'hex',
  ),
);

void describe('encodeFreeCallToken() / parseFreeCallToken()', () => {
  void it('behavior: the hand-made M8 token', () => {
    const token = encodeFreeCallToken(M8_SIG, 21172800n);
    assert.equal(Buffer.from(token).toString('hex'), `${Buffer.from(M8_SIG).toString('hex')}5f3231313732383030`);
    assert.deepEqual(parseFreeCallToken(token), { ok: true, value: { signature: M8_SIG, expiryBlock: 21172800n } });
  });
  void it('behavior: splits on the last "_" even when the signature contains 0x5f bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (signature, expiry) => {
        assert.deepEqual(parseFreeCallToken(encodeFreeCallToken(signature, expiry)), { ok: true, value: { signature, expiryBlock: expiry } });
      }),
    );
  });
  void it("error: no '_' found", () => {
    assert.deepEqual(parseFreeCallToken(Uint8Array.of(1, 2, 3)), { ok: false, error: "no '_' found" });
    assert.deepEqual(parseFreeCallToken(new Uint8Array()), { ok: false, error: "no '_' found" });
  });
  void it('error: invalid block number for an empty, signed or non-decimal suffix', () => {
    for (const suffix of ['', '-5', '+5', '12a', ' 1', '0x10']) {
      const token = Uint8Array.from([...M8_SIG, 0x5f, ...Buffer.from(suffix)]);
      assert.deepEqual(parseFreeCallToken(token), { ok: false, error: 'invalid block number' }, suffix);
    }
  });
  void it('error: a negative expiry is a caller bug', () => {
    assert.throws(() => encodeFreeCallToken(M8_SIG, -1n), RangeError);
  });
});
