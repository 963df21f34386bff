// Cuts the per-domain option slices out of the one DaemonConfig (only app/ reads config).
import { parseGoDurationMs, parseHostPort, type DaemonConfig } from '../config/index.ts';
import type { AutoCertOptions, TransportOptions } from '../transport/index.ts';
import type { BucketSettings, RateLimitSettings } from '../pipeline/index.ts';
import type { EtcdServerSupervisorOptions } from '../storage/index.ts';
import type { Logger } from '../shared/index.ts';
import { dirname } from 'node:path';
import type { LoggingOptions, LogHookConfig } from '../ops/index.ts';
import type { ServiceProbeOptions } from '../ops/index.ts';

/** Headers the service does not get when `forward_payment_headers` is off (docs/config.md `forward_payment_headers`). */
const paymentAndAuthHeaders = [
  'snet-payment-type',
  'snet-payment-channel-id',
  'snet-payment-channel-nonce',
  'snet-payment-channel-amount',
  'snet-payment-channel-signature-bin',
  'snet-payment-mpe-address',
  'snet-free-call-auth-token-bin',
  'snet-free-call-user-id',
  'snet-free-call-user-address',
  'snet-prepaid-auth-token-bin',
  'snet-current-block-number',
  'cookie',
  'authorization',
];

/** A validated Go duration in ms (0 = none). */
export function durationMsOf(text: string): number {
  // Validation already refused malformed durations; 0 stands for "none".
  return parseGoDurationMs(text) ?? 0;
}

/** The automatic-certificate settings, or undefined when auto_ssl_domain is empty. */
export function autoCertOptionsFrom(config: DaemonConfig): AutoCertOptions | undefined {
  if (config.auto_ssl_domain === '') return undefined;
  const endpoint = parseHostPort(config.daemon_endpoint);
  return {
    domain: config.auto_ssl_domain,
    cacheDir: config.auto_ssl_cache_dir,
    directoryUrl: config.auto_ssl_directory_url,
    challenge: config.auto_ssl_challenge,
    httpHost: endpoint === undefined || endpoint.host === '' ? '0.0.0.0' : endpoint.host,
    httpPort: config.auto_ssl_http_port,
    renewBeforeMs: durationMsOf(config.auto_ssl_renew_before),
  };
}

/** The listener's settings. */
export function transportOptionsFrom(config: DaemonConfig): TransportOptions {
  const endpoint = parseHostPort(config.daemon_endpoint) ?? { host: '127.0.0.1', port: 8080 };
  return {
    host: endpoint.host === '' ? '0.0.0.0' : endpoint.host,
    port: endpoint.port,
    tls: config.ssl_cert === '' ? undefined : { certFile: config.ssl_cert, keyFile: config.ssl_key },
    maxMessageBytes: config.max_message_size_in_mb * 1024 * 1024,
    serviceTimeoutMs: durationMsOf(config.service_timeout),
    cors: { allowedOrigins: config.cors_allowed_origins.includes('*') ? '*' : config.cors_allowed_origins },
    dropMetadata: config.forward_payment_headers ? [] : paymentAndAuthHeaders,
  };
}

/** Graceful-stop deadline. */
export function shutdownTimeoutMs(config: DaemonConfig): number {
  return durationMsOf(config.shutdown_timeout);
}

/** The `log` section in the logger's terms (hook sections picked out by the names in `log.hooks`). */
export function loggingOptionsFrom(config: DaemonConfig): LoggingOptions {
  const log = config.log;
  const hooks: LogHookConfig[] = log.hooks.map((name) => {
    const section = (log[name.toLowerCase()] ?? {}) as Record<string, unknown>;
    const { type, levels, ...settings } = section;
    return { name, type: typeof type === 'string' ? type : '', levels: Array.isArray(levels) ? levels.map((level) => String(level)) : [], settings };
  });
  return {
    level: log.level as LoggingOptions['level'],
    timezone: log.timezone,
    formatter: { type: log.formatter.type as LoggingOptions['formatter']['type'], timestampFormat: log.formatter.timestamp_format },
    output: {
      type: log.output.type as LoggingOptions['output']['type'],
      filePattern: log.output.file_pattern,
      currentLink: log.output.current_link,
      maxSizeInMb: log.output.max_size_in_mb,
      maxAgeInDays: log.output.max_age_in_days,
      rotationCount: log.output.rotation_count,
    },
    hooks,
  };
}

