import { keccak256, keccak256Concat } from './keccak.ts';

/** The EIP-191 prefix for a 32-byte payload, exactly as Go `utils/auth_utils.go` `HashPrefix32Bytes`. */
export const ETH_SIGNED_MESSAGE_PREFIX_32: Uint8Array = new TextEncoder().encode('\x19Ethereum Signed Message:\n32');

/**
 * The EIP-191 `personal_sign` digest of a 32-byte hash: `keccak256(prefix32 ‖ hash32)`.
 * Throws a `RangeError` when `hash32` is not 32 bytes (a bug in the caller, never client input).
 */
export function hashPersonalMessage32(hash32: Uint8Array): Uint8Array {
  if (hash32.length !== 32) throw new RangeError(`hashPersonalMessage32: expected 32 bytes, got ${hash32.length}`);
  return keccak256Concat(ETH_SIGNED_MESSAGE_PREFIX_32, hash32);
}

/**
 * The digest every snetd signature is made over (Go `utils/auth_utils.go` `GetSignerAddressFromMessage`):
 * `keccak256("\x19Ethereum Signed Message:\n32" ‖ keccak256(message))`.
 * Clients get here with `solidityKeccak(...)` then `signMessage(bytes(hash))`; the MPE contract with `prefixed()`.
 */
export function hashSignedMessage(message: Uint8Array): Uint8Array {
  return hashPersonalMessage32(keccak256(message));
}
