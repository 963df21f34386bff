import { bytesToHex } from '@noble/hashes/utils.js';
import { addressToBytes, type AddressInput } from './address.ts';

/** 2^256 − 1, the largest value a `uint256` word holds. */
export const MAX_UINT256: bigint = (1n << 256n) - 1n;

/**
 * `U256(x)`: the 32-byte big-endian word `abi.encodePacked(uint256 x)` produces.
 * Throws a `RangeError` for a negative value or one above 2^256−1. The reference silently encodes
 * |x| and truncates to the low 32 bytes (Go `escrow/validation.go` `bigIntToBytes`); our
 * header parsers reject such values first, so reaching this throw is a bug.
 */
export function encodeUint256(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  writeUint256(out, 0, value);
  return out;
}

const MAX_UINT64 = 0xffffffffffffffffn;

/**
 * Writes `U256(value)` into `out[offset .. offset+32)` (which must be zero: a fresh array), without the
 * intermediate arrays of {@link encodeUint256}. Same range checks and RangeError.
 */
export function writeUint256(out: Uint8Array, offset: number, value: bigint): void {
  if (value < 0n || value > MAX_UINT256) throw new RangeError(`uint256 out of range: ${value}`);
  const view = new DataView(out.buffer, out.byteOffset + offset, 32);
  // Channel ids, nonces and amounts are below 2^64 in practice: one word, no BigInt arithmetic.
  if (value <= MAX_UINT64) {
    view.setBigUint64(24, value);
    return;
  }
  let rest = value;
  for (let at = 24; at >= 0; at -= 8) {
    view.setBigUint64(at, rest & MAX_UINT64);
    rest >>= 64n;
  }
}

/** `ADDR20(a)`: the 20 raw bytes of an address, as `abi.encodePacked(address a)`. Throws a `TypeError` for a non-address. */
export function encodeAddress(address: AddressInput): Uint8Array {
  return addressToBytes(address);
}

const utf8 = new TextEncoder();

/** `STR(s)`: the raw UTF-8 bytes of `s`, no length prefix, as `abi.encodePacked(string s)`. */
export function encodeString(text: string): Uint8Array {
  return utf8.encode(text);
}

/**
 * Unsigned big-endian bytes of any length as an integer, the way the reference reads proto
 * `bytes` integers (Go `escrow/validation.go` `bytesToBigInt` = `SetBytes`): empty means 0, leading zeros are fine.
 */
export function decodeUint(bytes: Uint8Array): bigint {
  // Through hex, not a shift loop: linear in the length even for a hostile multi-megabyte value.
  return bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`);
}
