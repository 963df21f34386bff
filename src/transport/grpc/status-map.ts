import type { ErrorCode, SnetError } from '../../errors/index.ts';
import { GrpcStatus, type GrpcStatusCode } from '../../upstream/index.ts';

/**
 * THE table from `SnetError.code` to the gRPC status a client sees (STYLE §C): domain code never
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
  UPSTREAM_UNAVAILABLE: GrpcStatus.UNAVAILABLE, // the reference sends INTERNAL here (STYLE appendix, item 7)
  UPSTREAM_FAILED: GrpcStatus.INTERNAL,
  INTERNAL: GrpcStatus.INTERNAL,
};

/** The gRPC status for an error; its message is the client-facing text (the `cause` is never sent). */
export function grpcStatusFromError(error: SnetError): { code: GrpcStatusCode; message: string } {
  return { code: grpcStatusByErrorCode[error.code] ?? GrpcStatus.INTERNAL, message: error.message };
}
