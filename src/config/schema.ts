// The single source of truth for snetd.config.json: every key, its type, default and meaning.
// docs/config.md is generated from this file (npm run docs). Key names, defaults and loose
// value forms follow the Go reference v6.2.3 (Go `config/config.go`) so existing
// files load unchanged; keys marked "snetd-ts" are our extensions.
import { z } from 'zod';
import { looseBoolean, looseInt, looseNumber, looseString, looseStringList } from './coerce.ts';

/** Documentation attached to a schema node; read by the docs generator and the loader. */
export interface KeyDoc {
  readonly description: string;
  /** Value is a secret: masked in errors, logs and generated files. */
  readonly secret?: boolean;
  /** Value is a URL that may carry an API key in its path or query: shown redacted. */
  readonly sensitiveUrl?: boolean;
  /** Not in the Go reference: a snetd-ts extension. */
  readonly extension?: boolean;
  /** Accepted for compatibility but not used by snetd-ts (explained in the description). */
  readonly unused?: boolean;
  /** Can be changed while the daemon runs (configuration service `UpdateConfiguration`, `snetd admin set`). */
  readonly updatable?: boolean;
}

const docs = new WeakMap<z.ZodType, KeyDoc>();

/** Attaches documentation to a schema node and returns it (for the table below). */
function doc<T extends z.ZodType>(schema: T, keyDoc: KeyDoc): T {
  docs.set(schema, keyDoc);
  return schema;
}

/** Documentation of a schema node, if any. */
export function getKeyDoc(schema: z.ZodType): KeyDoc | undefined {
  return docs.get(schema);
}

/** The public test-only JWT key of the reference; accepted with a warning (see load.ts). */
export const referenceDefaultTokenSecret = 'test-secret-key-at-least-32-bytes-long';

const logOutputSchema = z.object({
  type: doc(looseStringList().default(['file', 'stdout']), {
    description: 'Where log lines go: any of `file`, `stdout`, `stderr` (a string or a list).',
  }),
  file_pattern: doc(looseString().default('./snet-daemon.%Y%m%d.log'), {
    description: 'Log file name; placeholders `%Y %m %d %H %M %S` (local time). A new file starts when the expanded name changes.',
  }),
  current_link: doc(looseString().default('./snet-daemon.log'), {
    description: 'Symlink that always points at the current log file.',
  }),
  max_size_in_mb: doc(looseNumber().default(10), { description: 'Rotate the file when it grows beyond this many MiB.' }),
  max_age_in_days: doc(looseNumber().default(7), { description: 'Delete rotated files older than this many days.' }),
  rotation_count: doc(looseInt().default(0), { description: 'Keep at most this many rotated files (0 = no count limit).' }),
});

const logSchema = z
  .object({
    level: doc(looseString().default('info'), {
      description: 'Minimum level: `debug`, `info`, `warn` (`warning`), `error`, `fatal`, `panic`.',
      updatable: true,
    }),
    timezone: doc(looseString().default('UTC'), { description: 'IANA time zone of the timestamps in log lines.' }),
    formatter: z.object({
      type: doc(looseString().default('text'), { description: 'Line format: `text` (tab-separated) or `json`.' }),
      timestamp_format: doc(looseString().default('2006-01-02T15:04:05.999Z07:00'), {
        description: 'Timestamp layout in Go notation (reference date 2006-01-02 15:04:05 -0700); empty = RFC 3339.',
      }),
    }).prefault({}),
    output: logOutputSchema.prefault({}),
    access: doc(looseBoolean().default(false), {
      description:
        'One `call` line per call at info level (an access log): method, client address, payment type and channel id, price, gRPC status, time in the daemon and in the service, bytes in and out; never a signature or token. Off: the same line at debug level only.',
      extension: true,
    }),
    hooks: doc(looseStringList().default([]), {
      description: 'Names of hook sections to enable; each is configured under `log.<name>` with `type` (`email`, `webhook`) and `levels`.',
    }),
  })
  // Hook sections live beside the fixed keys under their own names (Go `logger/hook.go`).
  .catchall(z.unknown());

