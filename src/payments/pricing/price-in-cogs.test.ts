import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { decodePriceInCogs } from './price-in-cogs.ts';

const root = protobuf.parse('syntax = "proto3"; package pricing; message PriceInCogs { uint64 price = 1; string note = 2; fixed64 f = 3; fixed32 g = 4; }').root;
const PriceInCogs = root.lookupType('pricing.PriceInCogs');
const encode = (value: Record<string, unknown>): Uint8Array => PriceInCogs.encode(PriceInCogs.fromObject(value)).finish();

describe('decodePriceInCogs()', () => {
  it('behavior: reads field 1 as an exact uint64 (protobufjs-encoded)', () => {
    for (const price of ['0', '1', '127', '128', '300', '9007199254740993', '18446744073709551615']) {
      assert.deepEqual(decodePriceInCogs(encode({ price })), { ok: true, value: BigInt(price) });
    }
  });

  it('behavior: an empty message is price 0 (proto3 default); unknown fields are skipped', () => {
    assert.deepEqual(decodePriceInCogs(new Uint8Array()), { ok: true, value: 0n });
    assert.deepEqual(decodePriceInCogs(encode({ note: 'cheap', f: '5', g: 6, price: '42' })), { ok: true, value: 42n });
  });

  it('behavior: a repeated field 1 keeps the last value', () => {
    assert.deepEqual(decodePriceInCogs(Uint8Array.of(0x08, 0x01, 0x08, 0x07)), { ok: true, value: 7n });
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['a truncated varint', Uint8Array.of(0x08, 0x80), /truncated varint/],
    ['a truncated length-delimited field', Uint8Array.of(0x12, 0x05, 0x61), /truncated length-delimited/],
    ['a price that is not a varint', Uint8Array.of(0x0a, 0x01, 0x00), /field 1 \(price\) has wire type 2/],
    ['a price above uint64', Uint8Array.of(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f), /larger than a uint64/],
    ['field number 0', Uint8Array.of(0x00, 0x01), /field number 0/],
    ['wire type 3 (groups)', Uint8Array.of(0x13), /unsupported wire type 3/],
  ];
  for (const [what, bytes, message] of bad) {
    it(`error: ${what}`, () => {
      const result = decodePriceInCogs(bytes);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, message);
    });
  }
});
