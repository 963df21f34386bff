import type { ServiceRegistry } from '../../pipeline/index.ts';
import { getChannelStatePath } from './state-service.ts';
import { providerControlPaths } from './control-service.ts';
import { getTokenPath } from './token-service.ts';

const empty = new Uint8Array(0);

/**
 * With `blockchain_enabled: false` the reference still serves the escrow state, provider-control and token services,
 * answering every call with an empty reply and no error (spec payments.md §8.1, §8.2, §8.4, §13 item 1). Registering
 * these keeps clients that probe them working against a free daemon.
 */
export function registerDisabledEscrowServices(registry: ServiceRegistry): void {
  for (const path of [getChannelStatePath, getTokenPath, ...Object.values(providerControlPaths)]) {
    registry.registerUnary(path, () => Promise.resolve(empty));
  }
}
