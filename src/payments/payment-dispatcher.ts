import type { PaymentType } from './escrow/headers.ts';
import { parsePaymentType } from './escrow/payment-headers.ts';
import type { AcceptedPayment, PaymentHandler } from './payment-handler.ts';
import { paymentTypeUnsupportedError, trainCallUnimplementedError } from './payment-error.ts';

/** The handlers a daemon serves; a type without one answers `PAYMENT_TYPE_UNSUPPORTED`. */
export type PaymentHandlers = Readonly<Partial<Record<Exclude<PaymentType, 'train-call'>, PaymentHandler>>>;

/**
 * The one payment handler behind the payment interceptor: picks a handler by `snet-payment-type` (absent:
 * `escrow`, Go `handler/stream_interceptor.go`) and routes `commit`/`release` back to the handler that reserved.
 * `train-call` answers UNIMPLEMENTED: this daemon offers no training API.
 */
export function createPaymentDispatcher(handlers: PaymentHandlers): PaymentHandler {
  const handlerOf = (type: PaymentType): PaymentHandler | undefined => (type === 'train-call' ? undefined : handlers[type]);
  const settle = (payment: AcceptedPayment): PaymentHandler => {
    const handler = handlerOf(payment.type);
    if (handler === undefined) throw new TypeError(`no payment handler for a reservation of type ${payment.type}`);
    return handler;
  };
  return {
    reserve(metadata, methodPath, signal, estimatePrice) {
      const type = parsePaymentType(metadata);
      if (!type.ok) return Promise.reject(type.error);
      if (type.value === 'train-call') return Promise.reject(trainCallUnimplementedError());
      const handler = handlerOf(type.value);
      if (handler === undefined) return Promise.reject(paymentTypeUnsupportedError(type.value));
      return handler.reserve(metadata, methodPath, signal, estimatePrice);
    },
    commit: (payment) => settle(payment).commit(payment),
    release: (payment) => settle(payment).release(payment),
    close() {
      for (const handler of Object.values(handlers)) handler.close();
    },
  };
}
