import type http2 from 'node:http2';
import type { CallOutcome, ReadonlyMetadata } from '../../upstream/index.ts';
import { countedDrain, mergeHeaders, statusTrailers, type CallResponse, type TransportCounters } from '../call/call-response.ts';
import { createFrameScanner, encodeEnvelopePrefix, type FrameScanner } from '../framing/envelope.ts';

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
  #headers: Record<string, string | string[]> | undefined;
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
    mergeHeaders((this.#headers ??= Object.create(null) as Record<string, string | string[]>), headers);
  }

  #sendHeaders(): void {
    this.#headersSent = true;
    const headers: http2.OutgoingHttpHeaders = { ':status': 200, 'content-type': this.#contentType };
    if (this.#headers !== undefined) mergeHeaders(headers as Record<string, string | string[]>, this.#headers);
    this.#stream.respond(headers, { waitForTrailers: true });
  }

  writeFrames(chunk: Uint8Array): boolean {
    const error = this.#scanner.scan(chunk);
    if (error !== undefined) throw error;
    if (this.#finished || this.#stream.destroyed) return true;
    if (!this.#headersSent) this.#sendHeaders();
    return this.#stream.write(chunk);
  }

  writeMessage(message: Uint8Array): boolean {
    if (this.#finished || this.#stream.destroyed) return true;
    if (!this.#headersSent) this.#sendHeaders();
    this.#stream.write(encodeEnvelopePrefix(0, message.byteLength));
    return this.#stream.write(message);
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
      // Trailers-only response (PROTOCOL-HTTP2.md): status and headers in one HEADERS frame.
      this.#headersSent = true;
      const headers: http2.OutgoingHttpHeaders = { ':status': 200, 'content-type': this.#contentType };
      if (this.#headers !== undefined) mergeHeaders(headers as Record<string, string | string[]>, this.#headers);
      mergeHeaders(headers as Record<string, string | string[]>, trailers);
      stream.respond(headers, { endStream: true });
      return;
    }
    stream.once('wantTrailers', () => {
      if (!stream.destroyed) stream.sendTrailers(trailers);
    });
    stream.end();
  }
}
