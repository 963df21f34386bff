import type { ErrorCode, SnetError } from '../../errors/index.ts';
import { GrpcStatus, type GrpcStatusCode, type ReadonlyMetadata } from '../../upstream/index.ts';
import { retryTrailers } from './retry-info.ts';

/**
 * THE table from `SnetError.code` to the gRPC status a client sees: domain code never
 * knows gRPC codes. A code missing here answers INTERNAL. Wire quirks of the reference daemon are
 * named: the payment layer maps its nonce-mismatch code to `GrpcStatus.SNET_INCORRECT_NONCE`
 * (1000, Go `handler/stream_interceptor.go` l.101) by adding one line here.
 */
export const grpcStatusByErrorCode: Readonly<Partial<Record<ErrorCode, GrpcStatusCode>>> = {
  REQUEST_MALFORMED: GrpcStatus.INTERNAL, // gRPC spec: framing/protocol violations are INTERNAL
  REQUEST_TOO_LARGE: GrpcStatus.RESOURCE_EXHAUSTED,
  REQUEST_TIMEOUT: GrpcStatus.DEADLINE_EXCEEDED,
  REQUEST_CANCELLED: GrpcStatus.CANCELLED,
  DAEMON_SHUTTING_DOWN: GrpcStatus.UNAVAILABLE,
  METHOD_UNIMPLEMENTED: GrpcStatus.UNIMPLEMENTED,
  UPSTREAM_UNAVAILABLE: GrpcStatus.UNAVAILABLE, // the reference sends INTERNAL here (docs/differences.md)
  UPSTREAM_FAILED: GrpcStatus.INTERNAL,
  UPSTREAM_BUSY: GrpcStatus.RESOURCE_EXHAUSTED,
  REQUEST_NOT_UNARY: GrpcStatus.INVALID_ARGUMENT,
  REQUEST_UNDECODABLE: GrpcStatus.INVALID_ARGUMENT,
  // Payments (src/payments/README.md; Go escrow/payment_handler.go paymentErrorToGrpcError).
  PAYMENT_HEADER_MISSING: GrpcStatus.INVALID_ARGUMENT,
  PAYMENT_HEADER_REPEATED: GrpcStatus.INVALID_ARGUMENT,
  PAYMENT_HEADER_INVALID: GrpcStatus.INVALID_ARGUMENT,
  PAYMENT_TYPE_UNKNOWN: GrpcStatus.INVALID_ARGUMENT,
  PAYMENT_TYPE_UNSUPPORTED: GrpcStatus.INVALID_ARGUMENT,
  PAYMENT_TYPE_UNIMPLEMENTED: GrpcStatus.UNIMPLEMENTED,
  PAYMENT_USER_NOT_ALLOWED: GrpcStatus.PERMISSION_DENIED, // the reference: INTERNAL `internal error: …` (not a server fault)
  PAYMENT_CHANNEL_LOCK_FAILED: GrpcStatus.INTERNAL,
  PAYMENT_CONCURRENT_CALL: GrpcStatus.FAILED_PRECONDITION,
  PAYMENT_CHANNEL_READ_FAILED: GrpcStatus.UNAVAILABLE, // the reference: INTERNAL; a chain/storage outage is "try later" (issue #4)
  PAYMENT_WRONG_RECIPIENT: GrpcStatus.INTERNAL,
  PAYMENT_WRONG_GROUP: GrpcStatus.INTERNAL,
  PAYMENT_CHANNEL_NOT_FOUND: GrpcStatus.UNAUTHENTICATED,
  PAYMENT_NONCE_MISMATCH: GrpcStatus.SNET_INCORRECT_NONCE, // 1000, the reference's custom status (Go `escrow/payment_handler.go` `paymentErrorToGrpcError`)
  PAYMENT_SIGNATURE_INVALID: GrpcStatus.UNAUTHENTICATED,
  PAYMENT_WRONG_SIGNER: GrpcStatus.UNAUTHENTICATED,
  PAYMENT_BLOCK_UNAVAILABLE: GrpcStatus.UNAVAILABLE, // the reference: INTERNAL (issue #4: UNAVAILABLE when the chain is needed)
  PAYMENT_CHANNEL_EXPIRED: GrpcStatus.UNAUTHENTICATED,
  PAYMENT_INSUFFICIENT_FUNDS: GrpcStatus.UNAUTHENTICATED,
  PAYMENT_AMOUNT_MISMATCH: GrpcStatus.UNAUTHENTICATED,
  PAYMENT_PRICE_UNDEFINED: GrpcStatus.INTERNAL,
  PAYMENT_COMMIT_FAILED: GrpcStatus.INTERNAL,
  PAYMENT_PREPAID_TOKEN_INVALID: GrpcStatus.INTERNAL, // the reference's prepaid handler sends every token failure as INTERNAL (Go `escrow/prepaid_handler.go`)
  PAYMENT_USAGE_EXCEEDED: GrpcStatus.INTERNAL, // the reference: INTERNAL, not RESOURCE_EXHAUSTED (Go `escrow/prepaid_service.go`)
  PAYMENT_SERVICE_REJECTED: GrpcStatus.UNKNOWN, // daemon unary services answer plain Go errors, which grpc-go sends as UNKNOWN
  PAYMENT_FREE_CALL_UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  PAYMENT_FREE_CALL_EXPIRED: GrpcStatus.INTERNAL, // the reference sends INTERNAL (Go escrow/free_call_payment_handler.go)
  PAYMENT_FREE_CALL_LIMIT: GrpcStatus.INTERNAL, // the reference sends INTERNAL, not RESOURCE_EXHAUSTED (Go escrow/free_call.go)
  PAYMENT_FREE_CALL_BUSY: GrpcStatus.FAILED_PRECONDITION,
  PAYMENT_FREE_CALL_STORAGE_FAILED: GrpcStatus.INTERNAL,
  PAYMENT_FREE_CALL_BALANCE_TOO_LOW: GrpcStatus.PERMISSION_DENIED,
  INTERNAL: GrpcStatus.INTERNAL,
  // Protection and administration (docs/operations.md). The reference answers UNKNOWN for every
  // configuration-service refusal and crashes without `auth`; we say what is wrong.
  RATE_LIMITED: GrpcStatus.RESOURCE_EXHAUSTED,
  DAEMON_NOT_PROCESSING: GrpcStatus.UNAVAILABLE,
  ADMIN_AUTH_MISSING: GrpcStatus.UNAUTHENTICATED,
  ADMIN_DISABLED: GrpcStatus.PERMISSION_DENIED,
  ADMIN_SIGNATURE_EXPIRED: GrpcStatus.UNAUTHENTICATED,
  ADMIN_SIGNATURE_INVALID: GrpcStatus.INVALID_ARGUMENT,
  ADMIN_NOT_AUTHORIZED: GrpcStatus.PERMISSION_DENIED,
  CONFIG_UPDATE_REFUSED: GrpcStatus.INVALID_ARGUMENT,
  // Dependencies of paid calls: "try again later", never INTERNAL (issue #4: clear UNAVAILABLE
  // for calls that need the chain; storage outcomes are re-read before answering, storage README).
  CHAIN_UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  CHAIN_CALL_FAILED: GrpcStatus.UNAVAILABLE,
  STORAGE_UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  STORAGE_TIMEOUT: GrpcStatus.UNAVAILABLE,
  STORAGE_CLOSED: GrpcStatus.UNAVAILABLE,
};

/** The gRPC status for an error; its message is the client-facing text (the `cause` is never sent). */
export function grpcStatusFromError(error: SnetError): { code: GrpcStatusCode; message: string; trailers?: ReadonlyMetadata } {
  const code = grpcStatusByErrorCode[error.code] ?? GrpcStatus.INTERNAL;
  // A refusal that knows when capacity returns says so (`details.retryAfterMs`, set by the rate limiter).
  const retryAfterMs = error.details?.['retryAfterMs'];
  if (typeof retryAfterMs === 'number') return { code, message: error.message, trailers: retryTrailers(code, error.message, retryAfterMs) };
  return { code, message: error.message };
}
