import { Readable } from 'node:stream';
import { gunzipSync, inflateSync } from 'node:zlib';
import { SnetError } from '../errors/index.ts';
import type { ByteSink, HeaderList, ReadonlyMetadata, RequestMessages, ResponseWriter, Upstream } from './call.ts';
import { GrpcStatus } from './grpc-status.ts';

/** One unary call the daemon makes to the service itself (the dynamic-pricing estimate, docs/payments.md "Dynamic pricing"). */
export interface UnaryCallRequest {
  /** Full gRPC path, `/package.Service/Method`. */
  readonly method: string;
  /** The request message bytes, sent unchanged in one uncompressed frame. */
  readonly message: Uint8Array;
  /** Metadata for the service (reserved headers are dropped by the upstream, as for proxied calls). */
  readonly metadata: ReadonlyMetadata;
  /** Time left until the deadline, in ms (sent as `grpc-timeout`); `undefined` = none. */
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
}

/** The service's answer: its one reply message, or the non-OK status (or a broken OK answer as INTERNAL). */
export type UnaryCallResult = { readonly ok: true; readonly message: Uint8Array } | { readonly ok: false; readonly code: number; readonly message: string };

/** Largest reply accepted (an estimate reply is a few bytes). */
const MAX_REPLY_BYTES = 1 << 20;

/** Headers the daemon sets on its own unary call (the client's compression choices do not apply to it). */
const NOT_FORWARDED = new Set(['grpc-encoding', 'grpc-accept-encoding']);

/**
 * Makes one unary call through `upstream` (same connection, headers and deadline handling as proxied calls):
 * the request goes out as one uncompressed frame, the reply frames are collected (gzip/deflate replies are
 * inflated). Resolves with the reply message or the status; rejects with the upstream's `SnetError` when the
 * call could not be carried out (service unavailable, cancelled).
 */
export async function invokeUnary(upstream: Upstream, request: UnaryCallRequest): Promise<UnaryCallResult> {
  const metadata: Record<string, string | readonly string[]> = Object.create(null) as Record<string, string | readonly string[]>;
  for (const key in request.metadata) {
    const value = request.metadata[key];
    if (value !== undefined && !NOT_FORWARDED.has(key)) metadata[key] = value;
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  let encoding = 'identity';
  const takeHeaders = (name: string, value: string): void => {
    if (name === 'grpc-encoding') encoding = value;
  };
  const response: ResponseWriter = {
    setHeaders(headers) {
      for (const key in headers) {
        const value = headers[key];
        if (typeof value === 'string') takeHeaders(key, value);
      }
    },
    addHeaderList(headers: HeaderList) {
      for (let i = 0; i + 1 < headers.length; i += 2) takeHeaders(headers[i] as string, headers[i + 1] as string);
    },
    writeFrames(chunk) {
      received += chunk.byteLength;
      if (received > MAX_REPLY_BYTES) throw new SnetError('UPSTREAM_FAILED', `the reply of ${request.method} is larger than ${MAX_REPLY_BYTES} bytes`);
      chunks.push(chunk);
      return true;
    },
    writeMessage(message) {
      return this.writeFrames(frame(message));
    },
    onDrain(listener) {
      listener();
    },
  };
  const framed = frame(request.message);
  const messages: RequestMessages = {
    encoding: 'identity',
    first: () => Promise.resolve(request.message),
    pipeFrames(sink: ByteSink) {
      sink.write(framed);
      sink.end();
      return Promise.resolve();
    },
    messages: () => Readable.from([request.message], { objectMode: true }) as AsyncIterable<Uint8Array>,
  };
  const outcome = await upstream.invoke({ method: request.method, metadata, timeoutMs: request.timeoutMs, signal: request.signal, request: messages, response });
  if (outcome.code !== GrpcStatus.OK) return { ok: false, code: outcome.code, message: outcome.message };
  const replies = parseFrames(Buffer.concat(chunks), encoding);
  if (typeof replies === 'string') return { ok: false, code: GrpcStatus.INTERNAL, message: replies };
  if (replies.length !== 1) return { ok: false, code: GrpcStatus.INTERNAL, message: `the service answered ${replies.length} messages to a unary call` };
  return { ok: true, message: replies[0] as Uint8Array };
}

function frame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + message.byteLength);
  new DataView(out.buffer).setUint32(1, message.byteLength);
  out.set(message, 5);
  return out;
}

/** Splits gRPC frames (5-byte prefix); returns an error text for a truncated or undecodable body. */
function parseFrames(bytes: Uint8Array, encoding: string): Uint8Array[] | string {
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos < bytes.byteLength) {
    if (pos + 5 > bytes.byteLength) return 'the reply ends inside a frame header';
    const compressed = bytes[pos] === 1;
    const length = view.getUint32(pos + 1);
    if (pos + 5 + length > bytes.byteLength) return 'the reply ends inside a message';
    let message = bytes.subarray(pos + 5, pos + 5 + length);
    if (compressed) {
      try {
        if (encoding === 'gzip') message = gunzipSync(message);
        else if (encoding === 'deflate') message = inflateSync(message);
        else return `the reply is compressed with "${encoding}", which the daemon does not decode`;
      } catch (err) {
        return `the reply does not decompress: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    out.push(message);
    pos += 5 + length;
  }
  return out;
}
