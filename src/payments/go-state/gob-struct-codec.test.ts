import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isSnetError } from '../../errors/index.ts';
import { goPaymentChannelDataCodec, goPrePaidDataCodec, type GoPaymentChannelData } from './go-values.ts';
import { GobReader, GobWriter, decodeBigIntGob, encodeBigIntGob } from './gob-wire.ts';

// Byte-level agreement with Go is pinned by test/vectors/go-gob-vectors.test.ts (bytes Go wrote) and
// test/integration/go-gob-crosscheck.test.ts (Go run live); these pin the reader's refusals.

const channel: GoPaymentChannelData = {
  channelId: 7n,
  nonce: 0n,
  state: 0n,
  sender: new Uint8Array(20).fill(0xaa),
  recipient: new Uint8Array(20).fill(0x01),
  groupId: new Uint8Array(32).fill(0x80),
  fullAmount: 100n,
  expiration: 5000n,
  signer: new Uint8Array(20).fill(0xaa),
  authorizedAmount: 30n,
  signature: new Uint8Array(65).fill(0x1b),
};

const invalid = { code: 'STORAGE_GO_FORMAT_INVALID' };
const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s/g, ''), 'hex'));

void describe('gob wire primitives', () => {
  void it('unsigned and signed integers round-trip at every width, as Go writes them', () => {
    const writer = new GobWriter(1);
    const samples = [0n, 1n, 127n, 128n, 255n, 256n, 65535n, 2n ** 53n, 2n ** 64n - 1n];
    for (const n of samples) writer.uint(n);
    for (const n of [0n, -1n, 1n, -65n, 65n, -(2n ** 63n), 2n ** 63n - 1n]) writer.int(n);
    const reader = new GobReader(writer.bytes());
    for (const n of samples) assert.equal(reader.uintBig(), n);
    for (const n of [0n, -1n, 1n, -65n, 65n, -(2n ** 63n), 2n ** 63n - 1n]) assert.equal(reader.intBig(), n);
    assert.equal(reader.remaining, 0);
    // Go: 256 = FE 01 00; -65 (a type definition id) = FF 81
    const go = new GobWriter();
    go.uint(256);
    go.int(-65);
    assert.equal(Buffer.from(go.bytes()).toString('hex'), 'fe0100ff81');
  });

  void it('refuses integers Go cannot hold and reads that run past the data', () => {
    assert.throws(() => new GobWriter().uint(2n ** 64n), invalid);
    assert.throws(() => new GobWriter().int(2n ** 63n), invalid);
    assert.throws(() => new GobReader(hex('f7 0102030405060708 09')).uintBig(), invalid); // 9-byte uint
    assert.throws(() => new GobReader(hex('fe 01')).uintBig(), invalid);
    assert.throws(() => new GobReader(hex('05 6869')).byteSlice(), invalid);
    assert.throws(() => new GobReader(hex('02 c328')).string(), invalid); // not UTF-8
  });

  void it('big.Int uses the GobEncode form: version byte with the sign bit, then the magnitude', () => {
    assert.equal(Buffer.from(encodeBigIntGob(0n)).toString('hex'), '02');
    assert.equal(Buffer.from(encodeBigIntGob(1000n)).toString('hex'), '0203e8');
    assert.equal(Buffer.from(encodeBigIntGob(-1n)).toString('hex'), '0301');
    assert.equal(decodeBigIntGob(new Uint8Array(0)), 0n);
    assert.equal(decodeBigIntGob(encodeBigIntGob(2n ** 256n - 1n)), 2n ** 256n - 1n);
    assert.throws(() => decodeBigIntGob(hex('04 01')), invalid);
  });
});

void describe('gob struct codec', () => {
  void it('round-trips a channel', () => {
    assert.deepEqual(goPaymentChannelDataCodec.decode(goPaymentChannelDataCodec.encode(channel)), channel);
  });

  void it('refuses trailing bytes, a missing value, a duplicate type and fields of the wrong type', () => {
    const bytes = goPaymentChannelDataCodec.encode(channel);
    assert.throws(() => goPaymentChannelDataCodec.decode(Uint8Array.from([...bytes, 0x00])), invalid);
    assert.throws(() => goPaymentChannelDataCodec.decode(new Uint8Array(0)), { ...invalid, message: /ends before a PaymentChannelData value/ });
    const prepaid = goPrePaidDataCodec.encode({ amount: 1n });
    const definitionsOnly = prepaid.subarray(0, prepaid.length - 6); // drops the value message `06 ff82 0101 02 00`…
    assert.throws(() => goPrePaidDataCodec.decode(definitionsOnly), invalid);
    const firstMessage = bytes.subarray(0, 2 + 188); // `ffbc` + the struct definition
    assert.throws(() => goPaymentChannelDataCodec.decode(Uint8Array.from([...firstMessage, ...bytes])), { ...invalid, message: /defined twice/ });
    assert.throws(() => goPrePaidDataCodec.decode(goPaymentChannelDataCodec.encode(channel)), { ...invalid, message: /no field of PrePaidData/ });
    assert.throws(() => goPaymentChannelDataCodec.encode({ ...channel, sender: new Uint8Array(19) }), { ...invalid, message: /Sender must be 20 bytes/ });
  });

  void it('never throws anything but STORAGE_GO_FORMAT_INVALID on damaged bytes (fuzz)', () => {
    const good = goPaymentChannelDataCodec.encode(channel);
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.nat(255), fc.nat(good.length), (at, byte, cut) => {
        const damaged = Uint8Array.from(good);
        damaged[at] = byte;
        for (const candidate of [damaged, damaged.subarray(0, cut)]) {
          try {
            goPaymentChannelDataCodec.decode(candidate);
          } catch (error) {
            assert.ok(isSnetError(error, 'STORAGE_GO_FORMAT_INVALID'), String(error));
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
