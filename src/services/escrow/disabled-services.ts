import type { ServiceRegistry } from '../../pipeline/index.ts';
import { getChannelStatePath } from './state-service.ts';
import { providerControlPaths } from './control-service.ts';

const empty = new Uint8Array(0);

/**
 * With `blockchain_enabled: false` the reference still serves the escrow state and provider-control services,
 * answering every call with an empty reply and no error (spec payments.md §8.1, §8.2, §13 item 1). Registering
 * these keeps clients that probe them working against a free daemon.
 */
export function registerDisabledEscrowServices(registry: ServiceRegistry): void {
  for (const path of [getChannelStatePath, ...Object.values(providerControlPaths)]) {
    registry.registerUnary(path, () => Promise.resolve(empty));
  }
}
