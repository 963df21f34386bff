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
  CONFIG_NETWORK_CHECK_FAILED: {
    area: 'config',
    meaning: '`snetd config --check-network` could not reach one or more peers the configuration names (chain RPC, IPFS, etcd, the service); each is listed with why.',
    fix: 'Start the peer or correct its address (ethereum_json_rpc_http_endpoint, ipfs_endpoint, payment_channel_storage_client.endpoints, service_endpoint), then check again.',
  },
  // --- metering ---
  METERING_VERIFICATION_FAILED: {
    area: 'metering',
    meaning: 'metering_enabled is on but the metering service did not accept the daemon at start-up (GET <metering_endpoint>/metering/verify).',
    fix: 'Check metering_endpoint and private_key_for_metering (the key registered for the service at publication), or set metering_enabled to false.',
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
    meaning:
      'The method does not exist: in a service the daemon serves itself (e.g. grpc.health.v1.Health), or, for a jsonrpc, http or process service, in the service protos of the metadata.',
    fix: 'Check the method name against the service definition (for a translated service: the protos published with its metadata).',
  },
  REQUEST_NOT_UNARY: {
    area: 'transport',
    meaning: 'A jsonrpc, http or process service takes exactly one request message per call; the client sent none or more than one.',
    fix: 'Call the method as a unary call (one request message); only gRPC services take client streams.',
  },
  REQUEST_UNDECODABLE: {
    area: 'transport',
    meaning: 'The request message of a call to a jsonrpc or http service cannot be read: not JSON where JSON is expected, or not a valid message of the method input type.',
    fix: 'Send the message in the encoding the daemon announces at /encoding (application/grpc+json for JSON messages), built from the service protos.',
  },
  // --- upstream service ---
  UPSTREAM_UNAVAILABLE: {
    area: 'upstream',
    meaning: 'The AI service behind the daemon cannot be reached (connection refused, DNS failure, reset).',
    fix: 'Check that the service runs and that service_endpoint points to it.',
  },
  UPSTREAM_FAILED: {
    area: 'upstream',
    meaning: 'The AI service answered in a way the daemon could not use (JSON-RPC error, bad JSON, process failure).',
    fix: 'Read the service logs; the message names what the daemon received.',
  },
  UPSTREAM_BUSY: {
    area: 'upstream',
    meaning: 'Every process slot of a process service is taken (process_max_running) and its queue is full (process_max_queued).',
    fix: 'Retry later, or raise process_max_running / process_max_queued if the machine has room.',
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
  DEVNET_NOT_RUNNING: {
    area: 'devnet',
    meaning: 'A command that works against the local development network (`snetd dev call`, or `list`, `channel`, `storage` with its configuration) could not reach it: `snetd dev` is not running in this folder.',
    fix: 'Start it with `npx snetd dev` in this folder (in another terminal), or pass -c FILE to read another daemon\'s configuration.',
  },
  DEVNET_CALL_FAILED: {
    area: 'devnet',
    meaning: 'A `snetd dev call` reached the daemon and ended with a gRPC error status: the service\'s own error passed on by the daemon (e.g. `div 1 0`), or the daemon\'s refusal of the payment. The message says whether the call was charged.',
    fix: 'Read the status text: change the arguments for a service error, or the payment (--payment) for a refusal, and call again.',
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
  STORAGE_GO_FORMAT_INVALID: {
    area: 'storage',
    meaning: "A value under the Go daemon's etcd keys is not the encoding/gob value the Go daemon writes there, or a value cannot be written in that form.",
    fix: 'Check that the endpoints and the network/org/group/MPE of the config are those of the Go daemon; inspect the named key with etcdctl.',
  },
  STORAGE_MIGRATION_INCOMPLETE: {
    area: 'storage',
    meaning: '`snetd storage import --from-go-etcd` / `export --to-go-etcd` left channels, claims, free-call counters or prepaid usage behind (Go lock held, call in flight, unreadable value, record changed meanwhile, different claim); everything else was copied.',
    fix: 'Read the listed channels, stop every daemon of the group, then run the same command again: it only writes what is missing or older.',
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
  STORAGE_SERVER_FOREIGN_ETCD: {
    area: 'storage',
    meaning: 'The client URL of the local etcd member (payment_channel_storage_server) is answered by another etcd (another name or peer URL, or a copy of this member the daemon did not start); start-up stops so channel state never goes to an etcd the daemon does not supervise.',
    fix: 'Set payment_channel_storage_server.client_port and peer_port to free ports, or stop the other etcd (Debian etcd-server listens on 127.0.0.1:2379), or remove payment_channel_storage_server and list that etcd in payment_channel_storage_client.endpoints.',
  },
  // --- payments (escrow / pay-per-call); client-facing texts and wire statuses: src/payments/README.md ---
  PAYMENT_HEADER_MISSING: {
    area: 'payments',
    meaning: 'A required payment header is absent (e.g. snet-payment-channel-id); the text is `missing "<key>"`, as the Go daemon sends it.',
    fix: 'Client: send every header of the payment type (escrow: channel id, nonce, amount, signature). Use an official SDK or snet-cli.',
  },
  PAYMENT_HEADER_REPEATED: {
    area: 'payments',
    meaning: 'A payment header that must appear exactly once was sent several times (`too many values for key "<key>": [...]`).',
    fix: 'Client: send each payment header once per call; check interceptors that add payment metadata twice.',
  },
  PAYMENT_HEADER_INVALID: {
    area: 'payments',
    meaning: 'A payment header value cannot be parsed: integers must be plain non-negative decimal below 2^256, -bin values valid base64 (`incorrect format "<key>": "<value>"`).',
    fix: 'Client: send channel id, nonce, amount and block numbers as decimal strings (no sign, no 0x, no separators).',
  },
  PAYMENT_TYPE_UNKNOWN: {
    area: 'payments',
    meaning: 'snet-payment-type names no payment handler this daemon serves (`unexpected "snet-payment-type", value: "<v>"`).',
    fix: 'Client: use escrow, free-call, prepaid-call or train-call, or omit the header for escrow.',
  },
  PAYMENT_CHANNEL_LOCK_FAILED: {
    area: 'payments',
    meaning: 'The per-channel lock could not be taken because the payment storage failed (`cannot get mutex for channel: {ID: <id>}`).',
    fix: 'Operator: check the payment storage (etcd endpoints / embedded store) in the daemon log; the client can retry.',
  },
  PAYMENT_CONCURRENT_CALL: {
    area: 'payments',
    meaning: 'Another paid call on the same channel is still in progress; escrow calls on one channel are serialised (`another transaction on channel: {ID: <id>} is in progress`).',
    fix: 'Client: wait for the previous call on this channel to finish, use one channel per concurrent caller, or use prepaid-call for concurrency.',
  },
  PAYMENT_CHANNEL_READ_FAILED: {
    area: 'payments',
    meaning: 'The channel state could not be read from storage or the chain (`payment channel error: <detail>`).',
    fix: 'Operator: check the Ethereum RPC endpoint and the payment storage in the daemon log; the client can retry.',
  },
  PAYMENT_WRONG_RECIPIENT: {
    area: 'payments',
    meaning: "The channel's on-chain recipient is not this group's payment_address in the org metadata, so payments on it cannot be claimed here.",
    fix: 'Client: open the channel to the payment_address of the group this daemon serves. Operator: check org metadata and daemon_group_name.',
  },
  PAYMENT_WRONG_GROUP: {
    area: 'payments',
    meaning: "The channel was opened for another group of replicas (its groupId is not this daemon's group id).",
    fix: 'Client: call an endpoint of the group the channel was opened for, or open a channel for this group.',
  },
  PAYMENT_CHANNEL_NOT_FOUND: {
    area: 'payments',
    meaning: 'No channel with this id exists in storage or on the MPE contract (`payment channel "{ID: <id>}" not found`).',
    fix: 'Client: open the channel first (or wait for the open transaction to be mined) and check the MPE address and network.',
  },
  PAYMENT_NONCE_MISMATCH: {
    area: 'payments',
    meaning: "The signed nonce is not the channel's current nonce, usually because the provider started a claim (gRPC status 1000, `incorrect payment channel nonce, latest: <n>, sent: <m>`).",
    fix: 'Client: call GetChannelState and sign with current_nonce and current_signed_amount + price.',
  },
  PAYMENT_SIGNATURE_INVALID: {
    area: 'payments',
    meaning: 'The payment signature cannot be recovered (not 65 bytes, bad v, not a curve point) (`payment signature is not valid`).',
    fix: 'Client: sign keccak256("__MPE_claim_message" ‖ mpe ‖ channel id ‖ nonce ‖ amount) with EIP-191 personal_sign and send r‖s‖v (65 bytes).',
  },
  PAYMENT_WRONG_SIGNER: {
    area: 'payments',
    meaning: "The signature is valid but not made by the channel's signer or sender, or it signs other values (MPE address, channel, nonce, amount) than those sent.",
    fix: "Client: sign with the channel's signer or sender key, over exactly the headers sent and the MPE address of the service metadata.",
  },
  PAYMENT_BLOCK_UNAVAILABLE: {
    area: 'payments',
    meaning: 'The daemon could not read the current block number from its Ethereum RPC endpoint (`cannot determine current block`).',
    fix: 'Operator: check ethereum_json_rpc_http_endpoint and its API key; the client can retry.',
  },
  PAYMENT_CHANNEL_EXPIRED: {
    area: 'payments',
    meaning: "The channel expires within the group's payment_expiration_threshold blocks, so the provider could not claim in time.",
    fix: 'Client: extend the channel (channelExtend) beyond current block + threshold.',
  },
  PAYMENT_INSUFFICIENT_FUNDS: {
    area: 'payments',
    meaning: 'The signed cumulative amount exceeds the funds escrowed in the channel.',
    fix: 'Client: add funds to the channel (channelAddFunds) before paying more.',
  },
  PAYMENT_AMOUNT_MISMATCH: {
    area: 'payments',
    meaning: 'The signed amount minus the amount already authorised is not exactly the price of the method (`income <i> does not equal to price <p>`).',
    fix: 'Client: sign amount = current_signed_amount (from GetChannelState) + the method price from the service metadata.',
  },
  PAYMENT_PRICE_UNDEFINED: {
    area: 'payments',
    meaning: 'fixed_price_per_method pricing has no price for the called method.',
    fix: 'Operator: add the method (/<package>.<Service>/<method>) to the pricing details of the service metadata.',
  },
  PAYMENT_COMMIT_FAILED: {
    area: 'payments',
    meaning: 'The service answered but the new channel state could not be stored (`unable to store new payment channel state`).',
    fix: 'Operator: check the payment storage in the daemon log. The call is not charged; the client signs the same amount again.',
  },
  PAYMENT_PRICING_INVALID: {
    area: 'payments',
    meaning: 'The pricing in the service metadata is unusable at start-up (no default entry, unknown price model, negative or missing price).',
    fix: 'Operator: publish service metadata with one pricing entry marked "default": true and a valid price_model.',
  },
  PAYMENT_DYNAMIC_PRICE_FAILED: {
    area: 'payments',
    meaning: 'Dynamic pricing: the service\'s price-estimate method failed or answered something that is not a PriceInCogs, so the call could not be priced (INTERNAL "internal error: …"). The service was not called and nothing was charged.',
    fix: 'Operator: check that the estimate method named by (pricing.my_method_option).estimatePriceMethod runs and returns pricing.PriceInCogs for this request. Client: retry later.',
  },
  DYNAMIC_PRICING_INVALID: {
    area: 'payments',
    meaning: 'enable_dynamic_pricing is on but the service\'s protos (service_api_source / model_ipfs_hash) cannot be fetched, unpacked or parsed, or a method option names a malformed or unknown estimate method (start-up / metadata reload).',
    fix: 'Operator: publish a tar of the service .proto files whose estimatePriceMethod options name "/<package>.<Service>/<method>" of a method in those protos, or set enable_dynamic_pricing to false.',
  },
  PAYMENT_TYPE_UNSUPPORTED: {
    area: 'payments',
    meaning: 'The client asked for a payment type that this daemon does not serve in its current configuration.',
    fix: 'Client: send snet-payment-type "escrow" (or omit the header) with the escrow payment headers.',
  },
  PAYMENT_TYPE_UNIMPLEMENTED: {
    area: 'payments',
    meaning: 'The client sent snet-payment-type "train-call": this daemon offers no training API (training.Daemon), so there is nothing to pay for.',
    fix: 'Client: call the service with escrow, prepaid-call or free-call payments; training is not offered by snetd-ts.',
  },
  PAYMENT_USER_NOT_ALLOWED: {
    area: 'payments',
    meaning: 'Curation is on (allowed_user_flag) and the address that signed the call is not in allowed_user_addresses.',
    fix: 'Owner: add the address to allowed_user_addresses (or turn allowed_user_flag off). Client: sign with an allowed key.',
  },
  PAYMENT_PREPAID_TOKEN_INVALID: {
    area: 'payments',
    meaning: 'A prepaid-call token (snet-prepaid-auth-token-bin) is not a JWT this daemon group signed, has expired, or names another channel, organization or group (INTERNAL `internal error: <reason>`, the reference\'s texts). Nothing was charged.',
    fix: 'Client: get a new token with escrow.TokenService/GetToken for this channel and send it with the channel id it names. Operator: all replicas of a group need the same token_secret_key.',
  },
  PAYMENT_USAGE_EXCEEDED: {
    area: 'payments',
    meaning: 'A prepaid call would use more than the amount planned for the channel with GetToken (INTERNAL `internal error: Usage Exceeded on channel Id <id>`, the reference\'s text). The service was not called and nothing was charged.',
    fix: 'Client: sign a higher amount (current signed amount + price × calls) and call escrow.TokenService/GetToken again, then use the new token.',
  },
  PAYMENT_SERVICE_REJECTED: {
    area: 'payments',
    meaning: 'A daemon payment service (GetChannelState, ProviderControlService) refused the request; the message is the reference daemon\'s text and the status is UNKNOWN, as the reference sends it.',
    fix: 'Client: check the signature, current_block (within 5 blocks of the chain), MPE address and channel id named in the message.',
  },
  // --- free calls (both protocols); client texts: src/payments/README.md ---
  PAYMENT_FREE_CALL_UNAUTHENTICATED: {
    area: 'payments',
    meaning: 'A free call\'s signature or token does not verify (`sign is not valid: <reason>`, `token sign is not valid`): the user signature is not the sender\'s, or the token was not issued by the service\'s free_call_signer_address.',
    fix: 'Client: get a fresh token (GetFreeCallToken, or from the service owner for the pre-v6 SDKs) and sign with the key of the address the token was issued to.',
  },
  PAYMENT_FREE_CALL_EXPIRED: {
    area: 'payments',
    meaning: 'A free call\'s token has expired, or its snet-current-block-number is more than 5 blocks from the chain (`internal error: authentication failed as the … passed has expired`).',
    fix: 'Client: sign with the current block number; ask for a new token when its expiry block has passed.',
  },
  PAYMENT_FREE_CALL_LIMIT: {
    area: 'payments',
    meaning: 'The user has made all the free calls the service grants (`internal error: free call limit has been exceeded, …`).',
    fix: 'Client: pay for the call (prepaid-call or escrow). Operator: raise free_calls in the service metadata or free_calls_per_address.',
  },
  PAYMENT_FREE_CALL_BUSY: {
    area: 'payments',
    meaning: 'The user\'s remaining free calls are all reserved by calls still in flight, or the counter kept changing under this call (`another transaction on this user: {ID:<key>} is in progress`).',
    fix: 'Client: wait for the previous free call to finish and retry.',
  },
  PAYMENT_FREE_CALL_STORAGE_FAILED: {
    area: 'payments',
    meaning: 'The free-call counter could not be read or written (`cannot get mutex for user: {ID:<key>}`).',
    fix: 'Operator: check the payment storage (etcd / embedded store) in the daemon log; the client can retry.',
  },
  PAYMENT_FREE_CALL_BALANCE_TOO_LOW: {
    area: 'payments',
    meaning: 'GetFreeCallToken: an address that is not a trusted signer holds less than min_balance_for_free_call tokens (`you must have at least <min> FET (ASI) in your balance to use free calls`; PERMISSION_DENIED).',
    fix: 'Client: hold the minimum balance in the wallet that signs, or pay for calls. Operator: lower min_balance_for_free_call.',
  },
  // --- protection and administration ---
  RATE_LIMITED: {
    area: 'protection',
    meaning: 'The daemon refused the call because its rate limit (rate_limit_per_minute / burst_size, or the per-client limit) is used up; the answer carries `retry-after` (seconds) and a gRPC RetryInfo.',
    fix: 'Client: retry after the delay the answer names. Operator: raise rate_limit_per_minute / burst_size if the load is legitimate.',
  },
  DAEMON_NOT_PROCESSING: {
    area: 'protection',
    meaning: 'An administrator stopped request processing (configuration service StopProcessingRequests); calls in flight finish, new ones are refused.',
    fix: 'Retry later; the operator resumes with `snetd admin start`.',
  },
  ADMIN_AUTH_MISSING: {
    area: 'admin',
    meaning: 'A configuration-service request came without its `auth` field (signature and current block).',
    fix: 'Sign the request as `snetd admin` does: the RPC name prefixed with "_" and the current block, with an address listed in authentication_addresses.',
  },
  ADMIN_DISABLED: {
    area: 'admin',
    meaning: 'The configuration service is off because authentication_addresses lists no administrator.',
    fix: 'Operator: list the admin addresses in authentication_addresses and restart the daemon.',
  },
  ADMIN_SIGNATURE_EXPIRED: {
    area: 'admin',
    meaning: 'The signed block number of a configuration-service request is more than 5 blocks from the chain\'s current block.',
    fix: 'Sign again with the current block number.',
  },
  ADMIN_SIGNATURE_INVALID: {
    area: 'admin',
    meaning: 'The signature of a configuration-service request is not a 65-byte Ethereum signature or cannot be recovered.',
    fix: 'Sign keccak256(message) with the Ethereum personal-message prefix, as `snetd admin` does.',
  },
  ADMIN_NOT_AUTHORIZED: {
    area: 'admin',
    meaning: 'The signer of a configuration-service request is not listed in authentication_addresses.',
    fix: 'Sign with an administrator key, or add its address to authentication_addresses.',
  },
  ADMIN_REQUEST_FAILED: {
    area: 'admin',
    meaning: '`snetd admin` could not complete a configuration-service request: the daemon refused it (the gRPC status and text are shown) or could not be reached.',
    fix: 'Check --daemon (or daemon_endpoint), the key file and that its address is in the daemon\'s authentication_addresses.',
  },
  CONFIG_UPDATE_REFUSED: {
    area: 'admin',
    meaning: 'UpdateConfiguration refused the change: a key is unknown, needs a restart, or its new value is invalid (every problem is listed).',
    fix: 'Change only keys marked "updatable" in docs/config.md with valid values; edit the file and restart for the others.',
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
