import { SnetError } from '../errors/index.ts';

/** Where the gRPC service listens, as parsed from `service_endpoint`. */
export interface ServiceEndpoint {
  /** `http://host:port` or `https://host:port`, the origin node's http2 client dials. */
  readonly origin: string;
  /** True for `https://`: TLS with the system roots (or the CA given to the upstream). */
  readonly secure: boolean;
  /** `host:port` as sent in `:authority`. */
  readonly authority: string;
  readonly host: string;
  readonly port: number;
}

type Result<T> = { ok: true; value: T } | { ok: false; error: SnetError };

/**
 * Parses `service_endpoint` (Go `handler/grpc.go`): `http://host:port`, `https://host:port`, `grpc://host:port`
 * or a bare `host:port`. Only host and port are used (a path is ignored, as the reference does).
 * A missing port defaults to 443 for https and 80 otherwise (the reference's 443 for `http://host`
 * is a trap; see docs/differences).
 */
export function parseServiceEndpoint(value: string): Result<ServiceEndpoint> {
  const text = value.trim();
  const withScheme = text.includes('://') ? text : `grpc://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, error: invalid(value, 'it is not a URL or host:port') };
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'grpc' && scheme !== 'grpcs') {
    return { ok: false, error: invalid(value, `scheme "${scheme}" is not one of http, https, grpc`) };
  }
  if (url.hostname === '') return { ok: false, error: invalid(value, 'the host is empty') };
  const secure = scheme === 'https' || scheme === 'grpcs';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const host = url.hostname;
  const authority = `${host}:${port}`;
  return { ok: true, value: { origin: `${secure ? 'https' : 'http'}://${authority}`, secure, authority, host, port } };
}

function invalid(value: string, why: string): SnetError {
  return new SnetError('CONFIG_INVALID', `service_endpoint "${value}" is invalid: ${why}`, {
    hint: 'Use host:port, http://host:port (plaintext h2c) or https://host:port (TLS).',
  });
}