const storageClientSchema = z.object({
  connection_timeout: doc(looseString().default('0s'), {
    description: 'etcd dial timeout (Go duration); non-zero overrides the org metadata.',
  }),
  request_timeout: doc(looseString().default('0s'), {
    description: 'etcd per-request timeout (Go duration); non-zero overrides the org metadata; snetd-ts uses 5s when neither sets it.',
  }),
  endpoints: doc(looseStringList().optional(), { description: 'etcd endpoints; non-empty overrides the org metadata group.' }),
  hot_reload: doc(looseBoolean().default(false), { description: 'Follow org metadata changes on chain (etcd endpoints, recipient) without restart.' }),
});

const storageServerSchema = z.object({
  id: doc(looseString().default('storage-1'), { description: 'etcd member name.' }),
  scheme: doc(looseString().default('http'), { description: 'Scheme of the member client and peer URLs.' }),
  host: doc(looseString().default('127.0.0.1'), { description: 'Host the member binds and advertises.' }),
  client_port: doc(looseInt().default(2379), { description: 'Client port.' }),
  peer_port: doc(looseInt().default(2380), { description: 'Peer port.' }),
  token: doc(looseString().default('unique-token'), { description: 'Initial cluster token.' }),
  cluster: doc(looseString().default('storage-1=http://127.0.0.1:2380'), { description: 'Initial cluster `name=peerURL,…`.' }),
  startup_timeout: doc(looseString().default('1m'), { description: 'How long to wait for the member to become healthy (Go duration).' }),
  data_dir: doc(looseString().default('storage-data-dir-1.etcd'), { description: 'Data directory of the member.' }),
  log_level: doc(looseString().default('info'), { description: 'etcd log level.' }),
  log_outputs: doc(looseStringList().default(['./etcd-server.log']), { description: 'etcd log sinks.' }),
  enabled: doc(looseBoolean().default(false), {
    description:
      'Run a local etcd member as a child process (needs an `etcd` binary). As in the reference, a section present in the file without `enabled: false` counts as enabled.',
  }),
});

const serviceCredentialSchema = z.object({
  key: looseString(),
  value: z.unknown(),
  location: looseString(),
});

const freeCallLimitSchema = z.union([looseInt(), z.enum(['unlimited', 'infinity'])]);

