export { startDaemon, type RunningDaemon, type StartDaemonDeps } from './start-daemon.ts';
export { daemonConfigValidators } from './validate-config.ts';
export { openPaymentContext, type PaymentContext } from './payment-layer.ts';
