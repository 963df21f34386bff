/**
 * Request headers never forwarded to the service (Go `handler/grpc.go`): hop-by-hop and gRPC framing headers the
 * daemon sets per hop itself. The transport drops them when it builds the metadata for interceptors,
 * and the upstream drops them again from whatever the interceptors added.
 */
export const reservedRequestHeaders: ReadonlySet<string> = new Set([
  'content-length',
  'user-agent',
  'te',
  'grpc-timeout',
  'grpc-message',
  'grpc-status',
  'grpc-status-details-bin',
  'grpc-message-type',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'host',
  'http2-settings',
  'accept-encoding',
]);
