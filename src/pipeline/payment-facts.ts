import { createContextKey } from './context-values.ts';

/**
 * What a payment interceptor tells the rest of the call about the payment it accepted: read by the metrics
 * (earnings by payment type) and metering. Set it once the payment is accepted, before calling `next`;
 * leave it unset for a call that carries no payment.
 */
export interface PaymentFacts {
  /** `escrow`, `free-call`, `prepaid-call` or `train-call` (anything else is counted as `other`). */
  readonly type: string;
  /** The price of this call in cogs (0 for a free call). */
  readonly priceCogs: bigint;
  /** The channel paid from, when there is one (metering's channel-balance report). */
  readonly channelId?: bigint;
}

/** Where {@link PaymentFacts} live in `ctx.values`. */
export const paymentFactsKey = createContextKey<PaymentFacts | undefined>(undefined, { description: 'accepted payment' });
