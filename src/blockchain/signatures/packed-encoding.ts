import { bytesToHex } from '@noble/hashes/utils.js';
import { addressToBytes, type AddressInput } from './address.ts';

/** 2^256 − 1, the largest value a `uint256` word holds. */
export const MAX_UINT256: bigint = (1n << 256n) - 1n;

/**
 * `U256(x)`: the 32-byte big-endian word `abi.encodePacked(uint256 x)` produces (payments.md §0).
 * Throws a `RangeError` for a negative value or one above 2^256−1. The reference silently encodes
 * |x| and truncates to the low 32 bytes (`[D] escrow/validation.go` `bigIntToBytes`, §3.3); our
 * header parsers reject such values first, so reaching this throw is a bug.
 */
export function encodeUint256(value: bigint): Uint8Array {
  if (value < 0n || value > MAX_UINT256) throw new RangeError(`uint256 out of range: ${value}`);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  let rest = value;
  for (let offset = 24; offset >= 0; offset -= 8) {
    view.setBigUint64(offset, rest & 0xffffffffffffffffn);
    rest >>= 64n;
  }
  return out;
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
 * `bytes` integers (`bytesToBigInt` = Go `SetBytes`, §3.3): empty means 0, leading zeros are fine.
 */
export function decodeUint(bytes: Uint8Array): bigint {
  // Through hex, not a shift loop: linear in the length even for a hostile multi-megabyte value.
  return bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`);
}
