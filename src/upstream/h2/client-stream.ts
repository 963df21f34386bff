import type { ByteSink } from '../call.ts';

/** What a {@link H2ClientStream} reports to its user. Each callback runs synchronously from the socket's data. */
export interface ClientStreamEvents {
  /** Response headers (first call; interim 1xx are skipped), then trailers (`endStream` true). */
  onHeaders(headerList: string[], endStream: boolean): void;
  /**
   * A piece of the response body: a view of the received socket chunk, not a copy. The connection never reuses
   * a chunk's memory (one fresh buffer per socket read), so a consumer may keep the view, e.g. queued in
   * node:http2's write queue towards the client; keeping it pins that chunk. Reading into a reused buffer
   * (`socket` `onread`) would break this.
   */
  onData(chunk: Buffer): void;
  /** The service ended its side (END_STREAM, after the last `onData` / with the trailers). */
  onEnd(): void;
  /**
   * The stream is gone. `code` is 0 after a clean finish in both directions, else the RST_STREAM /
   * GOAWAY code; `error` is set when the connection failed (socket error, connection error, close).
   */
  onClose(code: number, error: Error | undefined): void;
}

/** The connection side of a stream (implemented by the client connection). @internal */
export interface StreamOwner {
  sendQueued(stream: H2ClientStream): void;
  endStream(stream: H2ClientStream): void;
  resetStream(stream: H2ClientStream, code: number): void;
  resumeStream(stream: H2ClientStream): void;
}

/**
 * One request stream on a client connection. Implements {@link ByteSink} for the request body:
 * `write()` returns false once more than `queueLimitBytes` wait for flow-control window or the
 * socket, and `'drain'` fires when the queue is below that again. Body chunks are sent without a
 * copy, so a caller must not reuse a buffer it wrote.
 */
export class H2ClientStream implements ByteSink {
  /** Stream id; 0 until the stream is opened (it may wait for MAX_CONCURRENT_STREAMS). */
  id = 0;
  readonly events: ClientStreamEvents;
  /** @internal encoded request header block, kept until the stream opens. */
  headerBlock: Buffer | undefined;
  /** @internal peer's window for this stream. */
  sendWindow = 0;
  /** @internal body chunks waiting for window / socket. */
  readonly queue: Buffer[] = [];
  /** @internal bytes in `queue`. */
  queued = 0;
  /** @internal `end()` was called (END_STREAM goes after the queue). */
  endQueued = false;
  /** @internal END_STREAM was sent. */
  localEnded = false;
  /** @internal END_STREAM was received. */
  remoteEnded = false;
  /** @internal final response headers were received. */
  headersSeen = false;
  /** @internal the response's content-length, -1 when it has none: its DATA must add up to it (RFC 9113 §8.1.1). */
  contentLength = -1;
  /** @internal DATA payload bytes received. */
  dataBytes = 0;
  closed = false;
  /** @internal received bytes not yet returned with WINDOW_UPDATE. */
  recvUnacked = 0;
  /** @internal the consumer is slow: WINDOW_UPDATEs are withheld. */
  paused = false;
  /**
   * True while the stream could go again on another connection if the service refuses it unprocessed: no
   * response header arrived yet and every body byte written so far is still held (in {@link replay}).
   */
  replayable = true;
  /** @internal the body chunks written so far (references, no copy) while {@link replayable}; at most the queue limit. */
  replay: Buffer[] | undefined;
  /** @internal bytes in `replay`. */
  replayBytes = 0;
  #owner: StreamOwner;
  readonly #queueLimitBytes: number;
  #drainListeners: (() => void)[] | undefined;

  constructor(owner: StreamOwner, events: ClientStreamEvents, queueLimitBytes: number) {
    this.#owner = owner;
    this.events = events;
    this.#queueLimitBytes = queueLimitBytes;
  }

  get writableLength(): number {
    return this.queued;
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed || this.endQueued || chunk.length === 0) {
      // Dropped bytes of a closed stream cannot be replayed.
      if (this.closed && chunk.length > 0) this.#noReplay();
      return true;
    }
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.queue.push(buf);
    this.queued += buf.length;
    if (this.replayable) {
      if (this.replayBytes + buf.length <= this.#queueLimitBytes) {
        (this.replay ??= []).push(buf);
        this.replayBytes += buf.length;
      } else {
        this.#noReplay();
      }
    }
    this.#owner.sendQueued(this);
    return this.queued <= this.#queueLimitBytes;
  }

  end(): void {
    if (this.closed || this.endQueued) return;
    this.endQueued = true;
    this.#owner.endStream(this);
  }

  once(_event: 'drain', listener: () => void): this {
    if (this.closed || this.queued <= this.#queueLimitBytes) {
      queueMicrotask(listener);
      return this;
    }
    (this.#drainListeners ??= []).push(listener);
    return this;
  }

  /** Resets the stream (RST_STREAM with `code`, CANCEL by default); no-op once closed. */
  cancel(code = 0x8): void {
    if (!this.closed) this.#owner.resetStream(this, code);
  }

  /** Withholds this stream's WINDOW_UPDATEs: the service stops once the window is used up. */
  pause(): void {
    this.paused = true;
  }

  /** Returns the window withheld by {@link pause}. */
  resume(): void {
    if (this.paused) this.#owner.resumeStream(this);
  }

  /** @internal the service answered (or the body outgrew the replay bound): the stream can no longer go again. */
  noReplay(): void {
    this.#noReplay();
  }

  #noReplay(): void {
    this.replayable = false;
    this.replay = undefined;
    this.replayBytes = 0;
  }

  /**
   * @internal Moves a closed, {@link replayable} stream to `owner` (another connection) as a fresh stream: its
   * recorded body is queued again and its end, if the body was ended, follows it.
   */
  rebind(owner: StreamOwner): void {
    this.#owner = owner;
    this.id = 0;
    this.sendWindow = 0;
    this.closed = false;
    this.localEnded = false;
    this.remoteEnded = false;
    this.headersSeen = false;
    this.recvUnacked = 0;
    this.paused = false;
    const replay = this.replay;
    this.queue.length = 0;
    if (replay !== undefined) for (const chunk of replay) this.queue.push(chunk);
    this.queued = this.replayBytes;
  }

  /** @internal called by the connection after the queue shrank or the stream closed. */
  drained(): void {
    const listeners = this.#drainListeners;
    if (listeners === undefined || (!this.closed && this.queued > this.#queueLimitBytes)) return;
    this.#drainListeners = undefined;
    for (const listener of listeners) listener();
  }
}
