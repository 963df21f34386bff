import { PaymentError } from '../payment-error.ts';

// Client-visible free-call refusals with the reference's texts (Go `escrow/free_call_payment_handler.go`,
// `escrow/validation.go`, `escrow/free_call.go`). A {@link FreeCallRefusal} is the bare text the reference's
// FreeCallStateService returns as a plain error; the paid-call path wraps it with its status code.

/** Why a free call (or a free-call state request) is refused, before it becomes a call error or a service error. */
export interface FreeCallRefusal {
  readonly kind: 'unauthenticated' | 'expired';
  /** The reference's text without the paid path's `internal error: ` prefix. */
  readonly text: string;
}

/** `sign is not valid: <reason>`: the user signature (or the token signature) cannot be recovered, or its signer is not the sender. */
export function signNotValid(reason: string): FreeCallRefusal {
  return { kind: 'unauthenticated', text: `sign is not valid: ${reason}` };
}

/** The token was not signed by the service's `free_call_signer_address`. */
export const TOKEN_SIGN_NOT_VALID: FreeCallRefusal = { kind: 'unauthenticated', text: 'token sign is not valid' };
/** The token's expiry block is before the current block. */
export const TOKEN_EXPIRED: FreeCallRefusal = { kind: 'expired', text: 'authentication failed as the Free Call Token passed has expired' };
/** `snet-current-block-number` / `current_block` is more than 5 blocks from the chain. */
export const SIGNATURE_EXPIRED: FreeCallRefusal = { kind: 'expired', text: 'authentication failed as the signature passed has expired' };

/** The paid-call error for a refusal: UNAUTHENTICATED as sent, expiries INTERNAL `internal error: …` like the reference. */
export function freeCallRefusalError(refusal: FreeCallRefusal): PaymentError {
  return refusal.kind === 'unauthenticated'
    ? new PaymentError('PAYMENT_FREE_CALL_UNAUTHENTICATED', refusal.text)
    : new PaymentError('PAYMENT_FREE_CALL_EXPIRED', `internal error: ${refusal.text}`);
}

/** INTERNAL `internal error: free call limit has been exceeded, calls made = <made>, total free calls eligible = <allowed>`. */
export function freeCallLimitError(made: number, allowed: number): PaymentError {
  return new PaymentError('PAYMENT_FREE_CALL_LIMIT', `internal error: free call limit has been exceeded, calls made = ${made}, total free calls eligible = ${allowed}`, {
    details: { made, allowed },
  });
}

/** FAILED_PRECONDITION `another transaction on this user: {ID:<key>} is in progress`. */
export function freeCallBusyError(userKey: string): PaymentError {
  return new PaymentError('PAYMENT_FREE_CALL_BUSY', `another transaction on this user: {ID:${userKey}} is in progress`);
}

/** INTERNAL `cannot get mutex for user: {ID:<key>}`: the counter storage failed (cause in logs). */
export function freeCallStorageError(userKey: string, cause?: unknown): PaymentError {
  return new PaymentError('PAYMENT_FREE_CALL_STORAGE_FAILED', `cannot get mutex for user: {ID:${userKey}}`, { cause });
}

/** PERMISSION_DENIED `you must have at least <min> FET (ASI) in your balance to use free calls` (GetFreeCallToken). */
export function freeCallBalanceError(minBalance: bigint, cause?: unknown): PaymentError {
  return new PaymentError('PAYMENT_FREE_CALL_BALANCE_TOO_LOW', `you must have at least ${minBalance} FET (ASI) in your balance to use free calls`, cause === undefined ? {} : { cause });
}
