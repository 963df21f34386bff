import type { PaymentType } from './escrow/headers.ts';
import type { HeaderMap } from './escrow/payment-headers.ts';
import type { PriceResult } from './pricing/index.ts';

/**
 * A payment accepted for one call and reserved in storage, whatever its type. The handler that made it
 * settles it: `commit` when the service answered OK, `release` otherwise; exactly one of them, once.
 */
export interface AcceptedPayment {
  /** The `snet-payment-type` that was served (the dispatcher routes `commit`/`release` by it). */
  readonly type: PaymentType;
  /** EIP-55 address for `snet-user-address` to the service (Go `handler/stream_interceptor.go` step 5). */
  readonly userAddress: string;
  /** What this call costs the client in cogs (0 for a free call). */
  readonly priceCogs: bigint;
  /** The MPE channel paid from (escrow, prepaid); `undefined` for free calls. */
  readonly channelId?: bigint;
}

/**
 * One payment mode behind the payment interceptor (Go `StreamPaymentHandler`, with our reserve → commit/release
 * contract so cancellation, deadlines, graceful stop and crash leases behave the same for every mode):
 * `reserve` validates a call's payment metadata and reserves it (throws a `PaymentError`, nothing changed, when
 * the call must be refused); `commit`/`release` never throw.
 */
export interface PaymentHandler<R extends AcceptedPayment = AcceptedPayment> {
  /**
   * `estimatePrice` (dynamic pricing) replaces the metadata price of this call; handlers that charge nothing
   * ignore it. It is awaited at the handler's price step with the payer's EIP-55 address.
   */
  reserve(metadata: HeaderMap, methodPath: string, signal?: AbortSignal, estimatePrice?: (payer: string) => Promise<PriceResult>): Promise<R>;
  /** The service answered OK: the payment is final. */
  commit(payment: R): Promise<void>;
  /** The service failed or the call was cancelled: the call costs nothing. */
  release(payment: R): Promise<void>;
  /** Stops background work (lease renewal). Idempotent. */
  close(): void;
}
