// The composition root: builds every part of the daemon from one validated configuration, in
// start-up order (as Go `snetd/cmd/serve.go`), and stops them in reverse order.
import type { Writable } from 'node:stream';
import type { LoadedConfig } from '../config/index.ts';
import { isSecretKey } from '../config/index.ts';
import { errorFromUnknown, SnetError } from '../errors/index.ts';
import { computeDaemonId, createHeartbeat, createLogger, createServiceProbe } from '../ops/index.ts';
import {
  applyInterceptors,
  createAccessLog,
  createEchoHandler,
  createProcessingSwitch,
  createRateLimiter,
  createRateLimitInterceptor,
  createRouter,
  createServiceRegistry,
  createStopSwitchInterceptor,
  createUpstreamHandler,
  type CallHandler,
} from '../pipeline/index.ts';
import { createUpstreamHealthProbe, preloadServiceTypes, registerDisabledEscrowServices, registerHealthService } from '../services/index.ts';
import { createMonitoring, type Monitoring } from './monitoring.ts';
import { createAutoCert, createDaemonServer, type DaemonServer, type DaemonServerStats } from '../transport/index.ts';
import { buildAdministration } from './admin-layer.ts';
import type { Upstream } from '../upstream/index.ts';
import { createServiceUpstream } from './service-upstream.ts';
import { createTranslatingUpstream, TRANSLATED_SERVICE_TYPES } from './translating-upstream.ts';
import type { Logger } from '../shared/index.ts';
import { buildCurationLayer } from './curation-layer.ts';
import type { PaymentLayer } from './payment-layer-types.ts';
import {
  autoCertOptionsFrom,
  daemonServicesLimitFrom,
  durationMsOf,
  etcdServerOptionsFrom,
  heartbeatConfigured,
  loggingOptionsFrom,
  rateLimitSettingsFrom,
  serviceProbeOptionsFrom,
  shutdownTimeoutMs,
  transportOptionsFrom,
} from './option-slices.ts';

/** What the process gives the daemon. */
export interface StartDaemonDeps {
  readonly version: string;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
}

/** A started daemon. */
export interface RunningDaemon {
  /** The bound address (the real port when daemon_endpoint asked for port 0). */
  readonly address: { readonly host: string; readonly port: number };
  /** The `metrics_endpoint` listener's address, when configured. */
  readonly metricsAddress: { readonly host: string; readonly port: number } | undefined;
  readonly logger: Logger;
  /** Live transport counters (calls in flight, handlers still settling, connections); read-only, for tests and metrics. */
  stats(): DaemonServerStats;
  /** Graceful stop: drain calls for up to `shutdown_timeout`, then close everything. Idempotent. */
  stop(): Promise<void>;
}

function redact(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((item, index) => redact(item, `${path}.${index}`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redact(inner, path === '' ? key : `${path}.${key}`)]));
  }
  return isSecretKey(path) && value !== '' && value !== undefined ? '[hidden]' : value;
}

/**
 * Starts the daemon described by `loaded`. Rejects with an `SnetError` (nothing left running)
 * when a part cannot start: logging, the listener, TLS.
 */
