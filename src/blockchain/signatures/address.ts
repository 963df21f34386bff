import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { keccak256 } from './keccak.ts';

/** An Ethereum address as text (`0x` + 40 hex digits, any case) or as its 20 raw bytes. */
export type AddressInput = string | Uint8Array;

const HEX_ADDRESS = /^(0x|0X)?[0-9a-fA-F]{40}$/;

/**
 * True when `text` is 40 hex digits with an optional `0x`, in any case — the same rule as
 * go-ethereum `common.IsHexAddress`, which the reference uses; the EIP-55 checksum is not enforced.
 */
export function isHexAddress(text: string): boolean {
  return HEX_ADDRESS.test(text);
}

/** The 20 bytes of `text`, or `undefined` when it is not a hex address ({@link isHexAddress}). */
export function parseAddress(text: string): Uint8Array | undefined {
  if (!HEX_ADDRESS.test(text)) return undefined;
  return hexToBytes(text.length === 42 ? text.slice(2) : text);
}

/**
 * The 20 bytes of an address given as text or bytes. Throws a `TypeError` when it is not an
 * address: callers pass configuration or already-validated values here, never raw client input.
 */
export function addressToBytes(address: AddressInput): Uint8Array {
  if (typeof address !== 'string') {
    if (address.length !== 20) throw new TypeError(`expected a 20-byte address, got ${address.length} bytes`);
    return address;
  }
  const bytes = parseAddress(address);
  if (bytes === undefined) throw new TypeError(`not a hex address: "${address}"`);
  return bytes;
}

/**
 * The EIP-55 mixed-case checksum form (`0x…`) of an address; input case does not matter.
 * Throws a `TypeError` when `address` is not an address.
 */
export function toChecksumAddress(address: AddressInput): string {
  const lower = bytesToHex(addressToBytes(address));
  const hash = bytesToHex(keccak256(new TextEncoder().encode(lower)));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const c = lower[i] as string;
    // EIP-55: upper-case a letter when the matching nibble of keccak(lowercase hex) is >= 8.
    out += c >= 'a' && parseInt(hash[i] as string, 16) >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

/** True when two addresses are the same 20 bytes (case and checksum ignored), as Go compares `common.Address`. */
export function addressesEqual(a: AddressInput, b: AddressInput): boolean {
  const x = addressToBytes(a);
  const y = addressToBytes(b);
  for (let i = 0; i < 20; i++) if (x[i] !== y[i]) return false;
  return true;
}
