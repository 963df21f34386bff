// Wires what a service owner watches: Prometheus metrics (ops/metrics), the background heartbeat
// (ops/heartbeat) and, later in start-up, the admin listener. Only wiring: the parts live in ops/.
import type { DaemonConfig } from '../config/index.ts';
import { errorFromUnknown } from '../errors/index.ts';
import { buildMeteringMessage, createChainClient, resolveNetwork, signMessage } from '../blockchain/index.ts';
import {
  createAlertDispatcher,
  createEmailAlertChannel,
  createSignedHeaders,
  createWebhookAlertChannel,
  redactUrl,
  watchCertificates,
  watchDependencies,
  watchErrorRate,
  type AlertChannel,
  type AlertDispatcher,
  type SignedHeaders,
  type SmtpSettings,
  createCallMetrics,
  createMeteringClient,
  type MeteringClient,
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
import { durationMsOf, heartbeatConfigured, loggingOptionsFrom, serviceProbeOptionsFrom } from './option-slices.ts';

/** What monitoring needs from the rest of start-up. */
export interface MonitoringDeps {
  readonly logger: Logger;
  readonly version: string;
  readonly daemonId: string;
  readonly paymentsEnabled: boolean;
  /** Payment group id (base64) for signed notification headers; '' with the blockchain off. */
  readonly groupIdBase64: string;
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
  /**
   * After the listener is up: transport figures for scrapes, background probe, admin listener. `tlsCertFile` is
   * the certificate the listener serves (the automatic one when auto_ssl_domain is set), watched for expiry.
   */
  start(parts: { transportStats: () => TransportSnapshot; renderHeartbeat: () => Promise<string>; tlsCertFile?: string | undefined }): Promise<void>;
  readonly adminAddress: { readonly host: string; readonly port: number } | undefined;
  /** @internal tests */
  readonly metrics: DaemonMetrics | undefined;
  readonly heartbeat: HeartbeatMonitor;
  readonly alerts: AlertDispatcher;
  /**
   * Metering to the marketplace (`metering_enabled` with the blockchain on). The payment side reports each
   * committed escrow payment with `metering.reportChannelBalance(...)`.
   */
  readonly metering: MeteringClient | undefined;
  /**
   * For the payment layer: one storage (etcd) or chain (JSON-RPC) round trip, its time and whether the dependency
   * answered, for `snetd_dependency_duration_seconds` / `snetd_dependency_errors_total` and the
   * `storage_unreachable` / `chain_unreachable` alerts (decided every `alerts.check_interval`).
   */
  observeDependency(dependency: 'storage' | 'chain', seconds: number, ok: boolean): void;
  /**
   * For the payment layer's channel scan: the unclaimed total and the channels near expiry that hold unclaimed
   * funds (gauges, and one `channel_expiry` alert per channel while it stays near expiry).
   */
  reportChannels(scan: { unclaimedCogs: bigint; nearExpiry: readonly { channelId: bigint; unclaimedCogs: bigint; blocksLeft: bigint }[] }): void;
  close(): Promise<void>;
}

/** `alerts.smtp`, or else the first `email` log hook's server and login (one SMTP setup for both). */
export function alertSmtpFrom(config: DaemonConfig): { smtp: SmtpSettings; from: string } | undefined {
  const own = config.alerts.smtp;
  if (own.host !== '') return { smtp: { host: own.host, port: own.port, username: own.username || own.from, password: own.password }, from: own.from };
  const hook = loggingOptionsFrom(config).hooks.find((candidate) => candidate.type === 'email');
  if (hook === undefined) return undefined;
  const text = (key: string): string => {
    const value = hook.settings[key];
    return typeof value === 'string' ? value : '';
  };
  const from = text('from');
  const port = Number(hook.settings['port'] ?? 25);
  return { smtp: { host: text('host'), port: Number.isInteger(port) ? port : 25, username: text('username') || from, password: text('password') }, from };
}

/**
 * The signed metering headers for notifications (and metering), when `private_key_for_metering` is set and the
 * blockchain is on: the current block comes from a small chain client of its own (the payment layer's is not
 * shared), opened on first use.
 */
function signedHeadersFrom(config: DaemonConfig, deps: MonitoringDeps, closers: Array<() => Promise<void>>): SignedHeaders | undefined {
  const key = config.private_key_for_metering;
  if (key === undefined || key === '' || !config.blockchain_enabled) return undefined;
  let chain: ReturnType<typeof createChainClient> | undefined;
  const currentBlock = (): Promise<bigint> => {
    if (chain === undefined) {
      const rpc = config.ethereum_json_rpc_http_endpoint;
      const network = resolveNetwork(config.blockchain_network_selected, rpc === undefined || rpc === '' ? {} : { rpcHttpUrl: rpc });
      const opened = createChainClient({ logger: deps.logger }, { rpcHttpUrl: network.rpcHttpUrl, registryAddress: network.registryAddress, ...(config.blockchain_provider_api_key === '' ? {} : { providerApiKey: config.blockchain_provider_api_key }) });
      chain = opened;
      closers.push(() => opened.close());
    }
    return chain.getBlockNumber();
  };
  const identity = { daemonId: deps.daemonId, organizationId: config.organization_id, serviceId: config.service_id, groupId: deps.groupIdBase64 };
  const signUsage = (username: string, block: bigint): Uint8Array =>
    signMessage(key, buildMeteringMessage({ username, organizationId: identity.organizationId, serviceId: identity.serviceId, groupId: identity.groupId, currentBlock: block }), { recoveryByte: 'raw' });
  return createSignedHeaders({ ...identity, signUsage, currentBlock });
}

function alertChannelsFrom(config: DaemonConfig, deps: MonitoringDeps, signedHeaders: SignedHeaders | undefined): AlertChannel[] {
  const channels: AlertChannel[] = [];
  const smtp = alertSmtpFrom(config);
  if (config.alerts_email !== '') {
    if (smtp === undefined) deps.logger.warn({ alertsEmail: config.alerts_email }, 'alerts_email is set but no SMTP server is configured (alerts.smtp or an email log hook): no alert e-mails');
    else
      channels.push(
        createEmailAlertChannel({
          smtp: smtp.smtp,
          from: smtp.from,
          to: config.alerts_email,
          daemon: { daemonId: deps.daemonId, organizationId: config.organization_id, serviceId: config.service_id, network: config.blockchain_network_selected, version: deps.version },
        }),
      );
  }
  const url = config.notification_endpoint;
  if (url !== undefined && url !== '') channels.push(createWebhookAlertChannel({ url, daemonId: deps.daemonId, recipient: config.alerts_email, signedHeaders }));
  return channels;
}

/** Builds monitoring from the config; nothing runs until `start`. */
export function createMonitoring(config: DaemonConfig, deps: MonitoringDeps, rawProbe: ServiceProbe): Monitoring {
  const logger = deps.logger.child({ component: 'monitoring' });
  const heartbeat = createHeartbeatMonitor({ intervalMs: durationMsOf(config.heartbeat_interval), logger });
  let metrics: DaemonMetrics | undefined;
  let callMetrics: CallMetrics | undefined;
  let admin: AdminListener | undefined;
  const closers: Array<() => Promise<void>> = [];
  const stops: Array<() => void> = [];
  const signedHeaders = signedHeadersFrom(config, deps, closers);
  const alerts = createAlertDispatcher({ channels: alertChannelsFrom(config, deps, signedHeaders), minIntervalMs: durationMsOf(config.alerts.min_interval), logger });
  const metering =
    config.metering_enabled && signedHeaders !== undefined
      ? createMeteringClient({
          endpoint: config.metering_endpoint ?? '',
          signedHeaders,
          daemonId: deps.daemonId,
          organizationId: config.organization_id,
          serviceId: config.service_id,
          groupId: deps.groupIdBase64,
          registryAddress: config.registry_address_key ?? '',
          rpcEndpoint: redactUrl(config.ethereum_json_rpc_http_endpoint ?? ''),
          version: deps.version,
          logger,
        })
      : undefined;
  let reportedChannels = new Set<string>();
  const probeOptions = serviceProbeOptionsFrom(config);
  const probeTarget = probeOptions.target;
  const type = config.service_heartbeat_type;
  const probeName = heartbeatConfigured(config) ? type : `tcp (service_heartbeat_type ${type === '' || type === 'none' ? type || 'unset' : `${type} without heartbeat_endpoint`})`;
  // Round trips and failed ones per dependency (storage, chain), kept here so that the unreachable alerts work with
  // metrics off too: a check period without any round trip cannot tell "recovered".
  const roundTrips = [0, 0];
  const failedTrips = [0, 0];
  const checkIntervalMs = durationMsOf(config.alerts.check_interval);
  heartbeat.onChange((status) => {
    const down = status === 'NOT_SERVING';
    // The reference's notification text for a failed heartbeat (Go metrics/notifications.go), kept for monitors that match it.
    alerts.report('service_down', '', down, down ? 'Problem in calling Service Heartbeat endpoint.' : 'Service heartbeat is back: the service answers again.', `${probeName} probe of ${redactUrl(probeTarget)}: ${status}${down && rawProbe.lastFailure !== undefined ? ` (${rawProbe.lastFailure})` : ''}`);
  });
  const probe = createSharedProbe(rawProbe, { maxAgeMs: 1000, onResult: (status) => heartbeat.observe(status) });
  heartbeat.onChange((status) => metrics?.setServiceUp(status === 'SERVING'));
  const renderMetrics = async (): Promise<{ contentType: string; body: string }> => {
    if (metrics === undefined) throw new Error('metrics are off');
    return { contentType: metrics.contentType, body: await metrics.render() };
  };
  const monitoring: Monitoring = {
    probe,
    innerInterceptors: config.metrics_enabled || metering !== undefined ? [serviceTimer] : [],
    wrapRoot(handler) {
      // Metering rides on the counting interceptor (it sees every call's end); with metrics off the counters
      // are kept but not served.
      if (!config.metrics_enabled && metering === undefined) return handler;
      metrics = createDaemonMetrics({ version: deps.version, knownMethods: deps.registry.paths(), maxLearnedMethods: config.metrics_max_methods });
      if (heartbeat.state !== undefined) metrics.setServiceUp(heartbeat.state === 'SERVING');
      callMetrics = createCallMetrics(metrics, {
        paymentsEnabled: deps.paymentsEnabled,
        isDaemonMethod: (path) => deps.registry.lookup(path) !== undefined,
        statusOf: (error) => grpcStatusFromError(errorFromUnknown(error, 'call')).code,
        onCallEnd:
          metering === undefined
            ? undefined
            : (ctx, end) => metering.reportCall({ method: ctx.method, code: end.code, message: end.message, startedAtMs: end.startedAtMs, endedAtMs: end.endedAtMs, metadata: ctx.requestMetadata }),
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
      if (metering !== undefined) {
        await metering.verify();
        logger.info({ endpoint: redactUrl(config.metering_endpoint ?? '') }, 'metering verified: usage is reported to the marketplace');
      }
      metrics?.readTransportFrom(parts.transportStats);
      heartbeat.start(probe);
      stops.push(
        watchCertificates(alerts, {
          files: { tls: parts.tlsCertFile, storage_client: config.payment_channel_cert_path },
          tlsKey: config.auto_ssl_domain === '' ? 'ssl_cert' : 'auto_ssl_domain',
          warningMs: durationMsOf(config.alerts.certificate_warning),
          onExpiry: (role, seconds) => metrics?.setCertificateExpiry(role, seconds),
        }),
      );
      if (callMetrics !== undefined && metrics !== undefined) {
        const counted = callMetrics;
        stops.push(
          watchErrorRate(alerts, { totals: () => counted.totals(), threshold: config.alerts.error_rate_threshold, windowMs: durationMsOf(config.alerts.error_rate_window), minCalls: config.alerts.error_rate_min_calls }),
        );
      }
      if (deps.paymentsEnabled && checkIntervalMs > 0) {
        stops.push(
          watchDependencies(alerts, {
            errors: () => ({ storage: failedTrips[0] ?? 0, chain: failedTrips[1] ?? 0 }),
            roundTrips: () => ({ storage: roundTrips[0] ?? 0, chain: roundTrips[1] ?? 0 }),
            periodMs: checkIntervalMs,
          }),
        );
      }
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
    alerts,
    metering,
    observeDependency(dependency, seconds, ok) {
      const cell = dependency === 'storage' ? 0 : 1;
      roundTrips[cell] = (roundTrips[cell] ?? 0) + 1;
      metrics?.dependencySeconds.observe(cell, seconds);
      if (!ok) {
        failedTrips[cell] = (failedTrips[cell] ?? 0) + 1;
        metrics?.dependencyErrors.add(cell);
      }
    },
    reportChannels(scan) {
      metrics?.setChannelExposure(Number(scan.unclaimedCogs), scan.nearExpiry.length);
      const near = new Set<string>();
      for (const channel of scan.nearExpiry) {
        const id = channel.channelId.toString();
        near.add(id);
        alerts.report('channel_expiry', id, true, `Channel ${id} expires in ${channel.blocksLeft} blocks holding ${channel.unclaimedCogs} unclaimed cogs: claim it`, `channel ${id}, ${channel.unclaimedCogs} cogs unclaimed, ${channel.blocksLeft} blocks left`);
      }
      for (const id of reportedChannels) if (!near.has(id)) alerts.report('channel_expiry', id, false, `Channel ${id} is no longer at risk (claimed or extended)`, `channel ${id}`);
      reportedChannels = near;
    },
    async close() {
      heartbeat.stop();
      for (const stop of stops) stop();
      await admin?.close();
      await alerts.close();
      // Usage records still queued get a few seconds; a stalled marketplace does not hold the stop up.
      if (metering !== undefined) await Promise.race([metering.idle(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      for (const close of closers) await close().catch(() => undefined);
    },
  };
  return monitoring;
}
