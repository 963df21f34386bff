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
  // --- internal ---
  INTERNAL: {
    area: 'internal',
    meaning: 'An unexpected failure inside the daemon; the cause is logged, never sent to the client.',
    fix: 'Look up the request in the daemon log and report it with that log line.',
  },
} as const satisfies Record<string, { area: string; meaning: string; fix: string }>;

/** A stable error code from {@link errorCatalogue}. */
export type ErrorCode = keyof typeof errorCatalogue;
