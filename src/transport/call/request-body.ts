import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { SnetError } from '../../errors/index.ts';
import { writeBufferBytes, type ByteSink, type RequestMessages } from '../../upstream/index.ts';
import { createEnvelopeDecoder, createFrameScanner, flagCompressed, type Envelope, type FrameRules } from '../framing/envelope.ts';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);

/**
 * {@link RequestMessages} over the client's request body (an HTTP/2 stream, an HTTP/1.1 request, or
 * the base64 decoder of gRPC-Web text mode). The body is read only when a handler asks: `first()`
 * holds the chunks it read and `pipeFrames`/`messages` replay them first, so nothing is lost and
 * the pass-through path never copies message bytes.
 */
export class RequestBody implements RequestMessages {
  readonly encoding: string;
  readonly #source: Readable;
  readonly #rules: FrameRules;
  /** Chunks read by `first()`, replayed by the consumer that comes next. */
  #held: Buffer[] = [];
  #ended = false;
  #failure: SnetError | undefined;
  #first: Promise<Uint8Array | undefined> | undefined;
  #consumed = false;

  constructor(source: Readable, encoding: string, maxMessageBytes: number) {
    this.#source = source;
    this.encoding = encoding;
    this.#rules = { maxMessageBytes, compressionDeclared: encoding !== 'identity', direction: 'request' };
  }

  first(): Promise<Uint8Array | undefined> {
    this.#first ??= this.#readFirst().then((envelope) => (envelope === undefined ? undefined : this.#decompress(envelope)));
    return this.#first;
  }

  #readFirst(): Promise<Envelope | undefined> {
    if (this.#consumed) return Promise.reject(new Error('RequestBody.first() after the body was consumed'));
    const decoder = createEnvelopeDecoder(this.#rules);
    if (this.#source.readableEnded) {
      this.#ended = true;
      return Promise.resolve(undefined);
    }
    return new Promise((resolve, reject) => {
      const source = this.#source;
      const cleanup = (): void => {
        source.off('data', onData);
        source.off('end', onEnd);
        source.off('close', onClose);
        source.off('error', onError);
      };
      const onData = (chunk: Buffer): void => {
        this.#held.push(chunk);
        const decoded = decoder.push(chunk);
        if (!decoded.ok) {
          cleanup();
          source.pause();
          this.#failure = decoded.error;
          reject(decoded.error);
          return;
        }
        const envelope = decoded.value[0];
        if (envelope !== undefined) {
          cleanup();
          source.pause();
          resolve(envelope);
        }
      };
      const onEnd = (): void => {
        cleanup();
        this.#ended = true;
        const end = decoder.end();
        if (end.ok) resolve(undefined);
        else reject((this.#failure = end.error));
      };
      const onClose = (): void => {
        cleanup();
        reject(clientGone());
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error instanceof SnetError ? error : clientGone(error));
      };
      source.on('data', onData);
      source.on('end', onEnd);
      source.on('close', onClose);
      source.on('error', onError);
      source.resume();
    });
  }

  async #decompress(envelope: Envelope): Promise<Uint8Array> {
    if ((envelope.flags & flagCompressed) === 0) return envelope.data;
    const limit = { maxOutputLength: this.#rules.maxMessageBytes };
    try {
      if (this.encoding === 'gzip') return await gunzip(envelope.data, limit);
      if (this.encoding === 'deflate') return await inflate(envelope.data, limit);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new SnetError('REQUEST_TOO_LARGE', `request message inflates to more than the limit of ${this.#rules.maxMessageBytes} bytes`, { cause: error });
      }
      throw new SnetError('REQUEST_MALFORMED', `request message is not valid ${this.encoding} data`, { cause: error });
    }
    throw new SnetError('REQUEST_MALFORMED', `grpc-encoding "${this.encoding}" is not supported by the daemon (use gzip or identity)`);
  }

  pipeFrames(sink: ByteSink): Promise<void> {
    if (this.#consumed) return Promise.reject(new Error('RequestBody consumed twice'));
    this.#consumed = true;
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const scanner = createFrameScanner(this.#rules);
    const held = this.#held;
    this.#held = [];
    for (const chunk of held) {
      const error = scanner.scan(chunk);
      if (error !== undefined) return Promise.reject(error);
      sink.write(chunk);
    }
    // 'end' may have fired while first() had the body paused: readableEnded tells.
    if (this.#ended || this.#source.readableEnded) {
      const error = scanner.end();
      if (error !== undefined) return Promise.reject(error);
      sink.end();
      return Promise.resolve();
    }
    const source = this.#source;
    return new Promise((resolve, reject) => {
      // Listeners stay attached after the body ended (the stream goes with the call); `done` makes
      // later events no-ops instead of paying for four removeListener calls per call.
      let done = false;
      const fail = (error: SnetError): void => {
        if (done) return;
        done = true;
        source.pause();
        reject(error);
      };
      const resume = (): void => {
        source.resume();
      };
      source.on('data', (chunk: Buffer) => {
        if (done) return;
        const error = scanner.scan(chunk);
        if (error !== undefined) {
          fail(error);
          return;
        }
        // Paused only above writeBufferBytes: node's write() reports "full" from 16 KiB on.
        if (!sink.write(chunk) && sink.writableLength > writeBufferBytes) {
          source.pause();
          sink.once('drain', resume);
        }
      });
      source.on('end', () => {
        if (done) return;
        done = true;
        this.#ended = true;
        const error = scanner.end();
        if (error !== undefined) {
          reject(error);
          return;
        }
        sink.end();
        resolve();
      });
      source.on('close', () => {
        if (!done) fail(clientGone());
      });
      source.on('error', (error: Error) => {
        if (!done) fail(error instanceof SnetError ? error : clientGone(error));
      });
      source.resume();
    });
  }

  async *messages(): AsyncGenerator<Uint8Array> {
    if (this.#consumed) throw new Error('RequestBody consumed twice');
    this.#consumed = true;
    if (this.#failure !== undefined) throw this.#failure;
    const decoder = createEnvelopeDecoder(this.#rules);
    const held = this.#held;
    this.#held = [];
    for (const chunk of held) {
      const decoded = decoder.push(chunk);
      if (!decoded.ok) throw decoded.error;
      for (const envelope of decoded.value) yield await this.#decompress(envelope);
    }
    if (!this.#ended && !this.#source.readableEnded) {
      try {
        // destroyOnReturn: a handler that stops reading early must not kill the response direction.
        for await (const chunk of this.#source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
          const decoded = decoder.push(chunk);
          if (!decoded.ok) throw decoded.error;
          for (const envelope of decoded.value) yield await this.#decompress(envelope);
        }
      } catch (error) {
        if (error instanceof SnetError) throw error;
        throw clientGone(error);
      }
      this.#ended = true;
    }
    const end = decoder.end();
    if (!end.ok) throw end.error;
  }
}

function clientGone(cause?: unknown): SnetError {
  return new SnetError('REQUEST_CANCELLED', 'the client closed the request before it ended', cause === undefined ? {} : { cause });
}
