// The app domain's heavy entry points, loaded on first use: `snetd config`, `init` and `--help`
// import app/index.ts for the validators and must not pay for the whole daemon (gRPC, viem,
// storage engines), which takes seconds on a small machine.
import type { DaemonConfig, LoadedConfig } from '../config/index.ts';
import type { Logger } from '../shared/index.ts';
import type { RunningDaemon, StartDaemonDeps } from './start-daemon.ts';
import type { PaymentContext } from './payment-layer.ts';
import type { NetworkCheck } from './check-network.ts';
import type { AdminClient, AdminClientOptions } from './admin-client.ts';

/** See start-daemon.ts. */
export async function startDaemon(loaded: LoadedConfig, deps: StartDaemonDeps): Promise<RunningDaemon> {
  const module = await import('./start-daemon.ts');
  return module.startDaemon(loaded, deps);
}

/** See payment-layer.ts. */
export async function openPaymentContext(config: DaemonConfig, deps: { logger: Logger }): Promise<PaymentContext> {
  const module = await import('./payment-layer.ts');
  return module.openPaymentContext(config, deps);
}

/** See check-network.ts. */
export async function checkNetwork(config: DaemonConfig, options: { timeoutMs?: number } = {}): Promise<NetworkCheck[]> {
  const module = await import('./check-network.ts');
  return module.checkNetwork(config, options);
}

/** The free-call helpers of the operator commands (`snetd freecall …`), see free-call-layer.ts. */
export function freeCallTools(): Promise<typeof import('./free-call-layer.ts')> {
  return import('./free-call-layer.ts');
}

/** See admin-client.ts (`snetd admin`). */
export async function createAdminClient(options: AdminClientOptions): Promise<AdminClient> {
  const module = await import('./admin-client.ts');
  return module.createAdminClient(options);
}
