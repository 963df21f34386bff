import { createContextKey } from './context-values.ts';

/**
 * What the payment interceptor accepted for a call, for observers that run around it (metrics, access log):
 * set once the payment is reserved, absent for unpaid calls and refused payments. The accepted payment object
 * itself is stored (no copy per call).
 */
export interface PaymentInfo {
  /** `escrow`, `free-call` or `prepaid-call`. */
  readonly type: string;
  /** Cogs this call costs (0 for free calls). */
  readonly priceCogs: bigint;
  /** The MPE channel paid from, when there is one. */
  readonly channelId?: bigint;
}

/** The per-call {@link PaymentInfo}; `undefined` until a payment is accepted. */
export const paymentInfoKey = createContextKey<PaymentInfo | undefined>(undefined, { description: 'accepted payment' });
