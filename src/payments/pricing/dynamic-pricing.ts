import { PaymentError } from '../payment-error.ts';
import type { PriceResult } from './price-resolver.ts';
import { decodePriceInCogs } from './price-in-cogs.ts';

// Dynamic pricing, part 2 (Go `pricing/dynamic_method_pricing.go`): the price of a marked call is what the service's estimate method
// answers for the call's first request message. payments/ knows no transport: the unary call to the service is
// a function app/ wires to the upstream (`invokeUnary` of src/upstream/).

/** One unary call to the service, as app/ wires it (the upstream's `invokeUnary`). */
export type EstimateCall = (request: {
  /** Full gRPC path of the estimate method. */
  readonly method: string;
  /** The request message bytes, sent exactly as given (in one uncompressed frame). */
  readonly message: Uint8Array;
  readonly metadata: Readonly<Record<string, string | readonly string[]>>;
  /** Time left until the paid call's deadline, in ms; `undefined` = none. */
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
}) => Promise<{ readonly ok: true; readonly message: Uint8Array } | { readonly ok: false; readonly code: number; readonly message: string }>;

/** What the payment interceptor hands to {@link DynamicPricing.estimate} for one call. */
export interface EstimateRequest {
  /** The paid call's method path (for messages). */
  readonly methodPath: string;
  /** Its estimate method, from {@link DynamicPricing.estimateMethodOf}. */
  readonly estimateMethod: string;
  /** The call's first request message, unchanged; `undefined` when the client sent none. */
  readonly message: Uint8Array | undefined;
  /** The metadata forwarded to the service (the client's minus reserved headers). */
  readonly metadata: Readonly<Record<string, string | readonly string[]>>;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
}

/** Per-call price from the service's estimate methods, for the methods the protos mark (docs/payments.md "Dynamic pricing"). */
export interface DynamicPricing {
  /** The estimate method of `methodPath`, or `undefined` when the method has a static (metadata) price. One Map lookup. */
  estimateMethodOf(methodPath: string): string | undefined;
  /**
   * Calls the estimate method and decodes its `PriceInCogs`. A failure of the pricing call (error status, bad
   * reply, service down, no request message) is a result with the INTERNAL `PAYMENT_DYNAMIC_PRICE_FAILED`
   * error `internal error: <reason>`; it rejects only with the cancellation reason once `signal` is aborted.
   */
  estimate(request: EstimateRequest): Promise<PriceResult>;
  /** Number of dynamically priced methods (for the start-up log). */
  readonly size: number;
}

/** `internal error: <reason>` (INTERNAL), how the reference reports any failure of the pricing call (Go `pricing/dynamic_method_pricing.go`). */
export function dynamicPriceFailedError(reason: string, cause?: unknown): PaymentError {
  return new PaymentError('PAYMENT_DYNAMIC_PRICE_FAILED', `internal error: ${reason}`, cause === undefined ? {} : { cause });
}

/**
 * Builds the {@link DynamicPricing} of one set of service protos: `estimateMethods` maps a method path to its
 * estimate method path (`extractEstimateMethods`). Rebuilt on metadata reload.
 */
export function createDynamicPricing(deps: { readonly call: EstimateCall }, options: { readonly estimateMethods: ReadonlyMap<string, string> }): DynamicPricing {
  const methods = options.estimateMethods;
  return {
    size: methods.size,
    estimateMethodOf: (methodPath) => methods.get(methodPath),
    async estimate(request) {
      const { estimateMethod } = request;
      if (request.message === undefined) {
        // The reference returns the read error of the missing first message (EOF) before any payment check
        // (Go `handler/stream_interceptor.go`); here the price cannot be estimated without it (docs/payments.md "Dynamic pricing").
        return { ok: false, error: dynamicPriceFailedError(`no request message to estimate the price of ${request.methodPath} from`) };
      }
      let reply: Awaited<ReturnType<EstimateCall>>;
      try {
        reply = await deps.call({ method: estimateMethod, message: request.message, metadata: request.metadata, timeoutMs: request.timeoutMs, signal: request.signal });
      } catch (err) {
        if (request.signal.aborted) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        return { ok: false, error: dynamicPriceFailedError(`price estimate ${estimateMethod} failed: ${reason}`, err) };
      }
      if (!reply.ok) {
        return { ok: false, error: dynamicPriceFailedError(`price estimate ${estimateMethod} failed with status ${reply.code}: ${reply.message}`) };
      }
      const price = decodePriceInCogs(reply.message);
      if (!price.ok) return { ok: false, error: dynamicPriceFailedError(`price estimate ${estimateMethod} answered an invalid reply: ${price.error}`) };
      return { ok: true, value: price.value };
    },
  };
}

