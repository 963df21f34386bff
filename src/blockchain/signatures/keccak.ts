import { keccak_256, keccakP } from '@noble/hashes/sha3.js';

/**
 * Ethereum Keccak-256 of `data` (32 bytes). This is the pre-standard Keccak padding that
 * Ethereum uses, not NIST SHA3-256; Node's `crypto` has no Keccak, so
 * `@noble/hashes` does it (faster than a native call for inputs under ~100 B).
 */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak256Concat(data, EMPTY);
}

/**
 * Keccak-256 of `a ‖ b` without building the concatenation. Inputs that fit one sponge block (under 136 bytes
 * together: every hash of a paid call — M1, the EIP-191 wrapper, a public key) are absorbed into one reused
 * state and permuted with noble's `keccakP`: no hasher object, no copies. Anything longer goes through noble's
 * `keccak_256`. Same result either way (property-tested against `keccak_256`).
 */
export function keccak256Concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const length = a.length + b.length;
  if (!LITTLE_ENDIAN || length >= RATE_BYTES) return keccak_256(b.length === 0 ? a : concat(a, b));
  // Synchronous use of a module-level state is safe: JavaScript runs one call at a time per thread.
  state32.fill(0);
  state.set(a, 0);
  state.set(b, a.length);
  // Keccak padding pad10*1 with Ethereum's domain byte 0x01 (SHA3 would use 0x06).
  state[length] = 0x01;
  state[RATE_BYTES - 1] = (state[RATE_BYTES - 1] as number) | 0x80;
  keccakP(state32, 24);
  return state.slice(0, 32);
}

const EMPTY = new Uint8Array(0);
/** Bytes per block of Keccak-256 (1600 − 2·256 bits). */
const RATE_BYTES = 136;
// noble keeps the 25 lanes as little-endian u32 pairs; on a big-endian host it byte-swaps, so only the
// little-endian layout may be filled through a byte view directly (every platform Node ships for is LE).
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const state32 = new Uint32Array(50);
const state = new Uint8Array(state32.buffer);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
