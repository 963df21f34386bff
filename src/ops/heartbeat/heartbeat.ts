// The /heartbeat body (spec §9.4): same fields and order as the reference; served as JSON.
import type { ServiceProbe } from './service-probe.ts';

/** Facts of the heartbeat that do not change while the daemon runs. */
export interface HeartbeatOptions {
  readonly daemonId: string;
  readonly serviceId: string;
  readonly version: string;
  readonly blockchainEnabled: boolean;
  readonly network: string;
}

/** Renders heartbeats. */
export interface Heartbeat {
  /** Probes the service and returns the JSON text of the body (with a trailing newline). */
  render(): Promise<string>;
}

/** Builds the heartbeat renderer once; `now` is injectable for tests. */
export function createHeartbeat(probe: ServiceProbe, options: HeartbeatOptions, now: () => number = Date.now): Heartbeat {
  return {
    async render() {
      const status = await probe.check();
      const body = {
        daemonID: options.daemonId,
        timestamp: String(Math.floor(now() / 1000)),
        status: status === 'SERVING' ? 'Online' : 'Offline',
        // A JSON string inside the JSON, as the reference sends it: monitoring parses it that way.
        serviceheartbeat: JSON.stringify({ serviceID: options.serviceId, status }),
        daemonVersion: options.version,
        blockchainEnabled: options.blockchainEnabled,
        blockchainNetwork: options.network,
        storageClientCertDetails: { validFrom: '', validTill: '' },
      };
      return `${JSON.stringify(body)}\n`;
    },
  };
}
