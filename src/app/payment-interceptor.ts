// The thin pipeline adapter around the transport-agnostic escrow handler (payments/ imports nothing from
// pipeline/, STYLE §B.1): reserve before the service, commit on OK, release on any failure.
import type { EscrowPaymentHandler } from '../payments/index.ts';
import { HEADER_DAEMON_DEBUG, HEADER_USER_ADDRESS } from '../payments/index.ts';
import { isOkOutcome, type Interceptor } from '../pipeline/index.ts';

/**
 * The paid-call interceptor (spec §1.3): a refused payment throws its `PaymentError` (the transport maps
 * the code to the status) and the service is never called; an accepted one sets `snet-user-address` to
 * the channel sender and `snet-daemon-debug` to `streamIntercept` (overriding anything the client sent) and is committed only when the service ends
 * with OK. A cancelled or failed call releases the reservation, so it costs nothing.
 */
export function createPaymentInterceptor(handler: EscrowPaymentHandler): Interceptor {
  return (next) => async (ctx) => {
    const reservation = await handler.reserve(ctx.requestMetadata, ctx.method, ctx.signal);
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
