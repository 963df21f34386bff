import protobuf from 'protobufjs';
import type { ReadonlyMetadata } from '../../upstream/index.ts';

/**
 * Trailers that tell a client when to retry a refused call: `retry-after` in whole seconds (HTTP
 * style, read by proxies and browsers) and `grpc-status-details-bin`, a `google.rpc.Status` whose
 * details hold one `google.rpc.RetryInfo` (read by gRPC clients that honour server retry hints).
 * Encoded by hand: three tiny messages, no descriptor needed on a path a flood hits.
 */
export function retryTrailers(code: number, message: string, retryAfterMs: number): ReadonlyMetadata {
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms % 1000) * 1_000_000;
  const duration = protobuf.Writer.create();
  if (seconds !== 0) duration.uint32(8).int64(seconds);
  if (nanos !== 0) duration.uint32(16).int32(nanos);
  const retryInfo = protobuf.Writer.create().uint32(10).bytes(duration.finish()).finish();
  const any = protobuf.Writer.create().uint32(10).string('type.googleapis.com/google.rpc.RetryInfo').uint32(18).bytes(retryInfo).finish();
  const status = protobuf.Writer.create();
  if (code !== 0) status.uint32(8).int32(code);
  if (message !== '') status.uint32(18).string(message);
  status.uint32(26).bytes(any);
  return {
    'retry-after': String(Math.max(1, Math.ceil(ms / 1000))),
    'grpc-status-details-bin': Buffer.from(status.finish()).toString('base64').replace(/=+$/, ''),
  };
}
