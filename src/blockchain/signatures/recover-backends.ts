import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak256 } from './keccak.ts';

/** Which secp256k1 implementation recovers signatures. */
export type SignatureBackend = 'native' | 'js';

/**
 * Recovers the uncompressed public key (65 bytes, `0x04 ‖ X ‖ Y`) from a 64-byte `r ‖ s`, a recovery id 0/1
 * and a 32-byte digest; `undefined` when no key can be recovered. Never throws.
 */
export type RawRecover = (signature64: Uint8Array, recoveryId: number, digest32: Uint8Array) => Uint8Array | undefined;

/** Uncompressed public key (0x04 ‖ X ‖ Y, 65 bytes) → its address: the last 20 bytes of keccak256(X ‖ Y). */
export function publicKeyToAddressBytes(publicKey65: Uint8Array): Uint8Array {
  return keccak256(publicKey65.subarray(1)).slice(12);
}

// High-s is accepted on purpose by both backends: go-ethereum `crypto.SigToPub` does not enforce low-s (Go `utils/auth_utils.go`).
const jsRecover: RawRecover = (signature64, recoveryId, digest32) => {
  try {
    const point = secp256k1.Signature.fromBytes(signature64, 'compact').addRecoveryBit(recoveryId).recoverPublicKey(digest32);
    return point.toBytes(false);
  } catch {
    return undefined;
  }
};

interface NativeSecp256k1 {
  ecdsaRecover(signature: Uint8Array, recid: number, message: Uint8Array, compressed?: boolean): Uint8Array;
}

// `secp256k1/bindings.js`, not the package root: the root silently falls back to the `elliptic` JS code
// when the addon fails to load (the package's `index.js`), and we want to know.
const requireBindings = (): unknown => createRequire(import.meta.url)('secp256k1/bindings.js');

function loadNative(load: () => unknown): { recover: RawRecover } | { reason: string } {
  let addon: NativeSecp256k1;
  try {
    addon = load() as NativeSecp256k1;
  } catch (error) {
    return { reason: `native secp256k1 addon not loadable: ${error instanceof Error ? error.message : String(error)}` };
  }
  const recover: RawRecover = (signature64, recoveryId, digest32) => {
    try {
      return addon.ecdsaRecover(signature64, recoveryId, digest32, false);
    } catch {
      return undefined;
    }
  };
  return { recover };
}

// Known answer from Go `escrow/validation_test.go` (`TestGetPublicKeyFromPayment`): proves a backend really works before we trust it.
const SELF_TEST_DIGEST = Uint8Array.from(Buffer.from('a844e6defd97fac28d0662b8d0c985dc2a71006182f01dc94a7195a46f0e262f', 'hex'));
const SELF_TEST_SIGNATURE = Uint8Array.from(
  Buffer.from(
    'a4d2ae6f3edd1f7fe77e4f6f78ba18d62e6093bcae01ef86d5de902d33662fa372011287ea2d8d8436d9db8a366f43480678df25453b484c67f80941ef2c05ef',
    'hex',
  ),
);
const SELF_TEST_ADDRESS = '77d524c6e0fd652aa9a9bfcad1d92fe0781767df';

function passesSelfTest(recover: RawRecover): boolean {
  const publicKey = recover(SELF_TEST_SIGNATURE, 1, SELF_TEST_DIGEST);
  return publicKey !== undefined && Buffer.from(publicKeyToAddressBytes(publicKey)).toString('hex') === SELF_TEST_ADDRESS;
}

/** The backend chosen by {@link selectRecoverBackend}. */
export interface RecoverBackend {
  readonly backend: SignatureBackend;
  readonly recover: RawRecover;
  /** Why `native` was asked for but `js` is used; else `undefined`. */
  readonly fallbackReason: string | undefined;
}

/**
 * With `prefer: 'native'` loads the prebuilt libsecp256k1 N-API addon and checks it on a known vector; if that
 * fails, `@noble/curves` with the reason (or an `Error` when `requireNative`). Used by the main thread and by
 * each recovery worker thread, so both always run a self-tested backend.
 */
export function selectRecoverBackend(prefer: SignatureBackend, requireNative: boolean, loadNativeAddon: () => unknown = requireBindings): RecoverBackend {
  if (prefer === 'js') return { backend: 'js', recover: jsRecover, fallbackReason: undefined };
  const native = loadNative(loadNativeAddon);
  let fallbackReason: string;
  if ('recover' in native) {
    if (passesSelfTest(native.recover)) return { backend: 'native', recover: native.recover, fallbackReason: undefined };
    fallbackReason = 'native secp256k1 addon failed its self-test';
  } else {
    fallbackReason = native.reason;
  }
  if (requireNative) throw new Error(fallbackReason);
  return { backend: 'js', recover: jsRecover, fallbackReason };
}
