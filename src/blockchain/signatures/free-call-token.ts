import { concatBytes } from '@noble/hashes/utils.js';
import { encodeString } from './packed-encoding.ts';

/** A parsed free-call token: the daemon's M8 signature and the expiry block it covers. */
export interface FreeCallToken {
  /** Everything before the last `_`: normally the 65-byte M8 signature (v ∈ {0,1}). */
  readonly signature: Uint8Array;
  readonly expiryBlock: bigint;
}

/** Outcome of {@link parseFreeCallToken}; `error` is the reference's text (clients see `invalid token: <error>`). */
export type FreeCallTokenResult =
  | { readonly ok: true; readonly value: FreeCallToken }
  | { readonly ok: false; readonly error: "no '_' found" | 'invalid block number' };

const UNDERSCORE = 0x5f;
const DECIMAL = /^[0-9]{1,78}$/;

/**
 * The token `GetFreeCallToken` returns (Go `escrow/validation.go` `NewFreeCallToken`): `signature ‖ "_" ‖ ASCII decimal(expiryBlock)`.
 * Throws a `RangeError` for a negative expiry (a bug in the caller).
 */
export function encodeFreeCallToken(signature: Uint8Array, expiryBlock: bigint): Uint8Array {
  if (expiryBlock < 0n) throw new RangeError(`expiry block must not be negative: ${expiryBlock}`);
  return concatBytes(signature, encodeString(`_${expiryBlock}`));
}

/**
 * Splits a free-call token on its **last** `_` (the signature bytes may contain 0x5f), as
 * Go `escrow/validation.go` `ParseFreeCallToken`. The suffix must be plain decimal: Go's base-10
 * `SetString` would also take a sign, which no daemon ever writes.
 */
export function parseFreeCallToken(token: Uint8Array): FreeCallTokenResult {
  const index = token.lastIndexOf(UNDERSCORE);
  if (index === -1) return { ok: false, error: "no '_' found" };
  const suffix = new TextDecoder().decode(token.subarray(index + 1));
  if (!DECIMAL.test(suffix)) return { ok: false, error: 'invalid block number' };
  return { ok: true, value: { signature: token.slice(0, index), expiryBlock: BigInt(suffix) } };
}
