// Wires what a service owner watches: Prometheus metrics (ops/metrics), the background heartbeat
// (ops/heartbeat) and, later in start-up, the admin listener. Only wiring: the parts live in ops/.
import type { DaemonConfig } from '../config/index.ts';
import { errorFromUnknown } from '../errors/index.ts';
import {
  createCallMetrics,
  createDaemonMetrics,
  createHeartbeatMonitor,
  createSharedProbe,
  parseAdminEndpoint,
  serviceTimer,
  startAdminListener,
  type AdminListener,
  type CallMetrics,
  type DaemonMetrics,
  type HeartbeatMonitor,
  type ServiceProbe,
  type TransportSnapshot,
} from '../ops/index.ts';
import { applyInterceptors, type CallHandler, type Interceptor, type ServiceRegistry } from '../pipeline/index.ts';
import type { Logger } from '../shared/index.ts';
import { grpcStatusFromError, type HttpRoutes } from '../transport/index.ts';
import { durationMsOf } from './option-slices.ts';

/** What monitoring needs from the rest of start-up. */
export interface MonitoringDeps {
  readonly logger: Logger;
  readonly version: string;
  readonly daemonId: string;
  readonly paymentsEnabled: boolean;
  /** The daemon's own methods: labelled by name, and carry no payment. */
  readonly registry: ServiceRegistry;
}

/** The monitoring parts of one daemon. */
export interface Monitoring {
  /** The service probe everyone shares (results reused ≤ 1 s; feeds the heartbeat state). */
  readonly probe: ServiceProbe;
  /** Interceptors to put innermost, next to the upstream. */
  readonly innerInterceptors: readonly Interceptor[];
  /** Wraps the root handler with the counting interceptor (call once the registry is complete). */
  wrapRoot(handler: CallHandler): CallHandler;
  /** `/metrics` on the daemon port, when metrics are on and public. */
  readonly httpRoutes: HttpRoutes;
  /** After the listener is up: transport figures for scrapes, background probe, admin listener. */
  start(parts: { transportStats: () => TransportSnapshot; renderHeartbeat: () => Promise<string> }): Promise<void>;
  readonly adminAddress: { readonly host: string; readonly port: number } | undefined;
  /** @internal tests */
  readonly metrics: DaemonMetrics | undefined;
  readonly heartbeat: HeartbeatMonitor;
  close(): Promise<void>;
}

/** Builds monitoring from the config; nothing runs until `start`. */
export function createMonitoring(config: DaemonConfig, deps: MonitoringDeps, rawProbe: ServiceProbe): Monitoring {
  const logger = deps.logger.child({ component: 'monitoring' });
  const heartbeat = createHeartbeatMonitor({ intervalMs: durationMsOf(config.heartbeat_interval), logger });
  let metrics: DaemonMetrics | undefined;
  let callMetrics: CallMetrics | undefined;
  let admin: AdminListener | undefined;
  const probe = createSharedProbe(rawProbe, { maxAgeMs: 1000, onResult: (status) => heartbeat.observe(status) });
  heartbeat.onChange((status) => metrics?.setServiceUp(status === 'SERVING'));
  const renderMetrics = async (): Promise<{ contentType: string; body: string }> => {
    if (metrics === undefined) throw new Error('metrics are off');
    return { contentType: metrics.contentType, body: await metrics.render() };
  };
  const monitoring: Monitoring = {
    probe,
    innerInterceptors: config.metrics_enabled ? [serviceTimer] : [],
    wrapRoot(handler) {
      if (!config.metrics_enabled) return handler;
      metrics = createDaemonMetrics({ version: deps.version, knownMethods: deps.registry.paths(), maxLearnedMethods: config.metrics_max_methods });
      if (heartbeat.state !== undefined) metrics.setServiceUp(heartbeat.state === 'SERVING');
      callMetrics = createCallMetrics(metrics, {
        paymentsEnabled: deps.paymentsEnabled,
        isDaemonMethod: (path) => deps.registry.lookup(path) !== undefined,
        statusOf: (error) => grpcStatusFromError(errorFromUnknown(error, 'call')).code,
      });
      return applyInterceptors(handler, [callMetrics.outer]);
    },
    httpRoutes:
      config.metrics_enabled && config.metrics_public
        ? {
            metrics: async () => {
              const { contentType, body } = await renderMetrics();
              return { status: 200, headers: { 'content-type': contentType }, body };
            },
          }
        : {},
    async start(parts) {
      metrics?.readTransportFrom(parts.transportStats);
      heartbeat.start(probe);
      if (config.metrics_endpoint !== '') {
        const routes = {
          '/heartbeat': async () => ({ contentType: 'application/json', body: await parts.renderHeartbeat() }),
          ...(config.metrics_enabled ? { '/metrics': renderMetrics } : {}),
        };
        admin = await startAdminListener(parseAdminEndpoint(config.metrics_endpoint), routes, logger);
        logger.info({ address: `${admin.address.host}:${admin.address.port}` }, 'metrics listener started (metrics_endpoint)');
      }
    },
    get adminAddress() {
      return admin?.address;
    },
    get metrics() {
      return metrics;
    },
    heartbeat,
    async close() {
      heartbeat.stop();
      await admin?.close();
    },
  };
  return monitoring;
}
