import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildClaimMessage } from './claim-message.ts';
import { MAX_UINT256, decodeUint, encodeAddress, encodeString, encodeUint256, writeUint256 } from './packed-encoding.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

void describe('encodeUint256()', () => {
  void it('behavior: 32-byte big-endian words', () => {
    assert.equal(hex(encodeUint256(0n)), '00'.repeat(32));
    assert.equal(hex(encodeUint256(21000000n)), `${'00'.repeat(28)}01406f40`);
    assert.equal(hex(encodeUint256(MAX_UINT256)), 'ff'.repeat(32));
    assert.equal(hex(encodeUint256(1n << 64n)), `${'00'.repeat(23)}01${'00'.repeat(8)}`);
  });
  void it('error: throws a RangeError below 0 and above 2^256-1 (the reference would encode |x| or truncate)', () => {
    assert.throws(() => encodeUint256(-1n), RangeError);
    assert.throws(() => encodeUint256(MAX_UINT256 + 1n), RangeError);
  });
  void it('behavior: round-trips through decodeUint() for every uint256 (property)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: MAX_UINT256 }), (x) => decodeUint(encodeUint256(x)) === x));
  });
});

void describe('writeUint256()', () => {
  void it('behavior: writes the encodeUint256() word in place at any offset (property), same RangeError', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_UINT256 }), fc.nat(40), (x, offset) => {
        const out = new Uint8Array(offset + 40);
        writeUint256(out, offset, x);
        return hex(out) === '00'.repeat(offset) + hex(encodeUint256(x)) + '00'.repeat(8);
      }),
    );
    assert.throws(() => writeUint256(new Uint8Array(32), 0, MAX_UINT256 + 1n), RangeError);
    assert.throws(() => writeUint256(new Uint8Array(32), 0, -1n), RangeError);
  });
  void it('behavior: buildClaimMessage() is the packed concatenation of its fields (property)', () => {
    const mpe = '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E';
    const u256 = fc.bigInt({ min: 0n, max: MAX_UINT256 });
    fc.assert(
      fc.property(u256, u256, u256, (channelId, nonce, amount) => {
        const expected = Buffer.concat([encodeString('__MPE_claim_message'), encodeAddress(mpe), encodeUint256(channelId), encodeUint256(nonce), encodeUint256(amount)]);
        return hex(buildClaimMessage({ mpeAddress: mpe, channelId, nonce, amount })) === expected.toString('hex');
      }),
    );
  });
});

void describe('decodeUint()', () => {
  void it('behavior: any length, empty is 0, leading zeros allowed (Go SetBytes)', () => {
    assert.equal(decodeUint(new Uint8Array()), 0n);
    assert.equal(decodeUint(Uint8Array.of(0, 0, 0, 0)), 0n); // npm snet-sdk sends channel 0 as 4 bytes
    assert.equal(decodeUint(Uint8Array.of(0x06, 0xfd)), 1789n);
    assert.equal(decodeUint(encodeUint256(1789n)), 1789n);
  });
});

void describe('encodeString()', () => {
  void it('behavior: raw UTF-8, no length prefix', () => {
    assert.equal(hex(encodeString('__list_unclaimed')), Buffer.from('__list_unclaimed').toString('hex'));
    assert.equal(hex(encodeString('é')), 'c3a9');
    assert.equal(encodeString('').length, 0);
  });
});
