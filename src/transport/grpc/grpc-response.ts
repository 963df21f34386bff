import type http2 from 'node:http2';
import { writeBufferBytes, type CallOutcome, type HeaderList, type ReadonlyMetadata } from '../../upstream/index.ts';
import { appendHeaderList, countedDrain, statusTrailers, type CallResponse, type TransportCounters } from '../call/call-response.ts';
import { createFrameScanner, encodeEnvelopePrefix, type FrameScanner } from '../framing/envelope.ts';

const waitForTrailers: http2.ServerStreamResponseOptions = { waitForTrailers: true };
const endStream: http2.ServerStreamResponseOptions = { endStream: true };

/**
 * The response of a native gRPC call on an HTTP/2 stream: headers with the first message,
 * DATA as framed bytes, the status as HTTP/2 trailers (or trailers-only when nothing was sent).
 * Response frames are checked against the message size limit as they pass.
 */
export class GrpcResponse implements CallResponse {
  readonly #stream: http2.ServerHttp2Stream;
  readonly #contentType: string;
  readonly #scanner: FrameScanner;
  readonly #counters: TransportCounters;
  /** Response headers to send with the first message, as a flat list (node's raw header form). */
  #headers: string[] | undefined;
  #headersSent = false;
  #finished = false;

  constructor(stream: http2.ServerHttp2Stream, contentType: string, maxMessageBytes: number, counters: TransportCounters) {
    this.#stream = stream;
    this.#counters = counters;
    this.#contentType = contentType;
    this.#scanner = createFrameScanner({ maxMessageBytes, compressionDeclared: true, direction: 'response' });
  }

  setHeaders(headers: ReadonlyMetadata): void {
    if (this.#headersSent) return;
    appendHeaderList((this.#headers ??= []), headers);
  }

  /**
   * The service's own response headers (it answered with HEADERS, not trailers-only): they are sent at once, as the
   * service sent them, so a status that follows without any message arrives as trailers after them. Folded into a
   * trailers-only answer, a client would see them as trailers, not as response headers (grpc-js `metadata`).
   */
  addHeaderList(headers: HeaderList): void {
    if (this.#headersSent) return;
    if (this.#headers === undefined) this.#headers = headers.slice();
    else for (const item of headers) this.#headers.push(item);
    if (!this.#finished && !this.#stream.destroyed && !this.#stream.closed) this.#sendHeaders();
  }

  /** `:status`, content-type, then the headers set so far (a list: node:http2 copies no object for it). */
  #headerList(): string[] {
    const list = [':status', '200', 'content-type', this.#contentType];
    const headers = this.#headers;
    if (headers !== undefined) {
      for (let i = 0; i < headers.length; i += 2) {
        const key = headers[i] as string;
        // The transport owns content-type and the pseudo-headers.
        if (key === 'content-type' || key.charCodeAt(0) === 58) continue;
        list.push(key, headers[i + 1] as string);
      }
    }
    return list;
  }

  #sendHeaders(): void {
    this.#headersSent = true;
    this.#stream.respond(this.#headerList(), waitForTrailers);
  }

  writeFrames(chunk: Uint8Array): boolean {
    const error = this.#scanner.scan(chunk);
    if (error !== undefined) throw error;
    if (this.#finished || this.#stream.destroyed) return true;
    if (!this.#headersSent) this.#sendHeaders();
    // "Full" only above writeBufferBytes (node's write() says so from 16 KiB on: a pause per chunk).
    return this.#stream.write(chunk) || this.#stream.writableLength <= writeBufferBytes;
  }

  writeMessage(message: Uint8Array): boolean {
    if (this.#finished || this.#stream.destroyed) return true;
    if (!this.#headersSent) this.#sendHeaders();
    this.#stream.write(encodeEnvelopePrefix(0, message.byteLength));
    return this.#stream.write(message) || this.#stream.writableLength <= writeBufferBytes;
  }

  onDrain(listener: () => void): void {
    if (this.#stream.destroyed) {
      queueMicrotask(listener);
      return;
    }
    const counted = countedDrain(this.#counters, listener);
    // A stream closed while waiting never drains: release the waiter so the producer can finish.
    const onClose = (): void => {
      this.#stream.off('drain', onDrain);
      counted();
    };
    const onDrain = (): void => {
      this.#stream.off('close', onClose);
      counted();
    };
    this.#stream.once('drain', onDrain);
    this.#stream.once('close', onClose);
  }

  bufferedBytes(): number {
    return this.#stream.writableLength;
  }

  finish(outcome: CallOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    const stream = this.#stream;
    if (stream.destroyed || stream.closed) return;
    const trailers = statusTrailers(outcome);
    if (!this.#headersSent) {
      // Trailers-only response (PROTOCOL-HTTP2.md): status and headers in one HEADERS frame; a
      // trailer replaces a header of the same name.
      this.#headersSent = true;
      const list = this.#headerList();
      const headers: string[] = [];
      for (let i = 0; i < list.length; i += 2) {
        const key = list[i] as string;
        if (!(key in trailers)) headers.push(key, list[i + 1] as string);
      }
      appendHeaderList(headers, trailers);
      stream.respond(headers, endStream);
      return;
    }
    // 'on', not 'once': it fires once per stream anyway, and once() wraps the listener per call.
    stream.on('wantTrailers', () => {
      if (!stream.destroyed) stream.sendTrailers(trailers);
    });
    stream.end();
  }
}