export async function startDaemon(loaded: LoadedConfig, deps: StartDaemonDeps): Promise<RunningDaemon> {
  const { config } = loaded;
  const logging = createLogger(
    loggingOptionsFrom(config),
    { organizationId: config.organization_id, serviceId: config.service_id, network: config.blockchain_network_selected, version: deps.version },
    { ...(deps.stdout === undefined ? {} : { stdout: deps.stdout }), ...(deps.stderr === undefined ? {} : { stderr: deps.stderr }) },
  );
  const logger = logging.logger;
  const cleanups: Array<() => Promise<void>> = [() => logging.close()];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    for (const warning of loaded.warnings) logger.warn({ key: warning.key, source: warning.source }, warning.message);
    logger.info({ configFile: loaded.filePath ?? null, config: redact(config, '') }, 'Final configuration');

    // The reference starts its embedded etcd member before everything else (Go `snetd/cmd/serve.go`).
    const etcdServerOptions = etcdServerOptionsFrom(config, logger);
    if (etcdServerOptions !== undefined) {
      const { createEtcdServerSupervisor } = await import('../storage/index.ts');
      const etcdServer = createEtcdServerSupervisor({
        ...etcdServerOptions,
        onUnexpectedExit: (exit) => logger.error({ ...exit, clientUrl: etcdServerOptions.clientUrl }, 'the embedded etcd member exited; payments that need it will fail until it is back'),
      });
      cleanups.push(() => etcdServer.stop());
      await etcdServer.start();
      logger.info({ clientUrl: etcdServer.clientUrl, pid: etcdServer.pid, log: etcdServer.logFile }, 'embedded etcd member started (payment_channel_storage_server)');
    }

    // With the blockchain disabled the reference synthesises {encoding: proto, service_type: grpc} (Go `blockchain/service_metadata.go`).
    let payments: PaymentLayer | undefined;
    if (config.blockchain_enabled) {
      // Loaded only here: the chain, IPFS and storage code is most of the daemon's start-up time,
      // and a free service (blockchain off) needs none of it.
      const { buildPaymentLayer } = await import('./payment-layer.ts');
      payments = await buildPaymentLayer(config, { logger });
      const built = payments;
      cleanups.push(() => built.close());
      if (payments.serviceType !== 'grpc' && !TRANSLATED_SERVICE_TYPES.has(payments.serviceType)) {
        throw new SnetError('CONFIG_UNSUPPORTED', `service_type "${payments.serviceType}" in the service metadata is not a known service type`, {
          hint: 'Publish the service metadata with service_type grpc, jsonrpc, http or process.',
        });
      }
      if (payments.serviceType !== 'grpc' && config.enable_dynamic_pricing) {
        throw new SnetError('CONFIG_UNSUPPORTED', `enable_dynamic_pricing calls the service's estimate methods over gRPC, which a "${payments.serviceType}" service does not serve`, {
          hint: 'Set enable_dynamic_pricing to false (the metadata pricing applies), or serve the service over gRPC.',
        });
      }
    }
    const curation = payments === undefined ? buildCurationLayer(config) : undefined;
    if (curation !== undefined) {
      cleanups.push(() => curation.close());
      logger.info({ allowedUsers: config.allowed_user_addresses.length }, 'blockchain off with allowed_user_flag: only allowed users are served (free, signed calls)');
    }
    const encoding = payments?.encoding ?? 'proto';
    const serviceType = payments?.serviceType ?? 'grpc';
    let upstream: Upstream | undefined;
    let fallback: CallHandler;
    if (config.passthrough_enabled) {
      const userAgent = `snetd-ts/${deps.version}`;
      upstream =
        serviceType === 'grpc'
          ? createServiceUpstream({ logger }, config, { endpoint: config.service_endpoint, userAgent, contentSubtype: payments === undefined ? undefined : encoding })
          : await createTranslatingUpstream({ logger }, config, { serviceType, encoding, userAgent });
      const opened = upstream;
      cleanups.push(() => opened.close());
      fallback = createUpstreamHandler(upstream);
    } else {
      logger.warn({}, 'passthrough_enabled is false: echo mode, every call answers with its own request');
      fallback = createEchoHandler();
    }

    const processing = createProcessingSwitch();
    const proxiedLimiter = createRateLimiter(rateLimitSettingsFrom(config));
    const daemonLimiter = createRateLimiter(daemonServicesLimitFrom(config));
    // A process service has no port to connect to: unless a heartbeat endpoint is configured, it is healthy
    // while its executable can be run.
    const processProbe = serviceType === 'process' && upstream !== undefined && config.heartbeat_endpoint === '';
    const rawProbe = processProbe && upstream !== undefined ? createUpstreamHealthProbe(upstream) : createServiceProbe(serviceProbeOptionsFrom(config));
    const registry = createServiceRegistry();
    const daemonId = computeDaemonId(config.organization_id, config.service_id, payments?.groupIdBase64 ?? '', payments?.registryAddress ?? config.registry_address_key ?? '');
    // Metrics, background heartbeat and alerts; the probe it returns is shared by /heartbeat and health.
    const monitoring: Monitoring = createMonitoring(config, { logger, version: deps.version, daemonId, paymentsEnabled: payments !== undefined, groupIdBase64: payments?.groupIdBase64 ?? '', registry }, rawProbe);
    cleanups.push(() => monitoring.close());
    payments?.attachMonitoring(monitoring, { checkIntervalMs: durationMsOf(config.alerts.check_interval) });
    const probe = monitoring.probe;
    registerHealthService(registry, probe);
    // With the blockchain disabled the reference answers its payment services with empty replies.
    if (payments === undefined) registerDisabledEscrowServices(registry);
    else payments.registerServices(registry);
    // The server is made after the services it serves; updates reach it through this late-bound slot.
    const serverSlot: { current?: DaemonServer } = {};
    const administration = buildAdministration(config, {
      logger,
      registry,
      processing,
      parts: { logging, proxiedLimiter, daemonLimiter, server: () => serverSlot.current },
    });
    cleanups.push(() => administration.close());
    const heartbeat = createHeartbeat(probe, {
      daemonId,
      serviceId: config.service_id,
      version: deps.version,
      blockchainEnabled: config.blockchain_enabled,
      network: config.blockchain_network_selected,
      heartbeatConfigured: processProbe || heartbeatConfigured(config),
      storageClientCertPath: config.payment_channel_cert_path,
    });
    const renderHeartbeat = (): Promise<string> => heartbeat.render();

    // The access log wraps the router (every call) and times the service hop; built only when it writes.
    const accessLog = config.log.access || config.log.level === 'debug' ? createAccessLog(logger.child({ component: 'access' }), config.log.access ? 'info' : 'debug') : undefined;
    const router = createRouter({
      registry,
      // Stop switch → rate limit → payment: a call refused by the first two costs no cryptography and no storage.
      fallback: applyInterceptors(fallback, [
        createStopSwitchInterceptor(processing),
        createRateLimitInterceptor(proxiedLimiter),
        ...(payments?.interceptors ?? curation?.interceptors ?? []),
        ...(accessLog === undefined ? [] : [accessLog.serviceTimer]),
        ...monitoring.innerInterceptors,
      ]),
      daemonLimiter,
    });
    // Automatic certificates win over ssl_cert / ssl_key (as in the reference); the listener reloads the files on
    // renewal. It starts before the first certificate exists (TLS-ALPN-01 is answered on it), without one.
    let transportOptions = transportOptionsFrom(config);
    const autoCertOptions = autoCertOptionsFrom(config);
    const autoCert = autoCertOptions === undefined ? undefined : createAutoCert({ logger, onCertificate: () => serverSlot.current?.reloadTls() }, autoCertOptions);
    if (autoCert !== undefined) {
      cleanups.push(() => autoCert.close());
      transportOptions = { ...transportOptions, tls: { certFile: autoCert.certFile, keyFile: autoCert.keyFile, mayBeMissing: true, acmeChallenges: autoCert.tlsAlpnChallenges } };
    }
    const server = createDaemonServer(
      {
        logger,
        handler: monitoring.wrapRoot(accessLog === undefined ? router : applyInterceptors(router, [accessLog.outer])),
        httpRoutes: {
          heartbeat: async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: await renderHeartbeat() }),
          encoding: () => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `${encoding}\n` }),
          ...monitoring.httpRoutes,
        },
      },
      transportOptions,
    );
    serverSlot.current = server;
    const address = await server.listen();
    const drainMs = shutdownTimeoutMs(config);
    cleanups.push(() => server.close(drainMs));
    if (autoCert !== undefined && autoCertOptions !== undefined) {
      const { httpPort } = await autoCert.start();
      server.reloadTls();
      logger.info({ domain: autoCertOptions.domain, challenge: autoCertOptions.challenge, ...(httpPort === undefined ? {} : { challengePort: httpPort }) }, 'automatic certificate in use');
    }
    await monitoring.start({ transportStats: () => server.stats(), renderHeartbeat, tlsCertFile: transportOptions.tls?.certFile });
    logger.info({ address: `${address.host}:${address.port}`, tls: transportOptions.tls !== undefined }, '✅ Daemon successfully started and ready to accept requests');
    // The services' .proto files, parsed just after start-up rather than before it or on a first call.
    setImmediate(() => {
      try {
        preloadServiceTypes();
      } catch (error) {
        logger.error({ err: error }, 'the daemon services\' .proto files cannot be read: their calls will fail');
      }
    });

    let stopping: Promise<void> | undefined;
    return {
      address,
      metricsAddress: monitoring.adminAddress,
      logger,
      stats: () => server.stats(),
      stop() {
        stopping ??= (async () => {
          logger.info({ drainMs }, 'stopping: draining in-flight calls');
          await stopAll();
        })();
        return stopping;
      },
    };
  } catch (error) {
    // The operator needs the code, the message and the hint; the stack only when debugging.
    const failure = errorFromUnknown(error, 'start-up');
    logger.error({ code: failure.code, ...(failure.hint === undefined ? {} : { hint: failure.hint }) }, `daemon failed to start: ${failure.message}`);
    logger.debug({ err: error }, 'daemon failed to start (details)');
    await stopAll();
    throw error;
  }
}
