/**
 * Hand-made gRPC and gRPC-Web requests over node:http2 / fetch, for malformed-input tests and for
 * gRPC-Web text mode (no maintained Node client speaks it). Messages are encoded with protobufjs.
 */
import http2 from 'node:http2';
import protobuf from 'protobufjs';
import { testProtoPath } from './grpc-test-service.ts';

const root = protobuf.loadSync(testProtoPath);
export const EchoRequestType = root.lookupType('snet.test.EchoRequest');
export const EchoResponseType = root.lookupType('snet.test.EchoResponse');

/** Encodes an EchoRequest message (no frame). */
export function encodeEchoRequest(fields: Record<string, unknown>): Buffer {
  return Buffer.from(EchoRequestType.encode(EchoRequestType.fromObject(fields)).finish());
}

/** Decodes an EchoResponse message. */
export function decodeEchoResponse(bytes: Uint8Array): { text: string; index: number; payload: Uint8Array } {
  return EchoResponseType.toObject(EchoResponseType.decode(bytes), { defaults: true }) as { text: string; index: number; payload: Uint8Array };
}

/** A gRPC frame: flag byte, big-endian length, message. */
export function frame(message: Uint8Array, flags = 0, declaredLength = message.byteLength): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flags;
  prefix.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([prefix, message]);
}

export interface RawResponse {
  readonly headers: http2.IncomingHttpHeaders;
  readonly trailers: http2.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One HTTP/2 request with prior knowledge (h2c), body sent at once, full response collected. */
export function rawHttp2Request(port: number, headers: http2.OutgoingHttpHeaders, body: Buffer | undefined): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({ ':method': 'POST', ...headers }, { endStream: body === undefined });
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h: http2.IncomingHttpHeaders) => (responseHeaders = h));
    stream.on('trailers', (t: http2.IncomingHttpHeaders) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('close', () => {
      session.close();
      resolve({ headers: responseHeaders, trailers, body: Buffer.concat(chunks) });
    });
    if (body !== undefined) stream.end(body);
  });
}

/** Splits a gRPC(-Web) body into frames; the gRPC-Web trailer frame (0x80) is parsed into a record. */
export function parseFrames(body: Buffer): { messages: Buffer[]; trailers: Record<string, string> | undefined } {
  const messages: Buffer[] = [];
  let trailers: Record<string, string> | undefined;
  let at = 0;
  while (at + 5 <= body.length) {
    const flags = body[at] as number;
    const length = body.readUInt32BE(at + 1);
    const data = body.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if ((flags & 0x80) !== 0) {
      trailers = {};
      for (const line of data.toString('utf8').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    } else {
      messages.push(data);
    }
  }
  return { messages, trailers };
}

/** Decodes a gRPC-Web text body: base64 runs, each possibly padded (PROTOCOL-WEB.md). */
export function decodeTextBody(text: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i + 4 <= text.length; i += 4) {
    if (text[i + 3] === '=') {
      parts.push(Buffer.from(text.slice(start, i + 4), 'base64'));
      start = i + 4;
    }
  }
  if (start < text.length) parts.push(Buffer.from(text.slice(start), 'base64'));
  return Buffer.concat(parts);
}
