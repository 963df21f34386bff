// Values of the Go daemon's four stored types for the gob cross-check and vectors: fixed edge cases (zero
// and nil fields, 0-amount channels, 2^256−1 amounts, bytes ≥ 0x80, negative ints) and seeded random ones.
import fc from 'fast-check';
import type { GoValue } from './go-gob.ts';

const MAX_UINT256 = 2n ** 256n - 1n;
const bytes = (length: number, fill: number): Uint8Array => new Uint8Array(length).fill(fill);
const ramp = (length: number, from: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (from + i * 37) % 256);

/** Hand-picked values: each exercises one rule of the encoding. */
export function edgeCaseValues(): GoValue[] {
  const channel = {
    channelId: 42n,
    nonce: 3n,
    state: 0n,
    sender: ramp(20, 0x70),
    recipient: ramp(20, 0x01),
    groupId: ramp(32, 0x80),
    fullAmount: 1_000_000n,
    expiration: 9_876_543n,
    signer: ramp(20, 0x70),
    authorizedAmount: 250n,
    signature: ramp(65, 0xf0),
  };
  return [
    // every field zero / nil / empty: only the arrays are on the wire
    { type: 'PaymentChannelData', value: { channelId: undefined, nonce: undefined, state: 0n, sender: bytes(20, 0), recipient: bytes(20, 0), groupId: bytes(32, 0), fullAmount: undefined, expiration: undefined, signer: bytes(20, 0), authorizedAmount: undefined, signature: new Uint8Array(0) } },
    // a fresh channel as the Go daemon stores it: non-nil zero big.Ints (sent as the single byte 0x02)
    { type: 'PaymentChannelData', value: { ...channel, nonce: 0n, fullAmount: 0n, authorizedAmount: 0n, signature: new Uint8Array(0) } },
    { type: 'PaymentChannelData', value: channel },
    // 2^256−1 everywhere, all address bytes 0xff (each byte takes two bytes on the wire), Closed state
    { type: 'PaymentChannelData', value: { channelId: MAX_UINT256, nonce: MAX_UINT256, state: 1n, sender: bytes(20, 0xff), recipient: bytes(20, 0xff), groupId: bytes(32, 0xff), fullAmount: MAX_UINT256, expiration: MAX_UINT256, signer: bytes(20, 0xff), authorizedAmount: MAX_UINT256, signature: bytes(65, 0xff) } },
    // a negative big.Int (sign bit) and a negative int (complement bit): not daemon data, but gob allows them
    { type: 'PaymentChannelData', value: { ...channel, channelId: -5n, state: -(2n ** 63n) } },
    { type: 'PaymentChannelDataExtended', value: channel },
    { type: 'Payment', value: { mpeContractAddress: bytes(20, 0), channelId: 42n, channelNonce: 2n, amount: 1200n, signature: ramp(65, 3) } },
    { type: 'Payment', value: { mpeContractAddress: bytes(20, 0), channelId: 0n, channelNonce: 0n, amount: 0n, signature: new Uint8Array(0) } },
    { type: 'Payment', value: { mpeContractAddress: ramp(20, 9), channelId: MAX_UINT256, channelNonce: MAX_UINT256, amount: MAX_UINT256, signature: bytes(65, 0xff) } },
    { type: 'Payment', value: { mpeContractAddress: bytes(20, 0), channelId: undefined, channelNonce: undefined, amount: undefined, signature: new Uint8Array(0) } },
    { type: 'FreeCallUserData', value: { address: '0xAbCdEf0123456789aBcDeF0123456789AbCdEf01', userId: 'user@example.com', freeCallsMade: 7n, organizationId: 'snet', serviceId: 'example-service', groupId: 'EoFmN3nvaXpf6ew8jJbIPVghE5NXfYupFF7PkRmVyGQ=' } },
    { type: 'FreeCallUserData', value: { address: '', userId: '', freeCallsMade: 0n, organizationId: '', serviceId: '', groupId: '' } },
    { type: 'FreeCallUserData', value: { address: 'ünïcödé ✓', userId: 'x'.repeat(300), freeCallsMade: 2n ** 63n - 1n, organizationId: 'o', serviceId: 's', groupId: 'g/+=' } },
    { type: 'FreeCallUserData', value: { address: '0x01', userId: '', freeCallsMade: -1n, organizationId: '', serviceId: '', groupId: '' } },
    { type: 'PrePaidData', value: { amount: 0n } },
    { type: 'PrePaidData', value: { amount: undefined } },
    { type: 'PrePaidData', value: { amount: 127n } },
    { type: 'PrePaidData', value: { amount: 128n } },
    { type: 'PrePaidData', value: { amount: MAX_UINT256 } },
  ];
}

const uint256 = fc.oneof(
  fc.constantFrom(0n, 1n, 127n, 128n, 255n, 256n, 2n ** 64n - 1n, 2n ** 64n, MAX_UINT256),
  fc.bigInt({ min: 0n, max: 2n ** 64n }),
  fc.bigInt({ min: 0n, max: MAX_UINT256 }),
);
const bigField = fc.option(uint256, { nil: undefined, freq: 8 });
const int64 = fc.oneof(fc.constantFrom(0n, 1n, -1n), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
const fixed = (length: number): fc.Arbitrary<Uint8Array> =>
  fc.oneof(fc.constant(new Uint8Array(length)), fc.uint8Array({ minLength: length, maxLength: length }));
const slice = fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ minLength: 65, maxLength: 65 }), fc.uint8Array({ maxLength: 300 }));
const text = fc.oneof(fc.constant(''), fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 20 }));

const channelArb = fc.record({
  channelId: bigField,
  nonce: bigField,
  state: fc.oneof(fc.constantFrom(0n, 1n), int64),
  sender: fixed(20),
  recipient: fixed(20),
  groupId: fixed(32),
  fullAmount: bigField,
  expiration: bigField,
  signer: fixed(20),
  authorizedAmount: bigField,
  signature: slice,
});

const valueArb: fc.Arbitrary<GoValue> = fc.oneof(
  channelArb.map((value): GoValue => ({ type: 'PaymentChannelData', value })),
  fc
    .record({ mpeContractAddress: fixed(20), channelId: bigField, channelNonce: bigField, amount: bigField, signature: slice })
    .map((value): GoValue => ({ type: 'Payment', value })),
  fc
    .record({ address: text, userId: text, freeCallsMade: int64, organizationId: text, serviceId: text, groupId: text })
    .map((value): GoValue => ({ type: 'FreeCallUserData', value })),
  fc.record({ amount: bigField }).map((value): GoValue => ({ type: 'PrePaidData', value })),
);

/** `count` random values of the four types, reproducible from `seed`. */
export function randomValues(seed: number, count: number): GoValue[] {
  // fc.record builds null-prototype objects; deepEqual against decoded (plain) objects needs plain ones.
  return fc.sample(valueArb, { seed, numRuns: count }).map((v) => ({ ...v, value: { ...v.value } }) as GoValue);
}
