import { SnetError, type ErrorCode, type SnetErrorOptions } from '../errors/index.ts';

/** The error codes of the payment domain (all `PAYMENT_*` codes of the catalogue). */
export type PaymentErrorCode = Extract<ErrorCode, `PAYMENT_${string}`>;

/**
 * An error of a payment check. `message` is the exact text the client receives (the Go daemon's
 * text, Go `handler/stream_interceptor.go` / `escrow/validation.go`), so it must not change; `cause` stays in logs. The transport maps
 * `code` to the wire status (table in src/payments/README.md).
 */
export class PaymentError extends SnetError {
  declare readonly code: PaymentErrorCode;

  constructor(code: PaymentErrorCode, message: string, options: SnetErrorOptions = {}) {
    super(code, message, options);
    this.name = 'PaymentError';
  }
}

// Factories for every client-visible payment error, with the reference texts. Integers print as plain
// decimal (Go `%v` of *big.Int); the lock name is Go's `{ID: <id>}` rendering (Go `escrow/escrow.go`).

/** `missing "<key>"` (INVALID_ARGUMENT): a required header is absent. */
export function headerMissingError(key: string): PaymentError {
  return new PaymentError('PAYMENT_HEADER_MISSING', `missing "${key}"`, { details: { header: key } });
}

/** `too many values for key "<key>": [v1 v2]` (INVALID_ARGUMENT), Go's `%v` of a string slice. */
export function headerRepeatedError(key: string, values: readonly string[]): PaymentError {
  return new PaymentError('PAYMENT_HEADER_REPEATED', `too many values for key "${key}": [${values.map(displayValue).join(' ')}]`, {
    details: { header: key, count: values.length },
  });
}

/** `incorrect format "<key>": "<value>"` (INVALID_ARGUMENT): the value does not parse. */
export function headerInvalidError(key: string, value: string, reason?: string): PaymentError {
  return new PaymentError('PAYMENT_HEADER_INVALID', `incorrect format "${key}": "${displayValue(value)}"`, {
    details: reason === undefined ? { header: key } : { header: key, reason },
  });
}

/** `Address is not a valid Hex address "<key>": <value>` (INVALID_ARGUMENT), the allowed-user handler's text (Go `escrow/allowed_user_payment_handler.go`). */
export function mpeAddressInvalidError(key: string, value: string): PaymentError {
  return new PaymentError('PAYMENT_HEADER_INVALID', `Address is not a valid Hex address "${key}": ${displayValue(value)}`, {
    details: { header: key, reason: 'not a hex address' },
  });
}

/** `invalid token: <reason>` (INVALID_ARGUMENT): `snet-free-call-auth-token-bin` is not `sig ‖ "_" ‖ block` (Go `escrow/free_call_payment_handler.go`). */
export function freeCallTokenInvalidError(reason: string): PaymentError {
  return new PaymentError('PAYMENT_HEADER_INVALID', `invalid token: ${reason}`, { details: { header: 'snet-free-call-auth-token-bin', reason } });
}

/** `unexpected "snet-payment-type", value: "<v>"` (INVALID_ARGUMENT). */
export function paymentTypeUnknownError(value: string): PaymentError {
  return new PaymentError('PAYMENT_TYPE_UNKNOWN', `unexpected "snet-payment-type", value: "${displayValue(value)}"`);
}

/** `cannot get mutex for channel: {ID: <id>}` (INTERNAL): the lock storage failed. */
export function channelLockFailedError(channelId: bigint, cause?: unknown): PaymentError {
  return new PaymentError('PAYMENT_CHANNEL_LOCK_FAILED', `cannot get mutex for channel: {ID: ${channelId}}`, { cause, details: { channelId: String(channelId) } });
}

/** `another transaction on channel: {ID: <id>} is in progress` (FAILED_PRECONDITION). */
export function concurrentCallError(channelId: bigint): PaymentError {
  return new PaymentError('PAYMENT_CONCURRENT_CALL', `another transaction on channel: {ID: ${channelId}} is in progress`, {
    details: { channelId: String(channelId) },
  });
}

/**
 * `payment channel error: <detail>` (INTERNAL). `detail` reaches the client, so pass a log-safe summary
 * (never endpoints or keys); the raw failure goes in `cause`.
 */
export function channelReadFailedError(detail: string, cause?: unknown): PaymentError {
  return new PaymentError('PAYMENT_CHANNEL_READ_FAILED', `payment channel error: ${detail}`, { cause });
}

/** The recipient check (Go `escrow/payment_channel_storage.go`), surfaced like Go as `payment channel error: recipient Address from org metadata does not Match …` (INTERNAL). */
export function wrongRecipientError(): PaymentError {
  return new PaymentError(
    'PAYMENT_WRONG_RECIPIENT',
    'payment channel error: recipient Address from org metadata does not Match on what was retrieved from Channel',
  );
}

/** The group check (Go `escrow/escrow.go`, INTERNAL); both group ids print as Go decimal byte lists `[b0 b1 …]`. */
export function wrongGroupError(currentGroupId: Uint8Array, channelGroupId: Uint8Array): PaymentError {
  const list = (bytes: Uint8Array): string => `[${Array.from(bytes).join(' ')}]`;
  return new PaymentError(
    'PAYMENT_WRONG_GROUP',
    `payment channel error: channel received belongs to another group of replicas, current group: ${list(currentGroupId)}, channel group: ${list(channelGroupId)}`,
  );
}

/** `payment channel "{ID: <id>}" not found` (UNAUTHENTICATED). */
export function channelNotFoundError(channelId: bigint): PaymentError {
  return new PaymentError('PAYMENT_CHANNEL_NOT_FOUND', `payment channel "{ID: ${channelId}}" not found`, { details: { channelId: String(channelId) } });
}

