// The thin pipeline adapter around the transport-agnostic payment handlers (payments/ imports nothing from
// pipeline/): reserve before the service, commit on OK, release on any failure, whatever the payment type.
import type { DynamicPricing, PaymentHandler, PriceResult } from '../payments/index.ts';
import { HEADER_DAEMON_DEBUG, HEADER_USER_ADDRESS } from '../payments/index.ts';
import { isOkOutcome, paymentInfoKey, remainingMs, type CallContext, type Interceptor, type Metadata } from '../pipeline/index.ts';

/**
 * The paid-call interceptor (Go `handler/stream_interceptor.go`): `handler` is the payment dispatcher (one
 * handler per `snet-payment-type`). A refused payment throws its `PaymentError` (the transport maps the code to
 * the status) and the service is never called; an accepted one sets `snet-user-address` to the payer (channel
 * sender, free-call user, token holder) and `snet-daemon-debug` to `streamIntercept` (overriding anything the
 * client sent), is recorded under `paymentInfoKey` for observers, and is committed only when the service ends
 * with OK. A cancelled or failed call releases the reservation, so it costs nothing.
 *
 * `dynamicPricing` (only with `enable_dynamic_pricing`, read per call so metadata reload can swap it): a
 * method its protos mark is priced by the service's estimate method on the call's first request message
 * (docs/payments.md "Dynamic pricing"); every other method keeps the metadata price with no extra work.
 */
export function createPaymentInterceptor(handler: PaymentHandler, dynamicPricing?: () => DynamicPricing | undefined): Interceptor {
  return (next) => async (ctx) => {
    const pricing = dynamicPricing?.();
    const estimateMethod = pricing?.estimateMethodOf(ctx.method);
    const reservation =
      estimateMethod === undefined || pricing === undefined
        ? await handler.reserve(ctx.requestMetadata, ctx.method, ctx.signal)
        : await handler.reserve(ctx.requestMetadata, ctx.method, ctx.signal, (payer) => estimate(pricing, estimateMethod, ctx, payer));
    ctx.values.set(paymentInfoKey, reservation);
    ctx.upstreamMetadata[HEADER_USER_ADDRESS] = reservation.userAddress;
    // The reference marks calls that passed its stream interceptor (Go handler/stream_interceptor.go).
    ctx.upstreamMetadata[HEADER_DAEMON_DEBUG] = 'streamIntercept';
    let outcome;
    try {
      outcome = await next(ctx);
    } catch (err) {
      await handler.release(reservation);
      throw err;
    }
    if (isOkOutcome(outcome)) await handler.commit(reservation);
    else await handler.release(reservation);
    return outcome;
  };
}

/**
 * The estimate of one call: its first request message (not consumed: the service still gets it) and the
 * incoming metadata as the reference forwards it (Go `pricing/dynamic_method_pricing.go`), except that `snet-user-address` is the channel sender
 * (`payer`) as on the paid call itself: the reference passes the client's own value to the estimate, which lets
 * a client pose as another user to a service that prices per user.
 */
async function estimate(pricing: DynamicPricing, estimateMethod: string, ctx: CallContext, payer: string): Promise<PriceResult> {
  const message = await ctx.request.first();
  // Null prototype, like every metadata object built from client input (upstream/call.ts).
  const metadata: Metadata = Object.assign(Object.create(null) as Metadata, ctx.upstreamMetadata, { [HEADER_USER_ADDRESS]: payer });
  return pricing.estimate({ methodPath: ctx.method, estimateMethod, message, metadata, timeoutMs: remainingMs(ctx), signal: ctx.signal });
}
