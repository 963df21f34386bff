import { keccak_256 } from '@noble/hashes/sha3.js';

/**
 * Ethereum Keccak-256 of `data` (32 bytes). This is the pre-standard Keccak padding that
 * Ethereum uses, not NIST SHA3-256 (payments.md §3.1); Node's `crypto` has no Keccak, so
 * `@noble/hashes` does it (faster than a native call for inputs under ~100 B, ecosystem.md §3).
 */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}
