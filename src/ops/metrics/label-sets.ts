// The bounded label values of the daemon's metrics: nothing a client sends becomes a label as is. A client's
// method, payment type or error maps onto one of these lists, or onto its catch-all.

/** gRPC status names by code, index = label index; 17 = the snet custom 1000, 18 = any other code. */
export const statusLabels: readonly string[] = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
  'SNET_INCORRECT_NONCE',
  'OTHER',
];

/** Label index of a numeric gRPC status. */
export function statusIndex(code: number): number {
  if (code >= 0 && code <= 16 && Number.isInteger(code)) return code;
  return code === 1000 ? 17 : 18;
}

/**
 * Statuses that count as errors for the error-rate alert: the daemon or the service failed. Client-side
 * outcomes (cancelled, bad argument, refused payment, not found…) are not the owner's problem.
 */
export const serverErrorStatuses: ReadonlySet<number> = new Set([2, 4, 13, 14, 15]);

/** Payment types: `none` (free daemon methods, blockchain off), the reference's four, and `other`. */
export const paymentTypeLabels: readonly string[] = ['none', 'escrow', 'free-call', 'prepaid-call', 'train-call', 'other'];

const paymentTypeIndexes = new Map(paymentTypeLabels.map((label, index) => [label, index]));

/** Label index of a payment type name (`other` for anything unknown). */
export function paymentTypeIndex(type: string): number {
  return paymentTypeIndexes.get(type) ?? paymentTypeLabels.length - 1;
}

/**
 * Payment outcomes: `accepted`, then one refusal reason per payment error code (the code without `PAYMENT_`,
 * lower case), and `other` for a refusal this list does not know yet (a newer code).
 */
export const paymentOutcomeLabels: readonly string[] = [
  'accepted',
  'header_missing',
  'header_repeated',
  'header_invalid',
  'type_unknown',
  'type_unsupported',
  'channel_lock_failed',
  'concurrent_call',
  'channel_read_failed',
  'wrong_recipient',
  'wrong_group',
  'channel_not_found',
  'nonce_mismatch',
  'signature_invalid',
  'wrong_signer',
  'block_unavailable',
  'channel_expired',
  'insufficient_funds',
  'amount_mismatch',
  'price_undefined',
  'commit_failed',
  'pricing_invalid',
  'dynamic_price_failed',
  'service_rejected',
  'type_unimplemented',
  'user_not_allowed',
  'prepaid_token_invalid',
  'usage_exceeded',
  'free_call_unauthenticated',
  'free_call_expired',
  'free_call_limit',
  'free_call_busy',
  'free_call_storage_failed',
  'free_call_balance_too_low',
  'other',
];

const outcomeIndexes = new Map(paymentOutcomeLabels.map((label, index) => [`PAYMENT_${label.toUpperCase()}`, index]));

/** Label index of a refusal by error code (`PAYMENT_INSUFFICIENT_FUNDS` → `insufficient_funds`). */
export function paymentRefusalIndex(errorCode: string): number {
  return outcomeIndexes.get(errorCode) ?? paymentOutcomeLabels.length - 1;
}

/** Dependencies whose failures are counted and alerted on. */
export const dependencyLabels: readonly string[] = ['storage', 'chain'];

/** Client connection protocols as the listener tells them apart. */
export const connectionProtocolLabels: readonly string[] = ['h2c', 'h2', 'http1', 'https1'];
