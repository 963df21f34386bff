// fast-check properties of the integer and base64 header parsers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeBase64, parseDecimalUint256, parseEscrowPaymentHeaders, parseUint256Header } from './payment-headers.ts';

const MAX = (1n << 256n) - 1n;
const uint256 = fc.bigInt({ min: 0n, max: MAX });

void describe('parseDecimalUint256() properties', () => {
  void it('behavior: every uint256 round-trips through its decimal text, with or without leading zeros', () => {
    fc.assert(
      fc.property(uint256, fc.nat({ max: 20 }), (value, zeros) => {
        assert.equal(parseDecimalUint256(value.toString()), value);
        assert.equal(parseDecimalUint256('0'.repeat(zeros) + value.toString()), value);
      }),
    );
  });
  void it('error: every value above 2^256-1 and every negative value is rejected', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: MAX + 1n, max: MAX * 1000n }), fc.bigInt({ min: -MAX, max: -1n }), (big, negative) => {
        assert.equal(parseDecimalUint256(big.toString()), undefined);
        assert.equal(parseDecimalUint256(negative.toString()), undefined);
      }),
    );
  });
  void it('behavior: any string is either rejected or is exactly a decimal uint256 (never throws)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (text) => {
        const value = parseDecimalUint256(text);
        if (value !== undefined) {
          assert.match(text, /^[0-9]+$/);
          assert.equal(value, BigInt(text));
          assert.ok(value <= MAX);
        }
      }),
    );
  });
  void it('error: hex, signed, separated and spaced forms are rejected', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX }), fc.constantFrom((v: bigint) => `0x${v.toString(16)}`, (v: bigint) => `+${v}`, (v: bigint) => ` ${v}`, (v: bigint) => `${v}_0`), (value, render) => {
        assert.equal(parseDecimalUint256(render(value)), undefined);
      }),
    );
  });
  void it('behavior: a parse failure in a header map never throws and names the key', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })), (value) => {
        const result = parseUint256Header({ 'snet-payment-channel-id': value }, 'snet-payment-channel-id');
        if (!result.ok) assert.match(result.error.message, /"snet-payment-channel-id"/);
      }),
    );
  });
});

void describe('decodeBase64() properties', () => {
  void it('behavior: any bytes round-trip through padded and unpadded base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const padded = Buffer.from(bytes).toString('base64');
        assert.deepEqual(decodeBase64(padded), bytes);
        assert.deepEqual(decodeBase64(padded.replace(/=+$/, '')), bytes);
      }),
    );
  });
  void it('behavior: any string either fails or decodes to bytes that re-encode to it (modulo padding and unused bits)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        const bytes = decodeBase64(text);
        if (bytes !== undefined) {
          const again = Buffer.from(bytes).toString('base64').replace(/=+$/, '');
          assert.equal(again.length, text.replace(/=+$/, '').length);
        }
      }),
    );
  });
  void it('behavior: a 65-byte signature in the header survives parseEscrowPaymentHeaders unchanged', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 65, maxLength: 65 }), uint256, uint256, uint256, fc.boolean(), (sig, id, nonce, amount, pad) => {
        const b64 = Buffer.from(sig).toString('base64');
        const result = parseEscrowPaymentHeaders({
          'snet-payment-channel-id': id.toString(),
          'snet-payment-channel-nonce': nonce.toString(),
          'snet-payment-channel-amount': amount.toString(),
          'snet-payment-channel-signature-bin': pad ? b64 : b64.replace(/=+$/, ''),
        });
        assert.deepEqual(result, { ok: true, value: { channelId: id, nonce, amount, signature: sig } });
      }),
    );
  });
});
