import type { CallOutcome, HeaderList, ReadonlyMetadata } from '../../upstream/index.ts';
import { countedDrain, mergeHeaders, statusTrailers, type CallResponse, type TransportCounters } from '../call/call-response.ts';
import { createFrameScanner, encodeEnvelopePrefix, flagTrailers, type FrameScanner } from '../framing/envelope.ts';
import { Base64Encoder } from './base64.ts';
import type { HttpOut } from './http-out.ts';

/**
 * The response of a gRPC-Web call (PROTOCOL-WEB.md) over HTTP/1.1 or HTTP/2: messages as frames,
 * the status as a final 0x80 trailer frame written only after the last message (never on the
 * upstream 'trailers' event, which can overtake paused DATA), or in the
 * HTTP headers when nothing was sent. Text mode base64-encodes the body as one stream.
 */
export class GrpcWebResponse implements CallResponse {
  readonly #out: HttpOut;
  readonly #contentType: string;
  readonly #cors: Record<string, string>;
  readonly #scanner: FrameScanner;
  readonly #text: Base64Encoder | undefined;
  readonly #counters: TransportCounters;
  #headers: Record<string, string | string[]> | undefined;
  #headersSent = false;
  #finished = false;

  constructor(out: HttpOut, options: { contentType: string; text: boolean; cors: Record<string, string>; maxMessageBytes: number; counters: TransportCounters }) {
    this.#out = out;
    this.#counters = options.counters;
    this.#contentType = options.contentType;
    this.#cors = options.cors;
    this.#text = options.text ? new Base64Encoder() : undefined;
    this.#scanner = createFrameScanner({ maxMessageBytes: options.maxMessageBytes, compressionDeclared: true, direction: 'response' });
  }

  setHeaders(headers: ReadonlyMetadata): void {
    if (this.#headersSent) return;
    mergeHeaders((this.#headers ??= Object.create(null) as Record<string, string | string[]>), headers);
  }

  addHeaderList(headers: HeaderList): void {
    if (this.#headersSent) return;
    const target = (this.#headers ??= Object.create(null) as Record<string, string | string[]>);
    for (let i = 0; i < headers.length; i += 2) {
      const key = headers[i] as string;
      const value = headers[i + 1] as string;
      const existing = target[key];
      // A repeated header stays one line per value (HTTP/1.1 writeHead and HTTP/2 respond both send arrays so).
      if (existing === undefined) target[key] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else target[key] = [existing, value];
    }
    // The service answered with headers, not trailers-only: they go out now (as envoy's gRPC-Web filter does), so
    // a status without any message follows as a trailer frame and the client sees these as response headers.
    if (!this.#finished && !this.#out.isGone()) this.#head(undefined, false);
  }

  #head(extra: Record<string, string | string[]> | undefined, endStream: boolean): void {
    this.#headersSent = true;
    const headers: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    if (this.#headers !== undefined) mergeHeaders(headers, this.#headers);
    if (extra !== undefined) mergeHeaders(headers, extra);
    headers['content-type'] = this.#contentType;
    const names = Object.keys(headers);
    mergeHeaders(headers, this.#corsFor(names));
    this.#out.head(200, headers, endStream);
  }

  #corsFor(headerNames: readonly string[]): Record<string, string> {
    if (this.#cors['access-control-expose-headers'] === undefined) return this.#cors;
    // Browsers only show exposed headers to JS: expose the service's own ones too (improbable-eng behaviour).
    const extra = headerNames.filter((name) => !name.startsWith('grpc-') && name !== 'content-type');
    if (extra.length === 0) return this.#cors;
    return { ...this.#cors, 'access-control-expose-headers': `${this.#cors['access-control-expose-headers']}, ${extra.join(', ')}` };
  }

  #write(chunk: Uint8Array): boolean {
    return this.#out.write(this.#text === undefined ? chunk : this.#text.encode(chunk));
  }

  writeFrames(chunk: Uint8Array): boolean {
    const error = this.#scanner.scan(chunk);
    if (error !== undefined) throw error;
    if (this.#finished || this.#out.isGone()) return true;
    if (!this.#headersSent) this.#head(undefined, false);
    return this.#write(chunk);
  }

  writeMessage(message: Uint8Array): boolean {
    if (this.#finished || this.#out.isGone()) return true;
    if (!this.#headersSent) this.#head(undefined, false);
    if (this.#text !== undefined) return this.#write(Buffer.concat([encodeEnvelopePrefix(0, message.byteLength), message]));
    this.#out.write(encodeEnvelopePrefix(0, message.byteLength));
    return this.#out.write(message);
  }

  onDrain(listener: () => void): void {
    this.#out.onDrain(countedDrain(this.#counters, listener));
  }

  bufferedBytes(): number {
    return this.#out.bufferedBytes();
  }

  finish(outcome: CallOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#out.isGone()) return;
    const trailers = statusTrailers(outcome);
    if (!this.#headersSent) {
      this.#head(trailers, true);
      return;
    }
    let block = '';
    for (const key in trailers) {
      const value = trailers[key];
      if (Array.isArray(value)) for (const item of value) block += `${key}: ${item}\r\n`;
      else if (value !== undefined) block += `${key}: ${value}\r\n`;
    }
    const payload = Buffer.from(block, 'utf8');
    const frame = Buffer.concat([encodeEnvelopePrefix(flagTrailers, payload.byteLength), payload]);
    if (this.#text === undefined) {
      this.#out.end(frame);
      return;
    }
    // The pending 1–2 bytes are flushed with padding; the trailer frame is its own base64 run.
    this.#out.write(this.#text.flush());
    this.#out.end(Buffer.from(frame.toString('base64'), 'latin1'));
  }
}
