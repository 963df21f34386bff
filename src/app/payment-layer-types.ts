import type { Interceptor, ServiceRegistry } from '../pipeline/index.ts';

/**
 * What the blockchain/payment side contributes to a daemon with `blockchain_enabled: true`:
 * facts from the on-chain metadata, the per-call interceptors and the daemon's own payment
 * services. Built by `buildPaymentLayer` (payment-layer.ts) before the listener starts.
 */
export interface PaymentLayer {
  /** Service metadata `encoding`: what `/encoding` answers and the upstream content-subtype. */
  readonly encoding: 'proto' | 'json';
  /** Service metadata `service_type` (only `grpc` is served today). */
  readonly serviceType: string;
  /** The payment group id (base64), for the daemon id and storage prefixes. */
  readonly groupIdBase64: string;
  /** The Registry address in use, for the daemon id. */
  readonly registryAddress: string;
  /** Interceptors in front of the upstream, outermost first (rate limit → payment → …). */
  readonly interceptors: readonly Interceptor[];
  /** Registers the daemon's own payment services (escrow state, provider control …). */
  registerServices(registry: ServiceRegistry): void;
  /** Stops watchers and closes chain and storage clients. */
  close(): Promise<void>;
}
