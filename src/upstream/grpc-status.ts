/**
 * Numeric gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html), plus the
 * snet reference daemon's custom `1000` (IncorrectNonce, Go `handler/stream_interceptor.go` l.101),
 * which travels on the wire as is.
 */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
  /** snet-daemon custom status for a payment nonce mismatch (clients re-sync their channel state). */
  SNET_INCORRECT_NONCE: 1000,
} as const;

/** A numeric gRPC status code. Any integer from a service passes through unchanged. */
export type GrpcStatusCode = number;

/**
 * Maps the HTTP status of a non-gRPC answer to a gRPC status, as the gRPC spec's
 * "HTTP to gRPC status code mapping" (doc/http-grpc-status-mapping.md) says.
 */
export function grpcStatusFromHttp(httpStatus: number): GrpcStatusCode {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/** Maps an HTTP/2 RST_STREAM error code seen after the response started to a gRPC status (gRPC PROTOCOL-HTTP2.md). */
export function grpcStatusFromRstCode(rstCode: number): GrpcStatusCode {
  switch (rstCode) {
    case 0x7: // REFUSED_STREAM: nothing was processed, safe to retry
      return GrpcStatus.UNAVAILABLE;
    case 0x8: // CANCEL
      return GrpcStatus.CANCELLED;
    case 0xb: // ENHANCE_YOUR_CALM
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 0xc: // INADEQUATE_SECURITY
      return GrpcStatus.PERMISSION_DENIED;
    default:
      return GrpcStatus.INTERNAL;
  }
}

/** Decodes a `grpc-message` value (percent-encoded UTF-8, gRPC PROTOCOL-HTTP2.md); bad escapes are kept verbatim. */
export function decodeGrpcMessage(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
