import type http2 from 'node:http2';
import type { CallOutcome, HeaderList, Metadata, UpstreamCall } from './call.ts';
import { decodeGrpcMessage, GrpcStatus } from './grpc-status.ts';

/**
 * Pure helpers shared by the gRPC upstreams (node:http2 and the built-in engine), so both map a
 * service's answer to the same {@link CallOutcome}.
 */

/**
 * Response headers of the service that the transport sets itself, and connection-specific ones node:http2's
 * `respond()` refuses (ERR_HTTP2_INVALID_CONNECTION_HEADERS; both engines reject most of them on receipt, but
 * nghttp2 passes `http2-settings` on).
 */
const responseHeadersNotForwarded = new Set([
  'content-type', 'content-length', 'grpc-status', 'grpc-message', 'date',
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings',
]);

/**
 * Headers node:http2 would not repeat: a second value is dropped (node `kSingleValueHeaders`,
 * lib/internal/http2/util.js), so both engines see the same object.
 */
const singleValueHeaders = new Set([
  ':status', ':method', ':authority', ':scheme', ':path', ':protocol',
  'access-control-allow-credentials', 'access-control-max-age', 'access-control-request-method', 'age', 'authorization',
  'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type',
  'date', 'dnt', 'etag', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'tk', 'upgrade-insecure-requests', 'user-agent', 'x-content-type-options',
]);

/** The upstream content-type: the client's gRPC subtype (gRPC-Web callers become `application/grpc+…`). */
export function contentTypeOf(metadata: UpstreamCall['metadata']): string {
  const value = metadata['content-type'];
  const text = typeof value === 'string' ? value : 'application/grpc';
  if (text.startsWith('application/grpc-web')) {
    const plus = text.indexOf('+');
    return plus === -1 ? 'application/grpc' : `application/grpc+${text.slice(plus + 1)}`;
  }
  return text;
}

/**
 * The service's response headers the client gets (raw list in, raw list out: repeated names stay separate).
 * A repeated single-value header (e.g. `age`) keeps its first value, as node's header object does: node:http2's
 * `respond()` throws ERR_HTTP2_HEADER_SINGLE_VALUE on a list that repeats one.
 */
export function forwardableResponseHeaders(rawHeaders: HeaderList): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const key = rawHeaders[i] as string;
    if (key.charCodeAt(0) === 58 || responseHeadersNotForwarded.has(key)) continue;
    if (singleValueHeaders.has(key) && listHas(out, key)) continue;
    out.push(key, rawHeaders[i + 1] as string);
  }
  return out;
}

function listHas(list: readonly string[], name: string): boolean {
  for (let i = 0; i < list.length; i += 2) if (list[i] === name) return true;
  return false;
}

/** The call's status from the service's trailers (or a trailers-only response's headers). */
export function outcomeFromTrailers(trailers: http2.IncomingHttpHeaders): CallOutcome {
  const rawStatus = trailers['grpc-status'];
  const parsed = typeof rawStatus === 'string' && /^\d{1,4}$/.test(rawStatus) ? Number(rawStatus) : Number.NaN;
  const code = Number.isNaN(parsed) ? GrpcStatus.UNKNOWN : parsed;
  const rawMessage = trailers['grpc-message'];
  const message = Number.isNaN(parsed)
    ? 'the service sent no valid grpc-status'
    : typeof rawMessage === 'string'
      ? decodeGrpcMessage(rawMessage)
      : '';
  let rest: Metadata | undefined;
  for (const key in trailers) {
    // http2-settings: node:http2's sendTrailers() throws on it (ERR_HTTP2_INVALID_CONNECTION_HEADERS), nghttp2 passes it on.
    if (key.charCodeAt(0) === 58 || key === 'grpc-status' || key === 'grpc-message' || key === 'content-type' || key === 'content-length' || key === 'http2-settings') continue;
    const value = trailers[key];
    if (value === undefined) continue;
    (rest ??= Object.create(null) as Metadata)[key] = value;
  }
  return rest === undefined ? { code, message } : { code, message, trailers: rest };
}

/**
 * A flat header list as the object node:http2 builds from it (`toHeaderObject`): repeated names are
 * joined with `, ` (`cookie` with `; `), `set-cookie` is an array, single-value headers keep the first.
 */
export function headerObjectFromList(list: HeaderList): http2.IncomingHttpHeaders {
  const out = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i] as string;
    const value = list[i + 1] as string;
    const existing = out[name];
    if (existing === undefined) out[name] = name === 'set-cookie' ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else if (!singleValueHeaders.has(name)) out[name] = `${existing}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return out;
}

/** A short reason for an unavailable service: the first Node error code on the cause chain. */
export function describeCause(cause: unknown): string {
  let current: unknown = cause;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_HTTP2_STREAM_CANCEL' && code !== 'ERR_HTTP2_ERROR') return `${code} (${current.message})`;
    if (current.cause === undefined) return current.message;
    current = current.cause;
  }
  return 'the connection failed';
}
