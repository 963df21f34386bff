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
export { compileProtos, type CompiledProtos, type MethodTypes, type ProtoSource } from './translate/compiled-protos.ts';
export { createJsonRpcUpstream, type JsonRpcUpstreamOptions } from './translate/jsonrpc-upstream.ts';
export { createRestUpstream, type RestUpstreamOptions, type ServiceCredential } from './translate/rest-upstream.ts';
export { createProcessUpstream, type ProcessUpstream, type ProcessUpstreamOptions } from './translate/process-upstream.ts';
export type { MessageEncoding } from './translate/message-codec.ts';
