// Builds the blockchain and payment side of the daemon (blockchain_enabled: true).
import type { DaemonConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import type { PaymentLayer } from './payment-layer-types.ts';

/**
 * Loads metadata, connects chain and storage, and returns the payment interceptors and services.
 * Rejects with an `SnetError` naming what could not start.
 */
export function buildPaymentLayer(_config: DaemonConfig, _deps: { logger: Logger }): Promise<PaymentLayer> {
  // Replaced by the payments issue (#5); until then, refuse rather than serve paid calls unchecked.
  return Promise.reject(
    new SnetError('CONFIG_UNSUPPORTED', 'blockchain_enabled is true, but this build cannot check payments yet, and it will not serve paid calls unchecked', {
      hint: 'Set blockchain_enabled to false (SNET_BLOCKCHAIN_ENABLED=false or -b false) to run a free proxy in front of your service.',
    }),
  );
}