/** How the heartbeat and gRPC health learn whether the service is up (docs/operations.md). */
export function serviceProbeOptionsFrom(config: DaemonConfig): ServiceProbeOptions {
  const type = config.service_heartbeat_type;
  if ((type === 'http' || type === 'https') && config.heartbeat_endpoint !== '') return { type: 'http', target: config.heartbeat_endpoint };
  if (type === 'grpc' && config.heartbeat_endpoint !== '') return { type: 'grpc', target: config.heartbeat_endpoint, serviceName: config.service_id };
  // '', none, tcp, and grpc/http/https without an endpoint: connect to the service port. grpc:// endpoints work
  // too (the reference's breaks).
  return { type: 'tcp', target: config.service_endpoint.replace(/^grpcs?:\/\//, 'http://') };
}

/**
 * Whether the configured probe checks the service as the owner asked (`/heartbeat` may then say `Online`): an
 * explicit `tcp`, or `grpc`/`http`/`https` with their `heartbeat_endpoint`. Unset, `none`, and a type whose
 * endpoint is missing fall back to a bare TCP connect that nobody chose: `Warning` at best.
 */
export function heartbeatConfigured(config: DaemonConfig): boolean {
  const type = config.service_heartbeat_type;
  if (type === 'tcp') return true;
  return (type === 'grpc' || type === 'http' || type === 'https') && config.heartbeat_endpoint !== '';
}

/**
 * The embedded etcd member of `payment_channel_storage_server` (docs/operations.md), or undefined when the
 * section is off. Its etcd log goes beside the first `log_outputs` path.
 */
export function etcdServerOptionsFrom(config: DaemonConfig, logger: Logger): EtcdServerSupervisorOptions | undefined {
  const server = config.payment_channel_storage_server;
  if (!server.enabled) return undefined;
  const firstLog = server.log_outputs.find((output) => output !== 'stdout' && output !== 'stderr');
  return {
    name: server.id,
    dataDir: server.data_dir,
    clientUrl: `${server.scheme}://${server.host}:${server.client_port}`,
    peerUrl: `${server.scheme}://${server.host}:${server.peer_port}`,
    initialCluster: server.cluster,
    token: server.token,
    logDir: firstLog === undefined ? server.data_dir : dirname(firstLog),
    logLevel: server.log_level,
    startupTimeoutMs: durationMsOf(server.startup_timeout),
    logger,
  };
}

/** A bucket size defaulted as documented: absent or 0 = the per-minute rate, at least 1. */
function bucket(perMinute: number | undefined, burst: number | undefined): BucketSettings {
  const rate = perMinute ?? 0;
  return { perMinute: rate, burst: burst !== undefined && burst > 0 ? burst : Math.max(1, Math.floor(rate)) };
}

/** Limits of proxied calls: the global bucket (reference semantics, burst defaulted) and the per-client one. */
export function rateLimitSettingsFrom(config: DaemonConfig): RateLimitSettings {
  return {
    global: bucket(config.rate_limit_per_minute, config.burst_size),
    perClient: bucket(config.rate_limit_per_client_per_minute, config.rate_limit_per_client_burst),
    maxClients: config.rate_limit_max_clients,
  };
}

/** The daemon-owned services' own bucket: explicit, else 10 × the proxied limit (at least 600 a minute), else none. */
export function daemonServicesLimitFrom(config: DaemonConfig): RateLimitSettings {
  const proxied = config.rate_limit_per_minute ?? 0;
  const perMinute = config.rate_limit_daemon_services_per_minute ?? (proxied > 0 ? Math.max(600, 10 * proxied) : 0);
  return { global: bucket(perMinute, undefined), perClient: { perMinute: 0, burst: 1 }, maxClients: 1 };
}
