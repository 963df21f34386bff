import type { ServiceRegistry } from '../../pipeline/index.ts';
import { getChannelStatePath } from './state-service.ts';
import { providerControlPaths } from './control-service.ts';
import { getTokenPath } from './token-service.ts';
import { registerDisabledFreeCallStateService } from './free-call-state-service.ts';

const empty = new Uint8Array(0);

/**
 * With `blockchain_enabled: false` the reference still serves the escrow state, provider-control and token
 * services, answering every call with an empty reply and no error, and the free-call state service, answering
 * both methods with an error (Go `snetd/cmd/components.go`, `escrow/free_call_state_service.go`). Registering
 * them keeps clients that probe them working against a free daemon.
 */
export function registerDisabledEscrowServices(registry: ServiceRegistry): void {
  for (const path of [getChannelStatePath, getTokenPath, ...Object.values(providerControlPaths)]) {
    registry.registerUnary(path, () => Promise.resolve(empty));
  }
  registerDisabledFreeCallStateService(registry);
}
