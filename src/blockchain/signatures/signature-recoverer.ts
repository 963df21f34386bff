import { toChecksumAddress } from './address.ts';
import { publicKeyToAddressBytes, selectRecoverBackend, type SignatureBackend } from './recover-backends.ts';
import { createRecoveryThreads } from './recovery-threads.ts';

export { publicKeyToAddressBytes, type SignatureBackend } from './recover-backends.ts';

/**
 * Why a signature could not be recovered. `message` is the reference's internal text
 * (Go `utils/auth_utils.go`), which some daemon RPCs pass on to the client verbatim (e.g. free calls:
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
  /** Worker threads recovering signatures (0: all on the calling thread). */
  readonly threads: number;
  /**
   * As {@link SignatureRecoverer.recoverPublicKey}, on a worker thread when there is one (the event loop goes on
   * with other calls meanwhile), else inline. Never rejects; throws a `RangeError` only for a digest that is not
   * 32 bytes (a bug in the caller).
   */
  recoverPublicKeyAsync(digest32: Uint8Array, signature: Uint8Array): Promise<RecoverResult<Uint8Array>>;
  /** Stops the worker threads (recovery continues inline). */
  close(): Promise<void>;
}

/** Options of {@link createSignatureRecoverer}. */
export interface SignatureRecovererOptions {
  /** Preferred backend. @default 'native' */
  readonly prefer?: SignatureBackend;
  /** Throw at start-up instead of falling back to `js` when `native` cannot be used. @default false */
  readonly requireNative?: boolean;
  /**
   * Worker threads for {@link SignatureRecoverer.recoverPublicKeyAsync} (0 = none: recover on the calling thread).
   * @default 0
   */
  readonly threads?: number;
  /** Told when a worker thread stops working (recovery goes on without it). @default ignored */
  readonly onThreadProblem?: (message: string) => void;
  /**
   * Loads the native addon (`secp256k1/bindings.js` by default). @internal For tests of the fallback path.
   */
  readonly loadNativeAddon?: () => unknown;
}

const LENGTH_ERROR: RecoverResult<never> = { ok: false, error: { code: 'SIGNATURE_LENGTH', message: 'incorrect signature length' } };
const RECOVERY_ID_ERROR: RecoverResult<never> = { ok: false, error: { code: 'SIGNATURE_RECOVERY_ID', message: 'incorrect signature data' } };
const UNRECOVERABLE_ERROR: RecoverResult<never> = { ok: false, error: { code: 'SIGNATURE_UNRECOVERABLE', message: 'incorrect signature data' } };

/**
 * Recovery id from the last signature byte. The reference uses `v % 27` (Go `utils/auth_utils.go`), so wallets'
 * 27/28 and raw 0/1 both work. We accept exactly {0,1,27,28}: Go would also take 54, 55, 81, …
 * (≡ 0/1 mod 27) and try ids 2/3 for 2, 3, 29, 30, which no client produces; rejecting them removes
 * extra encodings of one signature. Returns -1 for anything else.
 */
function recoveryIdOf(v: number): number {
  if (v === 0 || v === 1) return v;
  if (v === 27 || v === 28) return v - 27;
  return -1;
}

/**
 * Builds the recoverer used for every signature check. With `prefer: 'native'` (default) it loads the
 * prebuilt libsecp256k1 N-API addon and checks it on a known vector; if that fails it falls back to
 * `@noble/curves` and says why in `fallbackReason` (or throws an `Error` when `requireNative` is set).
 * With `threads > 0` it also starts that many worker threads for {@link SignatureRecoverer.recoverPublicKeyAsync}.
 */
export function createSignatureRecoverer(options: SignatureRecovererOptions = {}): SignatureRecoverer {
  const selected = selectRecoverBackend(options.prefer ?? 'native', options.requireNative === true, options.loadNativeAddon);
  const { backend, recover, fallbackReason } = selected;
  const threadCount = Math.max(0, Math.floor(options.threads ?? 0));
  const pool =
    threadCount === 0 ? undefined : createRecoveryThreads({ threads: threadCount, backend, inline: recover, onProblem: options.onThreadProblem ?? (() => undefined) });

  /** The recovery id, or why the signature is refused before any curve work. */
  const precheck = (digest32: Uint8Array, signature: Uint8Array): number | RecoverResult<never> => {
    if (digest32.length !== 32) throw new RangeError(`recoverAddressBytes: digest must be 32 bytes, got ${digest32.length}`);
    if (signature.length !== 65) return LENGTH_ERROR;
    const recoveryId = recoveryIdOf(signature[64] as number);
    return recoveryId < 0 ? RECOVERY_ID_ERROR : recoveryId;
  };
  const resultOf = (publicKey: Uint8Array | undefined): RecoverResult<Uint8Array> => (publicKey === undefined ? UNRECOVERABLE_ERROR : { ok: true, value: publicKey });

  const recoverPublicKey = (digest32: Uint8Array, signature: Uint8Array): RecoverResult<Uint8Array> => {
    const recoveryId = precheck(digest32, signature);
    if (typeof recoveryId !== 'number') return recoveryId;
    return resultOf(recover(signature.subarray(0, 64), recoveryId, digest32));
  };

  const recoverAddressBytes = (digest32: Uint8Array, signature: Uint8Array): RecoverResult<Uint8Array> => {
    const result = recoverPublicKey(digest32, signature);
    return result.ok ? { ok: true, value: publicKeyToAddressBytes(result.value) } : result;
  };

  return {
    backend,
    fallbackReason,
    threads: threadCount,
    recoverAddressBytes,
    recoverPublicKey,
    recoverSigner(digest32, signature) {
      const result = recoverAddressBytes(digest32, signature);
      return result.ok ? { ok: true, value: toChecksumAddress(result.value) } : result;
    },
    recoverPublicKeyAsync(digest32, signature) {
      if (pool === undefined) return Promise.resolve(recoverPublicKey(digest32, signature));
      const recoveryId = precheck(digest32, signature);
      if (typeof recoveryId !== 'number') return Promise.resolve(recoveryId);
      return pool.recover(digest32, signature.subarray(0, 64), recoveryId).then(resultOf);
    },
    close() {
      return pool === undefined ? Promise.resolve() : pool.close();
    },
  };
}