/** Top-level keys, in the order docs/config.md lists them. */
export const configShape = {
  // --- blockchain ---
  blockchain_enabled: doc(looseBoolean().default(true), {
    description: 'Off: no chain, no metadata fetch, no payments; the service is treated as a free gRPC service.',
  }),
  blockchain_network_selected: doc(looseString().default('sepolia'), {
    description: 'Network: `main`, `sepolia` or `local` (the snetd-ts dev chain, chain id 31337). `main` and `sepolia` need `ethereum_json_rpc_http_endpoint`.',
  }),
  ethereum_json_rpc_http_endpoint: doc(looseString().optional(), {
    description: 'Ethereum JSON-RPC HTTP URL; default from the network table. Alias: `ethereum_json_rpc_endpoint`.',
    sensitiveUrl: true,
  }),
  ethereum_json_rpc_ws_endpoint: doc(looseString().optional(), {
    description: 'Ethereum JSON-RPC WebSocket URL. Accepted, not used: snetd-ts reads chain events by polling over HTTP, which survives provider WebSocket drops.',
    sensitiveUrl: true,
    unused: true,
  }),
  registry_address_key: doc(looseString().optional(), { description: 'Registry contract address; default from the contracts package by chain id.' }),
  blockchain_provider_api_key: doc(looseString().default(''), {
    description: 'RPC auth: a JWT-looking key is sent as `Bearer`, else `Basic` for Infura URLs, else `Bearer`.',
    secret: true,
  }),
  mpe_contract_address: doc(looseString().optional(), {
    description: 'MultiPartyEscrow address override (default: service metadata `mpe_address`).',
    extension: true,
  }),
  organization_id: doc(looseString().default('YOUR_ORG_ID'), { description: 'Organization id in the Registry.' }),
  service_id: doc(looseString().default('YOUR_SERVICE_ID'), { description: 'Service id in the Registry.' }),
  daemon_group_name: doc(looseString().default('default_group'), {
    description: 'Payment group; must match a `group_name` in both service and org metadata.',
  }),
  service_metadata_file: doc(looseString().optional(), {
    description: 'Read service metadata from this JSON file instead of Registry → IPFS (air-gapped and test setups).',
    extension: true,
  }),
  org_metadata_file: doc(looseString().optional(), {
    description: 'Read organization metadata from this JSON file instead of Registry → IPFS.',
    extension: true,
  }),
  ipfs_endpoint: doc(looseString().default('https://ipfs.singularitynet.io:443'), {
    description: 'Kubo RPC API base URL for `ipfs://` metadata.',
    sensitiveUrl: true,
  }),
  lighthouse_endpoint: doc(looseString().default('https://gateway.lighthouse.storage/ipfs/'), {
    description: 'Gateway prefix for `filecoin://` metadata.',
    sensitiveUrl: true,
  }),
  ipfs_timeout: doc(looseNumber().default(30), { description: 'Timeout in seconds for IPFS / gateway downloads.' }),
  ipfs_verify_cid: doc(looseBoolean().default(true), {
    description: 'Verify downloaded metadata against its CID. Turn off only for gateways that transform content.',
    extension: true,
  }),
  // --- listener and service ---
  daemon_endpoint: doc(looseString().default('127.0.0.1:8080'), {
    description: 'host:port the daemon listens on: gRPC, gRPC-Web and HTTP on one port.',
  }),
  daemon_type: doc(looseString().default('grpc'), {
    description: 'Only `grpc` is supported; the reference\'s unpaid `http` mode is refused with an explanation.',
  }),
  service_endpoint: doc(looseString().default('http://localhost:5000'), {
    description: 'The AI service: `http://host:port` (h2c), `https://` (TLS), `grpc://host:port` or `host:port`; a URL for jsonrpc/http types.',
  }),
  upstream_http2_engine: doc(z.enum(['nghttp2', 'builtin']).default('builtin'), {
    description:
      'HTTP/2 client for the daemon→service hop (gRPC services): `builtin` = the daemon\'s own lean HTTP/2 client (about 40 % less daemon CPU per small call than `nghttp2` and more throughput; retries calls the service refused unprocessed, e.g. during a graceful restart); `nghttp2` = node:http2, the previous default. See docs/operations.md; set `nghttp2` to switch back.',
    extension: true,
  }),
  upstream_connections: doc(looseInt().default(4), {
    description:
      'Most connections to the gRPC service with `upstream_http2_engine: builtin` (the default), 1..64. Calls share the first connection; another is opened only while every open one is held back by the service (its flow-control window spent, or its concurrent-stream limit reached), as with large messages to a grpc-js service (64 KiB connection window). 1 = always one connection.',
    extension: true,
  }),
  passthrough_enabled: doc(looseBoolean().default(true), { description: 'Off: echo mode (every call answers with its own request).' }),
  executable_path: doc(looseString().optional(), {
    description: 'Executable for the `process` service type: run once per call with the method name as its argument (no shell); the request message on standard input, the reply on standard output, standard error to the log.',
  }),
  process_max_running: doc(looseInt().default(0), {
    description: '`process` service type: most processes running at once; 0 = 4 per CPU core. Further calls wait in a queue (process_max_queued).',
    extension: true,
  }),
  process_max_queued: doc(looseInt().default(256), {
    description: '`process` service type: most calls waiting for a process slot; beyond it a call answers RESOURCE_EXHAUSTED.',
    extension: true,
  }),
  service_credentials: doc(z.array(serviceCredentialSchema).optional(), {
    description: 'For the `http` service type: `[{key, value, location: header|query|body}]` added to each request.',
  }),
  service_timeout: doc(looseString().default('100s'), {
    description: 'Deadline of a call to the service when the client sent none (Go duration; `0s` = none).',
  }),
  max_message_size_in_mb: doc(looseInt().default(4), { description: 'Largest message in either direction, in MiB (1..2048).' }),
  forward_payment_headers: doc(looseBoolean().default(true), {
    description: 'Forward `snet-payment-*`, auth-token and cookie headers to the service (the reference does). Off strips them.',
    extension: true,
  }),
  cors_allowed_origins: doc(looseStringList().default(['*']), {
    description: 'Origins allowed to call over gRPC-Web; `*` (default) allows all.',
    extension: true,
    updatable: true,
  }),
  shutdown_timeout: doc(looseString().default('30s'), {
    description: 'On SIGTERM/SIGINT: how long in-flight calls may take to finish before connections are closed (Go duration).',
    extension: true,
  }),
  // --- TLS ---
  ssl_cert: doc(looseString().default(''), { description: 'PEM certificate chain; re-read when the file changes.' }),
  ssl_key: doc(looseString().default(''), { description: 'PEM private key for `ssl_cert`.' }),
  auto_ssl_domain: doc(looseString().default(''), {
    description:
      'Domain for an automatic certificate (ACME, Let\'s Encrypt by default): the daemon answers the `auto_ssl_challenge` (HTTP-01 on `auto_ssl_http_port`, or TLS-ALPN-01 on its own TLS port), caches the certificate in `auto_ssl_cache_dir` and renews it before expiry without a restart. Wins over ssl_cert / ssl_key. The domain must resolve to this host. See docs/operations.md "Automatic certificates".',
  }),
  auto_ssl_challenge: doc(z.enum(['http-01', 'tls-alpn-01']).default('http-01'), {
    description:
      'How the CA checks the domain: `http-01` = a token on port 80 (`auto_ssl_http_port`), as the reference daemon; `tls-alpn-01` = a challenge certificate on the daemon\'s own TLS port, no port 80 needed, but the CA connects to port 443 of the domain, so `daemon_endpoint` must be (or be forwarded from) port 443.',
    extension: true,
  }),
  auto_ssl_cache_dir: doc(looseString().default('.certs'), { description: 'Where the ACME account key and the automatic certificate are kept (directory 0700, files 0600).' }),
  auto_ssl_directory_url: doc(looseString().default('https://acme-v02.api.letsencrypt.org/directory'), {
    description: 'ACME directory of the certificate authority (Let\'s Encrypt production by default; its staging directory for trials). Its TLS is trusted through Node\'s CA store plus NODE_EXTRA_CA_CERTS.',
    extension: true,
  }),
  auto_ssl_http_port: doc(looseInt().default(80), {
    description: 'Port of the HTTP-01 challenge listener (it also redirects other GET/HEAD requests to https); unused with `auto_ssl_challenge: tls-alpn-01`. The CA always connects to port 80: change this only behind a port forward.',
    extension: true,
  }),
  auto_ssl_renew_before: doc(looseString().default('720h'), {
    description:
      'Renew the automatic certificate when it expires within this Go duration (default 30 days). Must be shorter than the certificate\'s lifetime: 90 days or more is refused for Let\'s Encrypt, 398 days or more (the longest a public certificate may live) for any CA; a window the certificate turns out to be shorter than is replaced, with a warning, by a third of its lifetime, and orders are never closer than an hour (a tenth of the lifetime for certificates shorter than 10 hours).',
    extension: true,
  }),
  // --- payment storage ---
  payment_channel_storage_type: doc(looseString().default('etcd'), {
    description:
      '`etcd` uses etcd when endpoints are configured (here or in org metadata), else the embedded store; `embedded` forces the embedded store; `memory` keeps state in memory only (lost on restart).',
  }),
  payment_channel_storage_format: doc(z.enum(['snetd-ts', 'go']).default('snetd-ts'), {
    description:
      'How channel state is kept in etcd. `snetd-ts`: our own records under the `snetd-ts/1/` prefix. `go`: the Go daemon\'s keys, gob values and `locked`/`unlocked` channel locks (our locks attached to an etcd lease of `payment_reservation_lease`), so Go and snetd-ts replicas of one group can serve the same channels during a rolling switch; escrow payments only (prepaid and free calls are refused). Needs etcd storage. See docs/migration.md "Mixed fleets".',
    extension: true,
  }),
  embedded_storage_dir: doc(looseString().default('./snetd-data'), {
    description: 'Directory of the embedded, crash-safe channel-state store.',
    extension: true,
  }),
  payment_reservation_lease: doc(looseString().default('30s'), {
    description:
      'How long a paid call in flight holds its channel (Go duration, at least 1s). Renewed while the call runs; after a crash the channel is free again, and the reserved payment counts as accepted, once it ends (docs/payments.md).',
    extension: true,
  }),
  payment_signature_threads: doc(looseInt().optional(), {
    description:
      'Worker threads that recover payment signatures (secp256k1, ~50–100 µs per paid call) beside the event loop, so it serves other calls meanwhile; 0 = on the event loop. Default: 1 when the machine has more than one CPU, else 0. Range 0..16.',
    extension: true,
  }),
  payment_channel_storage_client: storageClientSchema.prefault({}),
  payment_channel_storage_server: storageServerSchema.prefault({}),
  payment_channel_cert_path: doc(looseString().optional(), { description: 'Client certificate for etcd over https (mTLS).' }),
  payment_channel_key_path: doc(looseString().optional(), { description: 'Client key for etcd over https.' }),
  payment_channel_ca_path: doc(looseString().optional(), { description: 'CA bundle for etcd over https.' }),
  // --- access control and rate limits ---
  rate_limit_per_minute: doc(looseNumber().optional(), {
    description:
      'Proxied calls per minute for the whole daemon (one token bucket, checked before any payment work; a refused call gets RESOURCE_EXHAUSTED with `retry-after`); absent or 0 = unlimited. See docs/operations.md "Rate limiting".',
    updatable: true,
  }),
  burst_size: doc(looseInt().optional(), {
    description:
      'Token-bucket size: calls accepted at once after a quiet period. Default (absent or 0): the per-minute rate, at least 1 — unlike the reference, where a missing burst means no limit at all.',
    updatable: true,
  }),
  rate_limit_per_client_per_minute: doc(looseNumber().optional(), {
    description:
      'Per-client limit beside the global one: proxied calls per minute per payment channel (escrow, prepaid), free-call user, or client IP for unpaid calls; absent or 0 = off.',
    extension: true,
    updatable: true,
  }),
  rate_limit_per_client_burst: doc(looseInt().optional(), {
    description: 'Bucket size of each per-client limit; default (absent or 0): the per-client per-minute rate, at least 1.',
    extension: true,
    updatable: true,
  }),
  rate_limit_max_clients: doc(looseInt().default(10_000), {
    description: 'Most clients the per-client limit tracks at once; the least recently seen is forgotten first (and starts with a full bucket when it comes back).',
    extension: true,
    updatable: true,
  }),
  rate_limit_daemon_services_per_minute: doc(looseNumber().optional(), {
    description:
      'Calls per minute to the daemon\'s own services (health, channel state, claims, configuration), counted apart from proxied calls so a flood does not starve monitoring. Default: 10 × `rate_limit_per_minute` but at least 600 when that is set, else unlimited; 0 = unlimited.',
    extension: true,
    updatable: true,
  }),
  allowed_user_flag: doc(looseBoolean().default(false), { description: 'Only `allowed_user_addresses` may call (not allowed on `main`).' }),
  allowed_user_addresses: doc(looseStringList().default([]), { description: 'Addresses allowed when `allowed_user_flag` is on.' }),
  authentication_addresses: doc(looseStringList().default([]), {
    description:
      'Administrator addresses of the configuration service (`snetd admin`): requests signed by one of them may read the configuration, stop/start request processing and change updatable keys. Empty = the service refuses everyone.',
    updatable: true,
  }),
  // --- metering and alerts ---
  metering_enabled: doc(looseBoolean().default(false), { description: 'Report each call to `metering_endpoint`.' }),
  metering_endpoint: doc(looseString().optional(), { description: 'Base URL of the metering service.', sensitiveUrl: true }),
  private_key_for_metering: doc(looseString().optional(), { description: 'Key that signs metering requests.', secret: true }),
  alerts_email: doc(looseString().default(''), { description: 'Where heartbeat-failure alerts go (with `notification_endpoint`).' }),
  notification_endpoint: doc(looseString().optional(), { description: 'Notification service URL.', sensitiveUrl: true }),
  service_heartbeat_type: doc(looseString().default(''), {
    description:
      'How /heartbeat probes the service: `grpc` (Health/Check, only SERVING is up), `http` / `https` (GET, 200 with a body; https verifies the certificate: NODE_EXTRA_CA_CERTS for a private CA), `tcp` (connect to `service_endpoint`); unset / `none` only connects and reports `Warning`, never `Online` (docs/operations.md).',
  }),
  heartbeat_endpoint: doc(looseString().default(''), { description: 'URL (http/https) or host:port (grpc) probed by the heartbeat.' }),
  heartbeat_interval: doc(looseString().default('5s'), {
    description:
      'How often the daemon probes the service in the background (Go duration; 0s = only when /heartbeat or health Check is asked). State changes update `snetd_service_up` and send the down/up alerts.',
    extension: true,
  }),
  // --- metrics (Prometheus) ---
  metrics_enabled: doc(looseBoolean().default(true), {
    description: 'Serve Prometheus metrics at `GET /metrics` (docs/operations.md lists them). Off: no counting at all.',
    extension: true,
  }),
  metrics_endpoint: doc(looseString().default(''), {
    description:
      'Also serve `/metrics` (and `/heartbeat`) on this separate plain-HTTP listener, `host:port` or a bare port (bound to 127.0.0.1), for owners who keep metrics off the public port. Empty = none.',
    extension: true,
  }),
  metrics_public: doc(looseBoolean().default(true), {
    description: 'Serve `/metrics` on the daemon port too. Set false with `metrics_endpoint` to keep metrics private.',
    extension: true,
  }),
  metrics_max_methods: doc(looseInt().default(100), {
    description:
      'Method labels learned from calls the service answered (beyond the daemon\'s own methods); further methods are counted as `unknown`. Bounds the number of series.',
    extension: true,
  }),
  alerts: z
    .object({
      error_rate_threshold: doc(looseNumber().default(0.1), {
        description: 'Alert when this fraction of calls (0..1) fails on the server side (UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS) within `error_rate_window`; 0 = off.',
        extension: true,
      }),
      error_rate_window: doc(looseString().default('5m'), { description: 'Window of the error-rate alert (Go duration).', extension: true }),
      error_rate_min_calls: doc(looseInt().default(20), { description: 'Fewer calls than this in a window never raise the error-rate alert.', extension: true }),
      min_interval: doc(looseString().default('10m'), {
        description: 'At most one alert of a kind per this interval (Go duration); a state that flips back and forth sooner is reported once the interval passes.',
        extension: true,
      }),
      certificate_warning: doc(looseString().default('336h'), { description: 'Alert when the TLS certificate (`ssl_cert`, or the automatic one of `auto_ssl_domain`) or `payment_channel_cert_path` expires within this (Go duration).', extension: true }),
      check_interval: doc(looseString().default('30s'), {
        description:
          'With the blockchain on, how often the daemon scans the stored channels (`snetd_unclaimed_cogs`, `snetd_channels_near_expiry`, the `channel_expiry` alert: unclaimed funds in a channel within the org metadata `payment_expiration_threshold` blocks of its expiration) and decides the storage / chain unreachable alerts from the etcd and RPC round trips of that period (Go duration; 0s = neither).',
        extension: true,
      }),
      smtp: z
        .object({
          host: doc(looseString().default(''), { description: 'SMTP server for alert e-mails; empty = reuse the first `email` log hook\'s server.', extension: true }),
          port: doc(looseInt().default(587), { description: 'SMTP port (465 = implicit TLS).', extension: true }),
          from: doc(looseString().default(''), { description: 'Sender address of alert e-mails.', extension: true }),
          username: doc(looseString().default(''), { description: 'SMTP user (default: `from`).', extension: true }),
          password: doc(looseString().default(''), { description: 'SMTP password.', secret: true, extension: true }),
        })
        .prefault({}),
    })
    .prefault({}),
  // --- free calls and prepaid ---
  private_key_for_free_calls: doc(looseString().default(''), { description: 'Key that signs free-call tokens (hex, no 0x); must be the key of the service metadata\'s `free_call_signer_address`, else this daemon grants no free calls (GetFreeCallsAvailable answers 0). See docs/payments.md "Free calls".', secret: true }),
  trusted_free_call_signers: doc(
    looseStringList().default(['0x3Bb9b2499c283cec176e7C707Ecb495B7a961ebf', '0x7DF35C98f41F3Af0df1dc4c7F7D4C19a71Dd059F']),
    { description: 'Backends (the marketplace) that may ask for free-call tokens with a `user_id` and are exempt from `min_balance_for_free_call`.' },
  ),
  min_balance_for_free_call: doc(looseInt().default(10), { description: 'Whole tokens (× 10^18) of the network\'s token contract an untrusted address needs to get a free-call token; 0 = no check.' }),
  free_calls_per_address: doc(z.record(z.string(), freeCallLimitSchema).default({}), {
    description: 'Per-user free-call allowance overriding the metadata `free_calls`: a number (0 = the metadata\'s), `unlimited` or `infinity`. Keys are addresses (any case) or, for the pre-v6 npm SDKs, e-mails.',
  }),
  token_expiry_in_minutes: doc(looseNumber().default(1440), { description: 'Lifetime of prepaid tokens (GetToken), in minutes.' }),
  token_secret_key: doc(looseString().default(referenceDefaultTokenSecret), {
    description: 'HMAC key of prepaid tokens (≥ 32 bytes), the same on every replica of the group. The default is the reference daemon\'s public one: the daemon refuses to start with it on any network but `local`. Set your own, e.g. `openssl rand -hex 32`.',
    secret: true,
  }),
  enable_dynamic_pricing: doc(looseBoolean().default(false), { description: 'Price the methods the service protos mark with `(pricing.my_method_option).estimatePriceMethod` by calling that estimate method with the call\'s first request message (its `PriceInCogs` reply is the price). The proto tarball (`service_api_source`) is fetched at start; an unusable one stops the start. See docs/payments.md "Dynamic pricing".' }),
  // --- training ---
  model_training_enabled: doc(looseBoolean().default(false), {
    description: 'Model training support. Accepted, not used: snetd-ts does not offer the training API (`training.Daemon`) and no release plans it.',
    unused: true,
  }),
  model_maintenance_endpoint: doc(looseString().optional(), {
    description: 'Where the service\'s training API listens. Accepted, not used: snetd-ts does not offer the training API.',
    unused: true,
  }),
  // --- logging ---
  log: logSchema.prefault({}),
  // --- experimental listener modes (Go `config/config.go` `ExperimentalSettings`) ---
  experimental: z
    .object({
      split_grpc_web: doc(looseBoolean().default(false), { description: 'Accepted, not used: snetd-ts always routes per request.', unused: true }),
      use_original_cmux: doc(looseBoolean().default(false), { description: 'Accepted, not used: snetd-ts has its own connection routing.', unused: true }),
      traffic_split: doc(z.object({ grpc: looseInt(), http: looseInt() }).optional(), {
        description: 'Separate gRPC and HTTP ports. Accepted, not used: snetd-ts serves gRPC, gRPC-Web and HTTP on the one daemon_endpoint and routes per request.',
        unused: true,
      }),
    })
    .optional(),
  config_path: doc(looseString().optional(), { description: 'Accepted, not used: listed by the reference, never read by it either; pass the file with -c.', unused: true }),
};

export const daemonConfigSchema = z.object(configShape);

/** The validated daemon configuration (snake_case, as in the file). */
export type DaemonConfig = z.infer<typeof daemonConfigSchema>;

/**
 * Keys whose values are masked wherever they are shown. `service_credentials.<n>.value` is the API key an http
 * service expects (the entry's `key` and `location` stay visible).
 */
export const secretKeyPattern =
  /(^|\.)(private_key_for_free_calls|private_key_for_metering|pvt_key_for_metering|pvt_key_for_free_calls|token_secret_key|blockchain_provider_api_key|password|telegram_api_key|secret|token)$|^service_credentials\.\d+\.value(\..+)?$/;
