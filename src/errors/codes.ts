/**
 * The catalogue of every stable error code the daemon can produce.
 * Each entry documents what the code means and how an operator or client usually fixes it;
 * `docs/errors.md` is generated from this table (`npm run docs`), so it cannot drift.
 * Codes are never renamed once released: clients and log searches depend on them.
 */
export const errorCatalogue = {
  // --- configuration (start-up) ---
  CONFIG_INVALID: {
    area: 'config',
    meaning: 'One or more configuration values are wrong; every problem is listed with its key and source.',
    fix: 'Correct each listed key in the config file, the SNET_* environment variable or the CLI flag it names.',
  },
  CONFIG_FILE_UNREADABLE: {
    area: 'config',
    meaning: 'The configuration file could not be read or parsed (missing, no permission, invalid JSON/YAML).',
    fix: 'Check the path given with -c/--config and validate the file with a JSON or YAML linter.',
  },
  CONFIG_FILE_EXISTS: {
    area: 'config',
    meaning: '`snetd init` / `init-full` refuses to overwrite an existing file.',
    fix: 'Remove or rename the file, or pass another path with -c.',
  },
  CONFIG_UNSUPPORTED: {
    area: 'config',
    meaning: 'The configuration asks for a mode snetd-ts deliberately does not implement (e.g. daemon_type "http").',
    fix: 'See docs/differences.md for the supported alternative.',
  },
  // --- logging ---
  LOG_SETUP_FAILED: {
    area: 'logging',
    meaning: 'A log output or hook could not be set up (file not writable, bad hook section).',
    fix: 'Check log.output.file_pattern / current_link paths and the hook sections named in log.hooks.',
  },
  // --- transport / requests ---
  REQUEST_MALFORMED: {
    area: 'transport',
    meaning: 'The request is not valid gRPC / gRPC-Web (bad frame, bad header, unsupported content-type).',
    fix: 'Use a gRPC or gRPC-Web client; check content-type and message framing.',
  },
  REQUEST_TOO_LARGE: {
    area: 'transport',
    meaning: 'A message is larger than max_message_size_in_mb allows.',
    fix: 'Send smaller messages or raise max_message_size_in_mb (1..2048).',
  },
  REQUEST_TIMEOUT: {
    area: 'transport',
    meaning: 'The call exceeded its deadline (grpc-timeout from the client, else service_timeout).',
    fix: 'Give the call a longer deadline or raise service_timeout.',
  },
  REQUEST_CANCELLED: {
    area: 'transport',
    meaning: 'The call was cancelled by the client or the daemon is shutting down.',
    fix: 'Retry the call.',
  },
  DAEMON_SHUTTING_DOWN: {
    area: 'transport',
    meaning: 'The daemon is draining in-flight calls before it stops and accepts no new ones.',
    fix: 'Retry against another replica or after the restart.',
  },
  TLS_SETUP_FAILED: {
    area: 'transport',
    meaning: 'The TLS key pair could not be loaded.',
    fix: 'Check that ssl_cert and ssl_key point to a readable PEM certificate chain and its private key.',
  },
  LISTEN_FAILED: {
    area: 'transport',
    meaning: 'The daemon could not bind daemon_endpoint.',
    fix: 'Pick a free host:port in daemon_endpoint, or stop the process that holds it.',
  },
  METHOD_UNIMPLEMENTED: {
    area: 'transport',
    meaning: 'The method belongs to a service the daemon serves itself (e.g. grpc.health.v1.Health) but does not exist there.',
    fix: 'Check the method name against the daemon-owned service definition; such services are never proxied.',
  },
  // --- upstream service ---
  UPSTREAM_UNAVAILABLE: {
    area: 'upstream',
    meaning: 'The AI service behind the daemon cannot be reached (connection refused, DNS failure, reset).',
    fix: 'Check that the service runs and that service_endpoint points to it.',
  },
  UPSTREAM_FAILED: {
    area: 'upstream',
    meaning: 'The AI service answered in a way the daemon could not use (HTTP error, bad JSON, process failure).',
    fix: 'Read the service logs; the message names what the daemon received.',
  },
  // --- blockchain / metadata ---
  CHAIN_UNAVAILABLE: {
    area: 'blockchain',
    meaning: 'The Ethereum JSON-RPC endpoint could not be reached or kept failing after retries (network error, timeout, HTTP error).',
    fix: 'Check ethereum_json_rpc_http_endpoint, blockchain_provider_api_key and the provider status; known channels keep working from stored state.',
  },
  CHAIN_CALL_FAILED: {
    area: 'blockchain',
    meaning: 'The JSON-RPC endpoint answered, but the call failed (reverted, wrong contract address, unexpected result).',
    fix: 'Check that the Registry / MPE addresses belong to the selected network (blockchain_network_selected, registry_address_key).',
  },
  CHAIN_NETWORK_UNKNOWN: {
    area: 'blockchain',
    meaning: 'The selected network is not known, or it lacks an RPC endpoint or contract address snetd needs.',
    fix: 'Use main, sepolia or local in blockchain_network_selected, and set ethereum_json_rpc_http_endpoint / registry_address_key where the message says.',
  },
  REGISTRY_NOT_FOUND: {
    area: 'blockchain',
    meaning: 'The organization or service is not registered in the Registry contract of the selected network.',
    fix: 'Check organization_id / service_id and the network; register them with snet-cli (snet organization create / snet service publish).',
  },
  METADATA_FETCH_FAILED: {
    area: 'metadata',
    meaning: 'Organization or service metadata could not be read from IPFS, the Filecoin gateway or the local file.',
    fix: 'Check ipfs_endpoint / lighthouse_endpoint / ipfs_timeout, or the metadata file path named in the message.',
  },
  METADATA_CID_MISMATCH: {
    area: 'metadata',
    meaning: 'The content returned for a metadata CID does not hash to that CID (tampered or transformed by a gateway).',
    fix: 'Use a trustworthy IPFS endpoint; only for gateways known to transform content, turn CID verification off.',
  },
  METADATA_INVALID: {
    area: 'metadata',
    meaning: 'Organization or service metadata is not valid JSON or misses / misformats fields the daemon needs; every problem is listed.',
    fix: 'Fix the metadata (snet-cli: snet organization metadata-*/snet service metadata-*) and publish it again.',
  },
  DEVNET_START_FAILED: {
    area: 'devnet',
    meaning: 'The local development network (dev chain, IPFS, example service) could not be started.',
    fix: 'Read the message: usually a port in use or a missing npm package (hardhat); run npm install and retry.',
  },
  // --- storage (channel state: LMDB / etcd) ---
  STORAGE_UNAVAILABLE: {
    area: 'storage',
    meaning: 'The channel-state store cannot be reached or answered with an error; a write in flight has an unknown outcome.',
    fix: 'Check that every etcd endpoint (payment_channel_storage_client.endpoints or org metadata) is up and reachable, or that the LMDB directory is on a healthy disk.',
  },
  STORAGE_TIMEOUT: {
    area: 'storage',
    meaning: 'A storage request exceeded its request timeout; a write may or may not have been applied.',
    fix: 'Check etcd health and latency; raise payment_channel_storage_client.request_timeout if the cluster is slow.',
  },
  STORAGE_CONFLICT: {
    area: 'storage',
    meaning: 'An import would overwrite keys that already hold different values.',
    fix: 'Inspect the listed keys; re-run the import with --force to overwrite them, or import into an empty store.',
  },
  STORAGE_CORRUPT: {
    area: 'storage',
    meaning: 'Stored or imported data is not in the expected format (bad record header, bad JSON line, unknown format version).',
    fix: 'Check that the file or database was written by snetd-ts; restore it from a backup or export.',
  },
  STORAGE_CLOSED: {
    area: 'storage',
    meaning: 'A storage operation was attempted after the store was closed (daemon shutting down).',
    fix: 'Retry against a running daemon.',
  },
  STORAGE_INVALID_ARGUMENT: {
    area: 'storage',
    meaning: 'A storage call was malformed (empty or too long key, duplicate keys in one transaction, bad TTL); nothing was changed.',
    fix: 'This is a bug in the caller; report it with the log line.',
  },
  STORAGE_OPEN_FAILED: {
    area: 'storage',
    meaning: 'The embedded LMDB store could not be opened (directory not writable, disk full, locked by an incompatible process).',
    fix: 'Check the storage directory path and its permissions, and free disk space.',
  },
  STORAGE_TLS_INVALID: {
    area: 'storage',
    meaning: 'The TLS files for etcd (payment_channel_cert_path, payment_channel_key_path, payment_channel_ca_path) could not be read.',
    fix: 'Point the three payment_channel_*_path keys at readable PEM files; all three are needed for https endpoints.',
  },
  STORAGE_ETCD_NOT_INSTALLED: {
    area: 'storage',
    meaning: 'payment_channel_storage_server asks for a local etcd member, but no etcd binary was found.',
    fix: 'Install it (Debian/Ubuntu: apt-get install etcd-server), or remove payment_channel_storage_server and configure external etcd endpoints.',
  },
  STORAGE_SERVER_FAILED: {
    area: 'storage',
    meaning: 'The local etcd member (payment_channel_storage_server) did not become healthy in time or exited.',
    fix: 'Read the etcd log named in the message (ports in use, data_dir permissions, cluster settings).',
  },
  // --- internal ---
  INTERNAL: {
    area: 'internal',
    meaning: 'An unexpected failure inside the daemon; the cause is logged, never sent to the client.',
    fix: 'Look up the request in the daemon log and report it with that log line.',
  },
} as const satisfies Record<string, { area: string; meaning: string; fix: string }>;

/** A stable error code from {@link errorCatalogue}. */
export type ErrorCode = keyof typeof errorCatalogue;
