import type { Metadata, ReadonlyMetadata, RequestMessages, ResponseWriter } from '../upstream/index.ts';
import type { ContextValues } from './context-values.ts';

/** How the client reached the daemon. */
export type CallProtocol = 'grpc' | 'grpc-web' | 'grpc-web-text';

/**
 * Everything an interceptor or handler knows about one call. Built by the transport once per call;
 * interceptors read it, add typed values and edit `upstreamMetadata`, never the transport state.
 */
export interface CallContext {
  /** Full gRPC path, `/package.Service/Method`. */
  readonly method: string;
  readonly protocol: CallProtocol;
  readonly httpVersion: '1.1' | '2';
  /** The client's metadata (lower-case names; `-bin` values base64 as on the wire). */
  readonly requestMetadata: ReadonlyMetadata;
  /** Remote IP address of the client connection, when known (rate limiting per client). */
  readonly remoteAddress: string | undefined;
  /** Aborted when the client cancels, the deadline passes or the daemon stops; `reason` is an `SnetError`. */
  readonly signal: AbortSignal;
  /**
   * Aborted when the daemon starts a graceful shutdown. Long-lived daemon streams (health `Watch`)
   * end on it so they do not hold the drain up to its deadline; proxied calls ignore it.
   */
  readonly closing: AbortSignal;
  /** Absolute deadline (`Date.now()` ms), from `grpc-timeout` or the service timeout; `undefined` = none. */
  readonly deadline: number | undefined;
  /** Typed per-call values (see `createContextKey`). */
  readonly values: ContextValues;
  /**
   * Metadata the service will receive: the client's minus reserved headers (Go `handler/grpc.go`). Interceptors
   * add or replace entries here, e.g. `snet-user-address` after a payment is validated.
   */
  readonly upstreamMetadata: Metadata;
  /** The request messages; `first()` gives the first one without consuming it (dynamic pricing). */
  readonly request: RequestMessages;
  readonly response: ResponseWriter;
}

/** Milliseconds left before `ctx.deadline` (never below 0); `undefined` when there is no deadline. */
export function remainingMs(ctx: Pick<CallContext, 'deadline'>): number | undefined {
  return ctx.deadline === undefined ? undefined : Math.max(0, ctx.deadline - Date.now());
}
