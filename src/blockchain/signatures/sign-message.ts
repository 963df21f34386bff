import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { toChecksumAddress } from './address.ts';
import { keccak256 } from './keccak.ts';
import { hashSignedMessage } from './signed-message-hash.ts';

/** A secp256k1 private key: 32 bytes, or 64 hex digits with or without `0x`. */
export type PrivateKeyInput = string | Uint8Array;

/** Options of {@link signDigest} / {@link signMessage}. */
export interface SignOptions {
  /**
   * The last signature byte: `'eth'` puts 27/28 (wallets, the SDKs, snet-cli, Solidity `ecrecover`); `'raw'`
   * puts 0/1 like go-ethereum `crypto.Sign`, which the reference uses for the tokens it signs itself (Go `utils/auth_utils.go` `GetSignature`).
   * @default 'eth'
   */
  readonly recoveryByte?: 'eth' | 'raw';
}

function privateKeyBytes(privateKey: PrivateKeyInput): Uint8Array {
  const bytes = typeof privateKey === 'string' ? hexToBytes(privateKey.replace(/^0x/i, '')) : privateKey;
  if (!secp256k1.utils.isValidSecretKey(bytes)) throw new TypeError('not a valid secp256k1 private key');
  return bytes;
}

/**
 * Signs a 32-byte digest deterministically (RFC 6979, low-s), returning 65 bytes `r ‖ s ‖ v`.
 * For tests, the dev chain, CLI clients and the daemon's own tokens; throws a `TypeError` for a bad key.
 */
export function signDigest(privateKey: PrivateKeyInput, digest32: Uint8Array, options: SignOptions = {}): Uint8Array {
  if (digest32.length !== 32) throw new RangeError(`signDigest: digest must be 32 bytes, got ${digest32.length}`);
  // noble's 'recovered' format is recovery ‖ r ‖ s; Ethereum wants r ‖ s ‖ v.
  const recovered = secp256k1.sign(digest32, privateKeyBytes(privateKey), { prehash: false, format: 'recovered' });
  const out = new Uint8Array(65);
  out.set(recovered.subarray(1, 65), 0);
  out[64] = (recovered[0] as number) + (options.recoveryByte === 'raw' ? 0 : 27);
  return out;
}

/** Signs `message` the way snetd checks it: {@link signDigest} over {@link hashSignedMessage}(message). */
export function signMessage(privateKey: PrivateKeyInput, message: Uint8Array, options: SignOptions = {}): Uint8Array {
  return signDigest(privateKey, hashSignedMessage(message), options);
}

/** The EIP-55 address of a private key. Throws a `TypeError` for a bad key. */
export function privateKeyToAddress(privateKey: PrivateKeyInput): string {
  const publicKey = secp256k1.getPublicKey(privateKeyBytes(privateKey), false);
  return toChecksumAddress(keccak256(publicKey.subarray(1)).slice(12));
}
