/** CORS policy (Go `handler/cors.go`; ours: `*` by default, an optional allow-list, docs/config.md). */
export interface CorsOptions {
  /** Origins allowed to call from a browser: `'*'` or exact origins like `https://app.example`. @default '*' */
  readonly allowedOrigins: '*' | readonly string[];
}

/** Headers browsers may read from gRPC-Web responses (reference list, Go `handler/cors.go`). */
const exposedHeaders = 'grpc-status, grpc-message, grpc-status-details-bin, grpc-encoding, grpc-accept-encoding, x-grpc-web, grpc-timeout, Retry-After';

/** Decides CORS headers once per request; the allow-list check is a Set lookup. */
export interface CorsPolicy {
  /** Headers for an actual gRPC-Web / HTTP response (empty when the origin is not allowed or absent). */
  responseHeaders(origin: string | undefined, extraExposed?: readonly string[]): Record<string, string>;
  /** Status and headers answering an OPTIONS request. */
  preflight(origin: string | undefined, requestHeaders: string | undefined, privateNetwork: boolean): { status: number; headers: Record<string, string> };
}

/** Creates a {@link CorsPolicy}. */
export function createCorsPolicy(options: CorsOptions): CorsPolicy {
  const list = options.allowedOrigins === '*' ? undefined : new Set(options.allowedOrigins);
  const allowed = (origin: string | undefined): origin is string => origin !== undefined && (list === undefined || list.has(origin));
  return {
    responseHeaders(origin, extraExposed) {
      if (!allowed(origin)) return {};
      // The reference reflects the origin and allows credentials on gRPC-Web answers (Go `snetd/cmd/serve.go` `newGRPCWebServer`).
      return {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-expose-headers': extraExposed === undefined || extraExposed.length === 0 ? exposedHeaders : `${exposedHeaders}, ${extraExposed.join(', ')}`,
        vary: 'Origin',
      };
    },
    preflight(origin, requestHeaders, privateNetwork) {
      if (!allowed(origin)) return { status: 204, headers: {} };
      const headers: Record<string, string> = {
        'access-control-allow-origin': list === undefined ? '*' : origin,
        'access-control-allow-methods': 'GET, POST, OPTIONS, HEAD, CONNECT',
        'access-control-allow-headers': requestHeaders ?? '*',
        'access-control-max-age': '600',
        vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      };
      if (privateNetwork) headers['access-control-allow-private-network'] = 'true';
      return { status: 204, headers };
    },
  };
}
