/**
 * Wire names of the gRPC protocol headers the transport reads or writes (gRPC PROTOCOL-HTTP2.md).
 * Value formats are given per constant.
 */

/** `application/grpc`, `application/grpc+proto`, `application/grpc+json` (HTTP/2 only). */
export const headerContentType = 'content-type';
/** Call deadline: 1–8 ASCII digits then a unit `H M S m u n`, e.g. `100m`. */
export const headerTimeout = 'grpc-timeout';
/** Compression of the sender's messages, e.g. `gzip`; absent = `identity`. */
export const headerEncoding = 'grpc-encoding';
/** Compressions the sender accepts, comma-separated. */
export const headerAcceptEncoding = 'grpc-accept-encoding';
/** Final status: decimal integer (0 = OK). Trailer, or header in a trailers-only response. */
export const headerStatus = 'grpc-status';
/** Status text, percent-encoded UTF-8. */
export const headerMessage = 'grpc-message';
/** Serialized `google.rpc.Status`, base64 (it is a `-bin` header). */
export const headerStatusDetails = 'grpc-status-details-bin';

/** Request headers never forwarded to the service (Go `handler/grpc.go`); the list lives with the upstream. */
export { reservedRequestHeaders } from '../../upstream/index.ts';

/** True for `application/grpc`, `application/grpc+<subtype>` and `application/grpc;…` (not gRPC-Web). */
export function isGrpcContentType(value: string): boolean {
  if (!value.startsWith('application/grpc')) return false;
  const next = value.charCodeAt(16);
  return Number.isNaN(next) || next === 43 /* + */ || next === 59 /* ; */;
}

/**
 * Percent-encodes a status message for `grpc-message`: bytes outside 0x20–0x7E and `%` become
 * `%XX` of their UTF-8 encoding (PROTOCOL-HTTP2.md "Status-Message").
 */
export function encodeGrpcMessage(message: string): string {
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte < 0x20 || byte > 0x7e || byte === 0x25 ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}
