import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { toChecksumAddress } from './address.ts';
import { keccak256 } from './keccak.ts';

/** Which secp256k1 implementation recovers signatures. */
export type SignatureBackend = 'native' | 'js';

/**
 * Why a signature could not be recovered. `message` is the reference's internal text
 * (`[D] utils/auth_utils.go`), which some daemon RPCs pass on to the client verbatim (e.g. free calls:
 * `sign is not valid: incorrect signature length`).
 */
export interface SignatureRecoveryError {
  /** `SIGNATURE_LENGTH`: not 65 bytes; `SIGNATURE_RECOVERY_ID`: v ∉ {0,1,27,28}; `SIGNATURE_UNRECOVERABLE`: r/s out of range or no curve point. */
  readonly code: 'SIGNATURE_LENGTH' | 'SIGNATURE_RECOVERY_ID' | 'SIGNATURE_UNRECOVERABLE';
  readonly message: 'incorrect signature length' | 'incorrect signature data';
}

/** The outcome of a recovery: the signer or why there is none. Never throws for bad signatures. */
export type RecoverResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SignatureRecoveryError };

/** Recovers the Ethereum address that signed a 32-byte digest; created once at start-up by {@link createSignatureRecoverer}. */
export interface SignatureRecoverer {
  /** The implementation in use (`native` = the libsecp256k1 addon, about 24× faster than `js`). */
  readonly backend: SignatureBackend;
  /** Why `native` was asked for but `js` is used (addon missing for this platform, failed self-test); else `undefined`. */
  readonly fallbackReason: string | undefined;
  /**
   * The signer's 20 address bytes for a 65-byte `r ‖ s ‖ v` signature over `digest32` (the hot path:
   * compare bytes, as the reference compares `common.Address`). Throws a `RangeError` only when
   * `digest32` is not 32 bytes, which is a bug in the caller.
   */
  recoverAddressBytes(digest32: Uint8Array, signature: Uint8Array): RecoverResult<Uint8Array>;
  /**
   * As {@link SignatureRecoverer.recoverAddressBytes}, stopping at the signer's uncompressed public key
   * (65 bytes, `0x04 ‖ X ‖ Y`): for callers that remember the key → address step ({@link publicKeyToAddressBytes}, one keccak).
   */
  recoverPublicKey(digest32: Uint8Array, signature: Uint8Array): RecoverResult<Uint8Array>;
  /** As {@link SignatureRecoverer.recoverAddressBytes}, returning the EIP-55 checksummed address. */
  recoverSigner(digest32: Uint8Array, signature: Uint8Array): RecoverResult<string>;
}

/** Options of {@link createSignatureRecoverer}. */
export interface SignatureRecovererOptions {
  /** Preferred backend. @default 'native' */
  readonly prefer?: SignatureBackend;
  /** Throw at start-up instead of falling back to `js` when `native` cannot be used. @default false */
  readonly requireNative?: boolean;
  /**
   * Loads the native addon (`secp256k1/bindings.js` by default). @internal For tests of the fallback path.
   */
  readonly loadNativeAddon?: () => unknown;
}

type RawRecover = (signature64: Uint8Array, recoveryId: number, digest32: Uint8Array) => Uint8Array | undefined;

const LENGTH_ERROR: RecoverResult<never> = { ok: false, error: { code: 'SIGNATURE_LENGTH', message: 'incorrect signature length' } };
const RECOVERY_ID_ERROR: RecoverResult<never> = { ok: false, error: { code: 'SIGNATURE_RECOVERY_ID', message: 'incorrect signature data' } };
const UNRECOVERABLE_ERROR: RecoverResult<never> = { ok: false, error: { code: 'SIGNATURE_UNRECOVERABLE', message: 'incorrect signature data' } };

/**
 * Recovery id from the last signature byte. The reference uses `v % 27` (`[D] utils/auth_utils.go`), so wallets'
 * 27/28 and raw 0/1 both work (§3.2). We accept exactly {0,1,27,28}: Go would also take 54, 55, 81, …
 * (≡ 0/1 mod 27) and try ids 2/3 for 2, 3, 29, 30, which no client produces; rejecting them removes
 * extra encodings of one signature. Returns -1 for anything else.
 */
function recoveryIdOf(v: number): number {
  if (v === 0 || v === 1) return v;
  if (v === 27 || v === 28) return v - 27;
  return -1;
}

/** Uncompressed public key (0x04 ‖ X ‖ Y, 65 bytes) → its address: the last 20 bytes of keccak256(X ‖ Y). */
export function publicKeyToAddressBytes(publicKey65: Uint8Array): Uint8Array {
  return keccak256(publicKey65.subarray(1)).slice(12);
}

// High-s is accepted on purpose by both backends: go-ethereum `crypto.SigToPub` does not enforce low-s (§3.2, §17 item 9).
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
// when the addon fails to load (ecosystem.md §3), and we want to know.
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

// Known answer from `[D] escrow/validation_test.go` (payments.md §3.5): proves a backend really works before we trust it.
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

/**
 * Builds the recoverer used for every signature check. With `prefer: 'native'` (default) it loads the
 * prebuilt libsecp256k1 N-API addon and checks it on a known vector; if that fails it falls back to
 * `@noble/curves` and says why in `fallbackReason` (or throws an `Error` when `requireNative` is set).
 */
export function createSignatureRecoverer(options: SignatureRecovererOptions = {}): SignatureRecoverer {
  const prefer = options.prefer ?? 'native';
  let backend: SignatureBackend = 'js';
  let recover = jsRecover;
  let fallbackReason: string | undefined;
  if (prefer === 'native') {
    const native = loadNative(options.loadNativeAddon ?? requireBindings);
    if ('recover' in native) {
      if (passesSelfTest(native.recover)) {
        backend = 'native';
        recover = native.recover;
      } else {
        fallbackReason = 'native secp256k1 addon failed its self-test';
      }
    } else {
      fallbackReason = native.reason;
    }
    if (fallbackReason !== undefined && options.requireNative === true) throw new Error(fallbackReason);
  }

  const recoverPublicKey = (digest32: Uint8Array, signature: Uint8Array): RecoverResult<Uint8Array> => {
    if (digest32.length !== 32) throw new RangeError(`recoverAddressBytes: digest must be 32 bytes, got ${digest32.length}`);
    if (signature.length !== 65) return LENGTH_ERROR;
    const recoveryId = recoveryIdOf(signature[64] as number);
    if (recoveryId < 0) return RECOVERY_ID_ERROR;
    const publicKey = recover(signature.subarray(0, 64), recoveryId, digest32);
    if (publicKey === undefined) return UNRECOVERABLE_ERROR;
    return { ok: true, value: publicKey };
  };

  const recoverAddressBytes = (digest32: Uint8Array, signature: Uint8Array): RecoverResult<Uint8Array> => {
    const result = recoverPublicKey(digest32, signature);
    return result.ok ? { ok: true, value: publicKeyToAddressBytes(result.value) } : result;
  };

  return {
    backend,
    fallbackReason,
    recoverAddressBytes,
    recoverPublicKey,
    recoverSigner(digest32, signature) {
      const result = recoverAddressBytes(digest32, signature);
      return result.ok ? { ok: true, value: toChecksumAddress(result.value) } : result;
    },
  };
}
