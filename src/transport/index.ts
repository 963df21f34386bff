export {
  createDaemonServer,
  type DaemonServer,
  type DaemonServerDeps,
  type ConnectionProtocol,
  type DaemonServerStats,
  type TlsFileOptions,
  type TransportOptions,
} from './server/daemon-server.ts';
export type { HttpRoute, HttpRouteRequest, HttpRouteResponse, HttpRoutes } from './server/http-route.ts';
export type { CorsOptions } from './grpc-web/cors.ts';
export { grpcStatusByErrorCode, grpcStatusFromError } from './grpc/status-map.ts';
export { createAutoCert, type AcmeChallengeType, type AutoCert, type AutoCertOptions } from './acme/auto-cert.ts';
