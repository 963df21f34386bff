/** A plain HTTP request reaching a daemon route (`/heartbeat`, `/encoding`). */
export interface HttpRouteRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The answer of a route; `content-length` is set by the transport. */
export interface HttpRouteResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
}

/** Answers one plain HTTP request. Any HTTP method reaches it (reference behaviour, Go `snetd/cmd/serve.go` `newHTTPHandler`). */
export type HttpRoute = (request: HttpRouteRequest) => HttpRouteResponse | Promise<HttpRouteResponse>;

/**
 * Routes keyed by the first path segment: `{ heartbeat: ..., encoding: ... }` serves `/heartbeat`
 * and `/heartbeat/anything`. Unknown paths get `404 page not found`.
 */
export type HttpRoutes = Readonly<Record<string, HttpRoute>>;
