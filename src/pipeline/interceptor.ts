import type { CallOutcome } from '../upstream/index.ts';
import type { CallContext } from './call-context.ts';

/**
 * Handles one call and resolves with its final gRPC status. A handler rejects a call by throwing
 * an `SnetError` (the transport maps its code once, in `transport/grpc/status-map.ts`); a status
 * the service chose comes back as an outcome, so an interceptor sees it and can commit on OK or
 * compensate on failure.
 */
export type CallHandler = (ctx: CallContext) => Promise<CallOutcome>;

/** A layer of the call pipeline (rate limit, payment, metering...), connect-es `interceptor.ts` style. */
export type Interceptor = (next: CallHandler) => CallHandler;

/**
 * Wraps `handler` so that `interceptors[0]` runs first (outermost) and the last one sits next to
 * `handler`. Composed once at start-up, not per call.
 */
export function applyInterceptors(handler: CallHandler, interceptors: readonly Interceptor[]): CallHandler {
  let next = handler;
  for (let i = interceptors.length - 1; i >= 0; i--) {
    const interceptor = interceptors[i];
    if (interceptor !== undefined) next = interceptor(next);
  }
  return next;
}

/** True when an outcome is gRPC OK. */
export function isOkOutcome(outcome: CallOutcome): boolean {
  return outcome.code === 0;
}
