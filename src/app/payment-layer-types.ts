import type { ChannelExposure } from '../payments/index.ts';
import type { Interceptor, ServiceRegistry } from '../pipeline/index.ts';

/**
 * What the payment side reports to monitoring (`Monitoring` in monitoring.ts has this shape). Monitoring is built
 * after the payment layer (it needs the group id), so it is attached late: until then nothing is reported.
 */
export interface PaymentMonitoring {
  /** One storage (etcd) or chain (JSON-RPC) round trip: its time and whether the dependency answered. */
  observeDependency(dependency: 'storage' | 'chain', seconds: number, ok: boolean): void;
  /** The periodic channel scan's result. */
  reportChannels(scan: ChannelExposure): void;
  /** Metering, when on: a committed escrow payment's channel balance. */
  readonly metering: { reportChannelBalance(balance: { channelId: bigint; nonce: bigint; authorizedAmount: bigint; fullAmount: bigint; sender: string }): void } | undefined;
}

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
  /**
   * Starts reporting to `monitoring`: dependency round trips, committed balances (metering) and, every
   * `checkIntervalMs` (0 = never), the channel scan. Call once.
   */
  attachMonitoring(monitoring: PaymentMonitoring, options: { readonly checkIntervalMs: number }): void;
  /** Stops watchers and closes chain and storage clients. */
  close(): Promise<void>;
}
