// Cross-field checks of Go `config/config.go` `Validate` (same order and meaning as the reference's), but
// collected instead of first-fail, and without any network access (no GitHub version check).
import type { DaemonConfig } from './schema.ts';
import { referenceDefaultTokenSecret } from './schema.ts';
import { parseGoDurationMs } from './duration.ts';
import type { ConfigWarning } from './aliases.ts';

/** A problem before its source is known (load.ts adds the source and the shown value). */
export interface RawProblem {
  readonly key: string;
  readonly problem: string;
}

const hexAddress = /^0x[0-9a-fA-F]{40}$/;
const hexPrivateKey = /^(0x)?[0-9a-fA-F]{64}$/;
const knownNetworks = ['main', 'sepolia', 'local'];
/** Networks with a public RPC URL of their own: `local` (the dev chain on 127.0.0.1:8545). The others need the operator's provider. */
const networksWithDefaultRpc = ['local'];
const serviceSchemes = ['http:', 'https:', 'grpc:', 'grpcs:'];
const logLevels = ['debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic'];
const heartbeatTypes = ['', 'none', 'tcp', 'grpc', 'http', 'https'];
const storageTypes = ['etcd', 'embedded', 'memory', ''];
const emailPattern = /^[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}$/i;

/** Parses `host:port` (IPv6 in brackets); undefined when malformed or the port is out of range. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[^\]]*\]|[^:]*):(\d{1,5})$/.exec(text.trim());
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port > 65_535) return undefined;
  const host = (match[1] ?? '').replace(/^\[|\]$/g, '');
  return { host, port };
}

/** The service endpoint as the reference reads it: `http://` is prefixed when there is no scheme. */
export function normaliseServiceEndpoint(text: string): URL | undefined {
  const withScheme = text.includes('://') ? text : `http://${text}`;
  try {
    const url = new URL(withScheme);
    return url.hostname === '' ? undefined : url;
  } catch {
    return undefined;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function checkDuration(problems: RawProblem[], key: string, value: string): void {
  const ms = parseGoDurationMs(value);
  if (ms === undefined || ms < 0) {
    problems.push({ key, problem: 'must be a Go duration such as "100s", "1m30s" or "500ms" (0s = none)' });
  }
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1']);

const hourMs = 3_600_000;

/**
 * A renewal window at least as long as the certificate's lifetime renews it over and over (the runtime clamps
 * it too, but a value that can never work is refused here): Let's Encrypt issues at most 90 days, and no
 * publicly trusted certificate may live 398 days or more (CA/Browser Forum baseline requirements).
 */
function checkRenewalWindow(problems: RawProblem[], value: string, directoryUrl: string): void {
  const ms = parseGoDurationMs(value);
  if (ms === undefined || ms < 0) return; // checkDuration reported it
  let letsEncrypt = false;
  try {
    letsEncrypt = new URL(directoryUrl).hostname.endsWith('.api.letsencrypt.org');
  } catch {
    // auto_ssl_directory_url is reported on its own.
  }
  const [limitMs, lifetime] = letsEncrypt ? [90 * 24 * hourMs, "Let's Encrypt's certificate lifetime (90 days = 2160h)"] : [398 * 24 * hourMs, 'the longest lifetime of a public certificate (398 days = 9552h)'];
  if (ms === 0) problems.push({ key: 'auto_ssl_renew_before', problem: 'must be longer than 0s, or the certificate expires before it is renewed; e.g. "720h" (30 days)' });
  else if (ms >= limitMs) problems.push({ key: 'auto_ssl_renew_before', problem: `must be shorter than ${lifetime}, or every new certificate is due at once and renewed over and over; e.g. "720h" (30 days)` });
}

/** All cross-field problems, plus warnings that do not stop the daemon. */
export function validateSemantics(config: DaemonConfig): { problems: RawProblem[]; warnings: Omit<ConfigWarning, 'source'>[] } {
  const problems: RawProblem[] = [];
  const warnings: Omit<ConfigWarning, 'source'>[] = [];

  if (config.daemon_type === 'http') {
    problems.push({ key: 'daemon_type', problem: 'the unpaid plain-HTTP daemon ("http") is not supported by snetd-ts; use "grpc" (see docs/differences.md)' });
  } else if (config.daemon_type !== 'grpc') {
    problems.push({ key: 'daemon_type', problem: `unrecognized daemon type; allowed: "grpc"` });
  }

  const network = config.blockchain_network_selected.toLowerCase();
  if (config.blockchain_enabled && !knownNetworks.includes(network)) {
    const retired = network === 'goerli' ? 'Goerli was shut down; ' : '';
    problems.push({ key: 'blockchain_network_selected', problem: `${retired}unknown network; allowed: ${knownNetworks.join(', ')}` });
  } else if (config.blockchain_enabled && !networksWithDefaultRpc.includes(network) && (config.ethereum_json_rpc_http_endpoint ?? '').trim() === '') {
    problems.push({
      key: 'ethereum_json_rpc_http_endpoint',
      problem: `network ${network} needs an Ethereum JSON-RPC endpoint: set your provider URL (Infura, Alchemy, your own node), and blockchain_provider_api_key if it needs one`,
    });
  }
  for (const key of ['registry_address_key', 'mpe_contract_address'] as const) {
    const value = config[key];
    if (value !== undefined && value !== '' && !hexAddress.test(value)) {
      problems.push({ key, problem: 'must be a 0x-prefixed 20-byte hex address' });
    }
  }

  if ((config.ssl_cert === '') !== (config.ssl_key === '')) {
    problems.push({ key: config.ssl_cert === '' ? 'ssl_cert' : 'ssl_key', problem: 'SSL requires both key and certificate when enabled: set both ssl_cert and ssl_key, or neither' });
  }

  const daemon = parseHostPort(config.daemon_endpoint);
  if (daemon === undefined) {
    problems.push({ key: 'daemon_endpoint', problem: 'must be host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080' });
  }
  const service = normaliseServiceEndpoint(config.service_endpoint);
  if (service === undefined || !serviceSchemes.includes(service.protocol)) {
    problems.push({ key: 'service_endpoint', problem: 'must be the URL of your AI service (http, https, grpc or grpcs), e.g. http://127.0.0.1:5000 or grpc://127.0.0.1:5000' });
  } else if (daemon !== undefined) {
    const servicePort = Number(service.port || (service.protocol === 'https:' ? 443 : 80));
    const serviceHost = service.hostname.replace(/^\[|\]$/g, '');
    const sameHost = serviceHost === daemon.host || (daemon.host === '0.0.0.0' && loopbackHosts.has(serviceHost)) || (loopbackHosts.has(daemon.host) && loopbackHosts.has(serviceHost));
    if (sameHost && servicePort === daemon.port) {
      problems.push({ key: 'service_endpoint', problem: "can't be the same as daemon_endpoint: the daemon would call itself" });
    }
  }

  checkDuration(problems, 'service_timeout', config.service_timeout);
  if (config.auto_ssl_domain !== '') {
    checkDuration(problems, 'auto_ssl_renew_before', config.auto_ssl_renew_before);
    checkRenewalWindow(problems, config.auto_ssl_renew_before, config.auto_ssl_directory_url);
    if (!isHttpUrl(config.auto_ssl_directory_url)) problems.push({ key: 'auto_ssl_directory_url', problem: 'must be the https URL of an ACME directory' });
    if (config.auto_ssl_http_port < 0 || config.auto_ssl_http_port > 65_535) problems.push({ key: 'auto_ssl_http_port', problem: 'must be a port number (80 in production)' });
    if (config.auto_ssl_challenge === 'tls-alpn-01' && daemon !== undefined && daemon.port !== 443) {
      warnings.push({ key: 'auto_ssl_challenge', message: `auto_ssl_challenge tls-alpn-01: the CA validates on port 443 of ${config.auto_ssl_domain}, but daemon_endpoint listens on port ${daemon.port}; forward port 443 to it, or use http-01` });
    }
  }
  checkDuration(problems, 'shutdown_timeout', config.shutdown_timeout);
  const leaseMs = parseGoDurationMs(config.payment_reservation_lease);
  if (leaseMs === undefined || leaseMs < 1000) {
    problems.push({ key: 'payment_reservation_lease', problem: 'must be a Go duration of at least 1s, e.g. "30s"' });
  }
  checkDuration(problems, 'payment_channel_storage_client.connection_timeout', config.payment_channel_storage_client.connection_timeout);
  checkDuration(problems, 'payment_channel_storage_client.request_timeout', config.payment_channel_storage_client.request_timeout);
  checkDuration(problems, 'payment_channel_storage_server.startup_timeout', config.payment_channel_storage_server.startup_timeout);

  if (!Number.isInteger(config.process_max_running) || config.process_max_running < 0 || config.process_max_running > 4096) {
    problems.push({ key: 'process_max_running', problem: 'must be an integer between 0 (4 per CPU core) and 4096' });
  }
  if (!Number.isInteger(config.process_max_queued) || config.process_max_queued < 0 || config.process_max_queued > 1_000_000) {
    problems.push({ key: 'process_max_queued', problem: 'must be an integer between 0 and 1000000' });
  }
  if (!Number.isInteger(config.upstream_connections) || config.upstream_connections < 1 || config.upstream_connections > 64) {
    problems.push({ key: 'upstream_connections', problem: 'must be an integer between 1 and 64' });
  }
  if (config.max_message_size_in_mb < 1 || config.max_message_size_in_mb > 2048) {
    problems.push({ key: 'max_message_size_in_mb', problem: 'must be between 1 and 2048 (MiB)' });
  }
  const signatureThreads = config.payment_signature_threads;
  if (signatureThreads !== undefined && (signatureThreads < 0 || signatureThreads > 16)) {
    problems.push({ key: 'payment_signature_threads', problem: 'must be between 0 and 16 (0 = recover signatures on the event loop)' });
  }
  if (config.ipfs_timeout <= 0) problems.push({ key: 'ipfs_timeout', problem: 'must be a positive number of seconds' });

  if (config.allowed_user_flag) {
    if (config.blockchain_network_selected === 'main') {
      problems.push({ key: 'allowed_user_flag', problem: 'a service cannot be restricted to certain users on Ethereum mainnet' });
    }
    if (config.allowed_user_addresses.length === 0) {
      problems.push({ key: 'allowed_user_addresses', problem: 'list at least one address when allowed_user_flag is true' });
    }
  }
  config.allowed_user_addresses.forEach((address, index) => {
    if (!hexAddress.test(address)) problems.push({ key: `allowed_user_addresses.${index}`, problem: `${address} is not a valid hex address` });
  });
  config.trusted_free_call_signers.forEach((address, index) => {
    if (!hexAddress.test(address)) problems.push({ key: `trusted_free_call_signers.${index}`, problem: `${address} is not a valid hex address` });
  });
  config.authentication_addresses.forEach((address, index) => {
    if (!hexAddress.test(address)) warnings.push({ key: `authentication_addresses.${index}`, message: `authentication_addresses: ${address} is not a valid hex address; entry skipped` });
  });
  for (const address of Object.keys(config.free_calls_per_address)) {
    if (!hexAddress.test(address)) problems.push({ key: `free_calls_per_address.${address}`, problem: 'keys must be 0x-prefixed hex addresses' });
  }

  if (config.private_key_for_free_calls !== '' && !hexPrivateKey.test(config.private_key_for_free_calls)) {
    problems.push({ key: 'private_key_for_free_calls', problem: 'must be a 32-byte private key in hex (64 hex digits)' });
  }
  if (config.blockchain_enabled && Buffer.byteLength(config.token_secret_key) < 32) {
    problems.push({ key: 'token_secret_key', problem: 'must be at least 32 bytes when blockchain_enabled is true' });
  } else if (config.token_secret_key === referenceDefaultTokenSecret && config.blockchain_enabled) {
    warnings.push({ key: 'token_secret_key', message: 'token_secret_key is the public default of the reference daemon: anyone can forge prepaid tokens; the daemon refuses to start with it on any network but local. Set your own secret of 32+ random bytes (openssl rand -hex 32)' });
  }

  if (config.metering_enabled) {
    if (config.metering_endpoint === undefined || !isHttpUrl(config.metering_endpoint)) {
      problems.push({ key: 'metering_endpoint', problem: 'metering is enabled: set a valid http(s) URL of the metering service' });
    }
    if (config.private_key_for_metering === undefined || !hexPrivateKey.test(config.private_key_for_metering)) {
      problems.push({ key: 'private_key_for_metering', problem: 'metering is enabled: set a 32-byte private key in hex' });
    }
  }

  if (!heartbeatTypes.includes(config.service_heartbeat_type)) {
    problems.push({ key: 'service_heartbeat_type', problem: `unrecognized heartbeat type; allowed: ${heartbeatTypes.map((t) => `"${t}"`).join(', ')}` });
  } else if (config.heartbeat_endpoint === '' && ['grpc', 'http', 'https'].includes(config.service_heartbeat_type)) {
    // The reference accepts this too (and reports Online); here the probe falls back to a TCP connect.
    warnings.push({
      key: 'heartbeat_endpoint',
      message: `service_heartbeat_type "${config.service_heartbeat_type}" without heartbeat_endpoint: the heartbeat only connects to service_endpoint and reports Warning, not Online; set heartbeat_endpoint`,
    });
  } else if (config.heartbeat_endpoint !== '') {
    const type = config.service_heartbeat_type;
    if ((type === 'http' || type === 'https') && !isHttpUrl(config.heartbeat_endpoint)) {
      problems.push({ key: 'heartbeat_endpoint', problem: 'must be a valid http(s) URL for this heartbeat type' });
    }
    if (type === 'grpc' && parseHostPort(config.heartbeat_endpoint.replace(/^[a-z]+:\/\//, '')) === undefined) {
      problems.push({ key: 'heartbeat_endpoint', problem: 'must be host:port (or grpc://host:port) for the grpc heartbeat type' });
    }
  }

  if (config.alerts_email !== '' && config.notification_endpoint !== undefined && config.notification_endpoint !== '') {
    if (!isHttpUrl(config.notification_endpoint)) problems.push({ key: 'notification_endpoint', problem: 'must be a valid http(s) URL' });
    if (!emailPattern.test(config.alerts_email)) problems.push({ key: 'alerts_email', problem: 'must be an e-mail address' });
  }

  checkDuration(problems, 'heartbeat_interval', config.heartbeat_interval);
  checkDuration(problems, 'alerts.error_rate_window', config.alerts.error_rate_window);
  checkDuration(problems, 'alerts.min_interval', config.alerts.min_interval);
  checkDuration(problems, 'alerts.certificate_warning', config.alerts.certificate_warning);
  checkDuration(problems, 'alerts.check_interval', config.alerts.check_interval);
  if (!(config.alerts.error_rate_threshold >= 0 && config.alerts.error_rate_threshold <= 1)) {
    problems.push({ key: 'alerts.error_rate_threshold', problem: 'must be a fraction between 0 (off) and 1' });
  }
  if (config.metrics_endpoint !== '' && !/^\d{1,5}$/.test(config.metrics_endpoint) && parseHostPort(config.metrics_endpoint) === undefined) {
    problems.push({ key: 'metrics_endpoint', problem: 'must be host:port or a port number (bound to 127.0.0.1)' });
  }
  if (config.metrics_max_methods < 0 || config.metrics_max_methods > 10_000) problems.push({ key: 'metrics_max_methods', problem: 'must be 0..10000' });

  if (!storageTypes.includes(config.payment_channel_storage_type)) {
    problems.push({ key: 'payment_channel_storage_type', problem: 'allowed: "etcd" (etcd when endpoints are known, else embedded), "embedded", "memory"' });
  }
  for (const endpoint of config.payment_channel_storage_client.endpoints ?? []) {
    if (!isHttpUrl(endpoint)) problems.push({ key: 'payment_channel_storage_client.endpoints', problem: `${endpoint} is not an http(s) URL of an etcd member` });
  }

  if (config.rate_limit_per_minute !== undefined && config.rate_limit_per_minute < 0) {
    problems.push({ key: 'rate_limit_per_minute', problem: 'must be 0 (unlimited) or a positive number' });
  }
  if (config.burst_size !== undefined && config.burst_size < 0) problems.push({ key: 'burst_size', problem: 'must be 0 or positive' });
  for (const key of ['rate_limit_per_client_per_minute', 'rate_limit_per_client_burst', 'rate_limit_daemon_services_per_minute'] as const) {
    const value = config[key];
    if (value !== undefined && value < 0) problems.push({ key, problem: 'must be 0 (off / default) or a positive number' });
  }
  if (config.rate_limit_max_clients < 1) problems.push({ key: 'rate_limit_max_clients', problem: 'must be at least 1' });

  (config.service_credentials ?? []).forEach((credential, index) => {
    if (!['body', 'header', 'query'].includes(credential.location)) {
      problems.push({ key: `service_credentials.${index}.location`, problem: 'invalid service_credentials: location should be body, header or query' });
    }
    if (credential.key === '') problems.push({ key: `service_credentials.${index}.key`, problem: "invalid service_credentials: key can't be empty" });
  });

  validateLog(config, problems);

  if (config.experimental?.traffic_split !== undefined && (config.ssl_cert !== '' || config.auto_ssl_domain !== '')) {
    warnings.push({ key: 'experimental.traffic_split', message: 'experimental.traffic_split: TLS settings are ignored in this mode (as in the reference); terminate TLS in front of the daemon' });
  }
  return { problems, warnings };
}

function validateLog(config: DaemonConfig, problems: RawProblem[]): void {
  const log = config.log;
  if (!logLevels.includes(log.level.toLowerCase())) {
    problems.push({ key: 'log.level', problem: `allowed: ${logLevels.join(', ')}` });
  }
  if (!['text', 'json'].includes(log.formatter.type)) problems.push({ key: 'log.formatter.type', problem: 'allowed: "text", "json"' });
  if (log.output.type.length === 0) problems.push({ key: 'log.output.type', problem: 'name at least one output: file, stdout, stderr' });
  for (const type of log.output.type) {
    if (!['file', 'stdout', 'stderr'].includes(type)) problems.push({ key: 'log.output.type', problem: `unsupported log output type "${type}"; allowed: file, stdout, stderr` });
  }
  const badPlaceholder = /%[^YmdHMS]/.exec(log.output.file_pattern);
  if (badPlaceholder !== null) {
    problems.push({ key: 'log.output.file_pattern', problem: `invalid placeholder found in pattern: ${badPlaceholder[0]}; allowed: %Y %m %d %H %M %S` });
  }
  if (log.output.max_size_in_mb <= 0) problems.push({ key: 'log.output.max_size_in_mb', problem: 'must be positive' });
  if (log.output.rotation_count < 0) problems.push({ key: 'log.output.rotation_count', problem: 'must be 0 (no limit) or positive' });
  // Type-specific hook settings are checked by the logging domain (app/validate-config.ts).
  for (const name of log.hooks) {
    const section = log[name.toLowerCase()];
    if (section === null || typeof section !== 'object') {
      problems.push({ key: `log.${name}`, problem: `hook "${name}" is listed in log.hooks but has no section log.${name} with type and levels` });
    }
  }
}
