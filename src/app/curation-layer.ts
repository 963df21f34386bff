// Curation with the blockchain off (allowed_user_flag): the one payment interceptor over the allowed-user
// handler, so only allowed signers reach the service (Go escrow/allowed_user_payment_handler.go).
import { createSignatureRecoverer } from '../blockchain/index.ts';
import type { DaemonConfig } from '../config/index.ts';
import { createAllowedUserHandler, createPaymentDispatcher } from '../payments/index.ts';
import type { Interceptor } from '../pipeline/index.ts';
import { createPaymentInterceptor } from './payment-interceptor.ts';

/** The interceptors of a free daemon with curation on; `undefined` when `allowed_user_flag` is off. */
export function buildCurationLayer(config: DaemonConfig): { readonly interceptors: readonly Interceptor[]; close(): Promise<void> } | undefined {
  if (!config.allowed_user_flag) return undefined;
  const recoverer = createSignatureRecoverer({ threads: 0 });
  const handler = createAllowedUserHandler({ recoverer }, { allowedUsers: config.allowed_user_addresses });
  return {
    interceptors: [createPaymentInterceptor(createPaymentDispatcher({ escrow: handler }))],
    close: () => recoverer.close(),
  };
}
