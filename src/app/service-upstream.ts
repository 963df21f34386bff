import type { DaemonConfig } from '../config/index.ts';
import type { Logger } from '../shared/index.ts';
import { createBuiltinGrpcUpstream, createGrpcUpstream, type GrpcUpstreamOptions, type Upstream } from '../upstream/index.ts';

/**
 * The gRPC service upstream on the HTTP/2 engine the config picks (`upstream_http2_engine`): the
 * built-in client with `upstream_connections` connections (the default), or node:http2 (`nghttp2`).
 */
export function createServiceUpstream(deps: { logger: Logger }, config: Pick<DaemonConfig, 'upstream_http2_engine' | 'upstream_connections'>, options: GrpcUpstreamOptions): Upstream {
  if (config.upstream_http2_engine === 'nghttp2') return createGrpcUpstream(deps, options);
  return createBuiltinGrpcUpstream(deps, { ...options, connections: config.upstream_connections });
}
