// The /heartbeat body (Go `metrics/heartbeat.go`): same fields and order as the reference; served as JSON.
import { readCertDetails } from './cert-details.ts';
import type { ServiceProbe } from './service-probe.ts';

/** Facts of the heartbeat that do not change while the daemon runs. */
export interface HeartbeatOptions {
  readonly daemonId: string;
  readonly serviceId: string;
  readonly version: string;
  readonly blockchainEnabled: boolean;
  readonly network: string;
  /**
   * False when `service_heartbeat_type` is unset or `none`: the probe only connects to the service port, which
   * proves the port is open, not that the service works; the status then says `Warning`, not `Online`.
   * @default true
   */
  readonly heartbeatConfigured?: boolean;
  /** `payment_channel_cert_path`: its validity goes in `storageClientCertDetails`. */
  readonly storageClientCertPath?: string | undefined;
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
      const [status, certDetails] = await Promise.all([probe.check(), readCertDetails(options.storageClientCertPath)]);
      const body = {
        daemonID: options.daemonId,
        timestamp: String(Math.floor(now() / 1000)),
        status: status !== 'SERVING' ? 'Offline' : (options.heartbeatConfigured ?? true) ? 'Online' : 'Warning',
        // A JSON string inside the JSON, as the reference sends it: monitoring parses it that way.
        serviceheartbeat: JSON.stringify({ serviceID: options.serviceId, status }),
        daemonVersion: options.version,
        blockchainEnabled: options.blockchainEnabled,
        blockchainNetwork: options.network,
        storageClientCertDetails: certDetails,
      };
      return `${JSON.stringify(body)}\n`;
    },
  };
}
