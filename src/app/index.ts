export { startDaemon, openPaymentContext, checkNetwork, createAdminClient } from './entry-points.ts';
export type { RunningDaemon, StartDaemonDeps } from './start-daemon.ts';
export type { PaymentContext } from './payment-layer.ts';
export type { NetworkCheck } from './check-network.ts';
export { daemonConfigValidators } from './validate-config.ts';
export type { AdminClient, AdminClientOptions, AdminReply } from './admin-client.ts';
export { freeCallTools } from './entry-points.ts';