/** `incorrect payment channel nonce, latest: <n>, sent: <m>` (custom gRPC status 1000). */
export function nonceMismatchError(latest: bigint, sent: bigint): PaymentError {
  return new PaymentError('PAYMENT_NONCE_MISMATCH', `incorrect payment channel nonce, latest: ${latest}, sent: ${sent}`);
}

/** `payment signature is not valid` (UNAUTHENTICATED); the recovery failure goes in `cause`. */
export function signatureInvalidError(cause?: unknown): PaymentError {
  return new PaymentError('PAYMENT_SIGNATURE_INVALID', 'payment signature is not valid', { cause });
}

/** `payment is not signed by channel signer/sender` (UNAUTHENTICATED). */
export function wrongSignerError(): PaymentError {
  return new PaymentError('PAYMENT_WRONG_SIGNER', 'payment is not signed by channel signer/sender');
}

/** `cannot determine current block` (INTERNAL). */
export function blockUnavailableError(cause?: unknown): PaymentError {
  return new PaymentError('PAYMENT_BLOCK_UNAVAILABLE', 'cannot determine current block', { cause });
}

/** Step 5e (UNAUTHENTICATED): rejected unless `expiration > currentBlock + threshold`. */
export function channelExpiredError(expiration: bigint, currentBlock: bigint, threshold: bigint): PaymentError {
  return new PaymentError(
    'PAYMENT_CHANNEL_EXPIRED',
    `payment channel is near to be expired, expiration time: ${expiration}, current block: ${currentBlock}, expiration threshold: ${threshold}`,
  );
}

/** Step 5f (UNAUTHENTICATED): `channel.FullAmount < payment.amount`. */
export function insufficientFundsError(channelAmount: bigint, paymentAmount: bigint): PaymentError {
  return new PaymentError(
    'PAYMENT_INSUFFICIENT_FUNDS',
    `not enough tokens on payment channel, channel amount: ${channelAmount}, payment amount: ${paymentAmount}`,
  );
}

/** Step 7 (UNAUTHENTICATED): `income <i> does not equal to price <p>`; income may be negative. */
export function amountMismatchError(income: bigint, price: bigint): PaymentError {
  return new PaymentError('PAYMENT_AMOUNT_MISMATCH', `income ${income} does not equal to price ${price}`);
}

/** Step 7 (INTERNAL): `internal error: price is not defined for the Method <fullMethod>`. */
export function priceUndefinedError(fullMethod: string): PaymentError {
  return new PaymentError('PAYMENT_PRICE_UNDEFINED', `internal error: price is not defined for the Method ${displayValue(fullMethod)}`);
}

/** Go `escrow/escrow.go` `Commit` (INTERNAL): the commit after a successful call could not be stored. */
export function commitFailedError(cause?: unknown): PaymentError {
  return new PaymentError('PAYMENT_COMMIT_FAILED', 'unable to store new payment channel state', { cause });
}

/** INVALID_ARGUMENT: a known payment type this daemon does not serve in its configuration. */
export function paymentTypeUnsupportedError(type: string): PaymentError {
  return new PaymentError('PAYMENT_TYPE_UNSUPPORTED', `payment type "${displayValue(type)}" is not supported by this daemon; use "escrow" (pay per call on an MPE channel)`, {
    details: { paymentType: type },
  });
}

/** UNIMPLEMENTED: `train-call` pays for the reference's training API (`training.Daemon`), which this daemon does not offer. */
export function trainCallUnimplementedError(): PaymentError {
  return new PaymentError(
    'PAYMENT_TYPE_UNIMPLEMENTED',
    'payment type "train-call" is not implemented: this daemon does not offer the training API (training.Daemon); call the service with escrow, prepaid-call or free-call payments',
    { details: { paymentType: 'train-call' } },
  );
}

/** INTERNAL `internal error: <reason>`: a prepaid token failed verification (Go `escrow/prepaid_handler.go`, `token/jwt.go` texts). */
export function prepaidTokenInvalidError(reason: string): PaymentError {
  return new PaymentError('PAYMENT_PREPAID_TOKEN_INVALID', `internal error: ${displayValue(reason)}`);
}

/** INTERNAL `internal error: Usage Exceeded on channel Id <id>`: the call would use more than the planned amount (Go `escrow/prepaid_service.go`). */
export function usageExceededError(channelId: bigint): PaymentError {
  return new PaymentError('PAYMENT_USAGE_EXCEEDED', `internal error: Usage Exceeded on channel Id ${channelId}`, { details: { channelId: String(channelId) } });
}

/**
 * PERMISSION_DENIED: curation is on and `<address>` is not an allowed user. The text is the reference's
 * (Go `escrow/validation.go` `checkCurationValidations`); the address is in the details for logs.
 */
export function userNotAllowedError(address: string): PaymentError {
  return new PaymentError('PAYMENT_USER_NOT_ALLOWED', 'you are not Authorized to call this service during curation process', { details: { address } });
}

/**
 * UNKNOWN: a refusal of the daemon's own payment services (GetChannelState, ProviderControlService), with the
 * reference's plain-error text (grpc-go sends it as UNKNOWN). `cause` stays in logs.
 */
export function serviceRejectedError(message: string, cause?: unknown): PaymentError {
  return new PaymentError('PAYMENT_SERVICE_REJECTED', message, cause === undefined ? {} : { cause });
}

const MAX_DISPLAY = 256;

// Client-supplied values are echoed as the reference does, but a hostile 16 KiB header is cut short.
function displayValue(value: string): string {
  return value.length <= MAX_DISPLAY ? value : `${value.slice(0, MAX_DISPLAY)}…`;
}
