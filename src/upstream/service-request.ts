import { SnetError } from '../errors/index.ts';
import type { UpstreamCall } from './call.ts';
import { contentTypeOf, describeCause } from './grpc-outcome.ts';
import { reservedRequestHeaders } from './reserved-headers.ts';

/**
 * What both gRPC upstreams (node:http2 and the built-in engine) send the service and say when they cannot
 * reach it, built in one place so the two engines never differ on the wire.
 */

/** Headers the daemon sets itself on the service hop: the reserved ones plus the content-type it chooses. */
const requestHeadersNotForwarded: ReadonlySet<string> = new Set([...reservedRequestHeaders, 'content-type']);

/**
 * Appends the regular request headers of `call` to `headers` (a flat `name, value, …` list, e.g. already holding
 * the pseudo-headers): content-type, te, user-agent, grpc-timeout, grpc-encoding, then the forwarded metadata.
 * `timeoutMs` is the time left for `grpc-timeout` (a call sent again later has less than `call.timeoutMs`).
 */
export function appendServiceRequestHeaders(
  headers: string[],
  call: UpstreamCall,
  contentSubtype: 'proto' | 'json' | undefined,
  userAgent: string,
  timeoutMs: number | undefined = call.timeoutMs,
): string[] {
  const metadata = call.metadata;
  const encoding = call.request.encoding;
  headers.push('content-type', contentSubtype === undefined ? contentTypeOf(metadata) : `application/grpc+${contentSubtype}`, 'te', 'trailers', 'user-agent', userAgent);
  if (timeoutMs !== undefined) headers.push('grpc-timeout', `${Math.max(1, Math.ceil(timeoutMs))}m`);
  // The encoding of the frames as forwarded wins over a grpc-encoding an interceptor left in the metadata.
  const encoded = encoding !== 'identity';
  if (encoded) headers.push('grpc-encoding', encoding);
  for (const key in metadata) {
    if (key.charCodeAt(0) === 58 /* ':' */ || requestHeadersNotForwarded.has(key) || (encoded && key === 'grpc-encoding')) continue;
    const value = metadata[key];
    if (typeof value === 'string') headers.push(key, value);
    else if (value !== undefined) for (const item of value) headers.push(key, item);
  }
  return headers;
}

/** UPSTREAM_UNAVAILABLE for the service at `authority`, with the first Node error code of `cause` as the reason. */
export function serviceUnavailableError(authority: string, cause: unknown): SnetError {
  return new SnetError('UPSTREAM_UNAVAILABLE', `the service at ${authority} is unavailable: ${describeCause(cause)}`, {
    cause,
    hint: 'Check that the service runs and that service_endpoint points to it.',
    details: { endpoint: authority },
  });
}

/** The error a call cancelled with `reason` (its signal's abort reason) ends with on either engine. */
export function cancelledCallError(reason: unknown): Error {
  return reason instanceof Error ? reason : new SnetError('REQUEST_CANCELLED', 'the call was cancelled', { cause: reason });
}
