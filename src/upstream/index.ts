export type {
  ByteSink,
  CallOutcome,
  HeaderList,
  Metadata,
  ReadonlyMetadata,
  RequestMessages,
  ResponseWriter,
  Upstream,
  UpstreamCall,
} from './call.ts';
export { writeBufferBytes } from './call.ts';
export { createGrpcUpstream, type GrpcUpstreamOptions } from './grpc-upstream.ts';
export { decodeGrpcMessage, GrpcStatus, grpcStatusFromHttp, grpcStatusFromRstCode, type GrpcStatusCode } from './grpc-status.ts';
export { parseServiceEndpoint, type ServiceEndpoint } from './service-endpoint.ts';
export { reservedRequestHeaders } from './reserved-headers.ts';
export { invokeUnary, type UnaryCallRequest, type UnaryCallResult } from './unary-call.ts';
export { createBuiltinGrpcUpstream, type BuiltinGrpcUpstreamOptions } from './builtin-grpc-upstream.ts';
