import net from 'node:net';
import tls from 'node:tls';
import { HpackDecoder } from './hpack-decoder.ts';
import { literalFieldBound, writeIndexedField, writeLiteralField } from './hpack-encoder.ts';
import { FrameParser, type FrameHandler } from './frame-parser.ts';
import { checkResponseFields, contentLengthOf } from './field-validation.ts';
import { H2ClientStream, type ClientStreamEvents, type StreamOwner } from './client-stream.ts';
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_WINDOW_BYTES,
  FRAME_HEADER_BYTES,
  FrameFlag,
  FrameType,
  H2Error,
  MAX_ALLOWED_FRAME_BYTES,
  MAX_WINDOW_BYTES,
  SettingId,
  writeFrameHeader,
} from './frame-constants.ts';

/** Options of {@link H2ClientConnection}. */
export interface H2ClientConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** `:authority` of every request (`host:port`). */
  readonly authority: string;
  /** TLS with ALPN `h2` (`https://` services). @default false */
  readonly secure?: boolean;
  /** Extra trusted CA certificates (PEM) for TLS. @default system roots */
  readonly ca?: string | Buffer | undefined;
  /** Stream receive window we advertise (SETTINGS_INITIAL_WINDOW_SIZE), in bytes. @default 1 MiB */
  readonly streamWindowBytes?: number;
  /** Connection receive window, in bytes. @default 16 MiB */
  readonly connectionWindowBytes?: number;
  /** Largest response header list we accept (SETTINGS_MAX_HEADER_LIST_SIZE). @default 65535 */
  readonly maxHeaderListBytes?: number;
  /** Request body bytes queued per stream before `write()` says "full". @default 128 KiB */
  readonly streamQueueBytes?: number;
  /** Bytes buffered in the socket above which no more DATA is handed to it. @default 1 MiB */
  readonly socketHighWaterBytes?: number;
  /** The connection fails when it is not established within this time. @default 20000 */
  readonly connectTimeoutMs?: number;
  /** PING interval; a PING unanswered by the next one fails the connection. 0 = off. @default 0 */
  readonly keepaliveMs?: number;
  /** The connection fails (SETTINGS_TIMEOUT, RFC 9113 §6.5.3) when our SETTINGS are not acknowledged this long after connecting. 0 = off. @default 10000 */
  readonly settingsAckTimeoutMs?: number;
}

const EMPTY = Buffer.alloc(0);
/** PING ACKs, SETTINGS ACKs and RST_STREAMs answering the service that may wait for the socket (nghttp2's max_outbound_ack). */
const MAX_QUEUED_ANSWERS = 1000;
/** Frames up to this payload size are copied into one buffer with their header; larger go as two writes. */
const COPY_PAYLOAD_BYTES = 2048;
let scratch = Buffer.allocUnsafe(16 << 10);

/**
 * An HTTP/2 client connection (RFC 9113) on one socket (TCP or TLS), for gRPC requests. Frames of
 * all streams are corked and leave in one `writev` per event-loop turn. Flow control both ways
 * (stream and connection windows; WINDOW_UPDATE batched at a quarter of the window and withheld
 * for a paused stream), the peer's SETTINGS (frame size, initial window applied to open streams,
 * MAX_CONCURRENT_STREAMS: further streams wait in a queue), PING, RST_STREAM and GOAWAY both ways.
 * A protocol error of the peer is a connection error: GOAWAY is sent and every stream closes with
 * that code; nothing throws out of socket callbacks.
 */
export class H2ClientConnection implements FrameHandler, StreamOwner {
  readonly #socket: net.Socket;
  readonly #parser: FrameParser;
  readonly #decoder: HpackDecoder;
  readonly #requestPrefix: Buffer;
  readonly #streamWindow: number;
  readonly #streamUpdateAt: number;
  readonly #connectionUpdateAt: number;
  readonly #queueLimit: number;
  readonly #socketHighWater: number;
  readonly #streams = new Map<number, H2ClientStream>();
  /** Streams waiting for MAX_CONCURRENT_STREAMS room, in order. */
  readonly #waiting: H2ClientStream[] = [];
  /** Streams with queued DATA that wait for connection window or socket room. */
  readonly #blocked = new Set<H2ClientStream>();
  #nextId = 1;
  #peerInitialWindow = DEFAULT_WINDOW_BYTES;
  #peerMaxFrame = DEFAULT_MAX_FRAME_BYTES;
  #peerMaxStreams = Number.POSITIVE_INFINITY;
  #sendWindow = DEFAULT_WINDOW_BYTES;
  #recvUnacked = 0;
  #dataStream: H2ClientStream | undefined;
  /** Answer frames handed to the socket and not yet written out (see #answer). */
  #answersQueued = 0;
  #dataFlags = 0;
  #corked = false;
  #connected = false;
  #goingAway = false;
  #dead = false;
  #awaitingPong = false;
  #connectTimer: NodeJS.Timeout | undefined;
  #settingsTimer: NodeJS.Timeout | undefined;
  readonly #settingsAckTimeoutMs: number;
  #keepaliveTimer: NodeJS.Timeout | undefined;
  readonly #readyListeners: ((ok: boolean) => void)[] = [];
  /** Called once when the connection takes no more streams (GOAWAY, failure, close). */
  onGone: (() => void) | undefined;

  constructor(options: H2ClientConnectionOptions) {
    this.#streamWindow = options.streamWindowBytes ?? 1 << 20;
    const connectionWindow = Math.max(options.connectionWindowBytes ?? 16 << 20, DEFAULT_WINDOW_BYTES);
    this.#streamUpdateAt = this.#streamWindow >>> 2;
    this.#connectionUpdateAt = connectionWindow >>> 2;
    this.#queueLimit = options.streamQueueBytes ?? 128 << 10;
    this.#socketHighWater = options.socketHighWaterBytes ?? 1 << 20;
    const maxHeaderList = options.maxHeaderListBytes ?? 65_535;
    this.#decoder = new HpackDecoder(4096, maxHeaderList);
    this.#parser = new FrameParser(this, { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES, maxHeaderBlockBytes: maxHeaderList });

    // Constant request-header prefix: `:method POST`, `:scheme`, `:authority` (RFC 7541 static indexes 3, 6/7, 1).
    const prefix = Buffer.allocUnsafe(16 + options.authority.length);
    let off = writeIndexedField(prefix, 0, 3);
    off = writeIndexedField(prefix, off, options.secure === true ? 7 : 6);
    off = writeLiteralField(prefix, off, ':authority', options.authority);
    this.#requestPrefix = Buffer.from(prefix.subarray(0, off));

    const secure = options.secure === true;
    const socket = secure
      ? tls.connect({
          host: options.host,
          port: options.port,
          ALPNProtocols: ['h2'],
          ...(net.isIP(options.host) === 0 ? { servername: options.host } : {}),
          ...(options.ca === undefined ? {} : { ca: options.ca }),
        })
      : net.connect({ host: options.host, port: options.port, noDelay: true });
    this.#socket = socket;
    // Like node:http2's session.unref(): an idle service connection must not keep the process alive.
    socket.unref();
    socket.on(secure ? 'secureConnect' : 'connect', () => this.#onConnect(secure));
    socket.on('data', (chunk: Buffer) => {
      try {
        this.#parser.push(chunk);
      } catch (error) {
        // A bug in a frame handler must cost this connection's calls, never the daemon (an uncaught exception).
        try {
          this.#connectionError(H2Error.INTERNAL_ERROR, `internal error while reading: ${error instanceof Error ? error.message : String(error)}`);
        } catch {
          socket.destroy();
        }
      }
    });
    socket.on('drain', () => this.#flushBlocked());
    socket.on('error', (error: Error) => this.#fail(H2Error.INTERNAL_ERROR, error));
    socket.on('close', () => this.#fail(H2Error.INTERNAL_ERROR, new Error('the service closed the connection')));
    const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
    if (connectTimeoutMs > 0) {
      this.#connectTimer = setTimeout(() => {
        socket.destroy(Object.assign(new Error(`connect timeout after ${connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, connectTimeoutMs);
      this.#connectTimer.unref();
    }
    this.#settingsAckTimeoutMs = options.settingsAckTimeoutMs ?? 10_000;
    const keepaliveMs = options.keepaliveMs ?? 0;
    if (keepaliveMs > 0) {
      this.#keepaliveTimer = setInterval(() => this.#keepalive(), keepaliveMs);
      this.#keepaliveTimer.unref();
    }

    // Preface, SETTINGS (ENABLE_PUSH 0, INITIAL_WINDOW_SIZE, MAX_HEADER_LIST_SIZE), connection WINDOW_UPDATE.
    const settings = Buffer.allocUnsafe(CLIENT_PREFACE.length + FRAME_HEADER_BYTES + 18 + FRAME_HEADER_BYTES + 4);
    CLIENT_PREFACE.copy(settings, 0);
    let at = CLIENT_PREFACE.length;
    writeFrameHeader(settings, at, 18, FrameType.SETTINGS, 0, 0);
    at += FRAME_HEADER_BYTES;
    settings.writeUInt16BE(SettingId.ENABLE_PUSH, at);
    settings.writeUInt32BE(0, at + 2);
    settings.writeUInt16BE(SettingId.INITIAL_WINDOW_SIZE, at + 6);
    settings.writeUInt32BE(this.#streamWindow, at + 8);
    settings.writeUInt16BE(SettingId.MAX_HEADER_LIST_SIZE, at + 12);
    settings.writeUInt32BE(maxHeaderList, at + 14);
    at += 18;
    if (connectionWindow > DEFAULT_WINDOW_BYTES) {
      writeFrameHeader(settings, at, 4, FrameType.WINDOW_UPDATE, 0, 0);
      settings.writeUInt32BE(connectionWindow - DEFAULT_WINDOW_BYTES, at + FRAME_HEADER_BYTES);
      at += FRAME_HEADER_BYTES + 4;
    }
    this.#write(settings.subarray(0, at));
  }

  /** True while new streams may be opened here. */
  get usable(): boolean {
    return !this.#goingAway && !this.#dead && this.#nextId <= MAX_WINDOW_BYTES;
  }

  /** True once the TCP (and TLS) handshake completed, until the connection failed. */
  get connected(): boolean {
    return this.#connected && !this.#dead;
  }

  /** Open plus waiting streams. */
  get activeStreams(): number {
    return this.#streams.size + this.#waiting.length;
  }

  /**
   * Streams held back by this connection rather than by their own stream window: request DATA waiting for
   * the service's connection window or for socket room, and streams waiting for MAX_CONCURRENT_STREAMS
   * room. 0 with the connection window spent counts as 1: the next body would wait too.
   */
  get backlog(): number {
    const held = this.#blocked.size + this.#waiting.length;
    return held === 0 && this.#sendWindow <= 0 ? 1 : held;
  }

  /** Resolves true once connected, false when the connection failed or `timeoutMs` passed first. */
  whenConnected(timeoutMs: number): Promise<boolean> {
    if (this.#dead) return Promise.resolve(false);
    if (this.#connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#readyListeners.push((ok) => {
        clearTimeout(timer);
        resolve(ok);
      });
    });
  }

  /**
   * Starts a request stream: HEADERS with `:path` and `headerList` (flat `name, value, …`, regular
   * headers only). The stream opens at once or, at the peer's MAX_CONCURRENT_STREAMS, when one closes.
   */
  request(path: string, headerList: readonly string[], events: ClientStreamEvents): H2ClientStream {
    const stream = new H2ClientStream(this, events, this.#queueLimit);
    stream.headerBlock = this.#encodeRequest(path, headerList);
    this.#start(stream);
    return stream;
  }

  /** Opens `stream` now, queues it for MAX_CONCURRENT_STREAMS room, or refuses it when the connection takes no streams. */
  #start(stream: H2ClientStream): void {
    if (!this.usable) {
      stream.closed = true;
      queueMicrotask(() => stream.events.onClose(H2Error.REFUSED_STREAM, new Error('the connection to the service is closing')));
      return;
    }
    if (this.#streams.size < this.#peerMaxStreams) this.#open(stream);
    else this.#waiting.push(stream);
  }

  /**
   * Opens on this connection a stream another connection to the same service refused before the service
   * processed it (`stream.replayable`, closed with REFUSED_STREAM): the same request header block, then the
   * body written so far, then its end if it was ended. Its events go on to the same callbacks. With `path` and
   * `headerList`, a new header block replaces the one it was first sent with (e.g. a smaller grpc-timeout).
   */
  adopt(stream: H2ClientStream, path?: string, headerList?: readonly string[]): void {
    if (path !== undefined && headerList !== undefined) stream.headerBlock = this.#encodeRequest(path, headerList);
    stream.rebind(this);
    this.#start(stream);
  }

  /** Sends GOAWAY(NO_ERROR) and closes the socket; open streams close with CANCEL. */
  close(): Promise<void> {
    if (this.#socket.destroyed) {
      this.#fail(H2Error.CANCEL, new Error('the connection was closed'));
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve());
      if (!this.#dead && this.#connected) this.#sendGoaway(H2Error.NO_ERROR);
      this.#fail(H2Error.CANCEL, new Error('the connection was closed'));
      this.#socket.end();
      // end() waits for the peer's FIN; a peer that keeps the socket open must not hold close().
      setImmediate(() => this.#socket.destroy());
    });
  }

  // --- sending ---

  #write(buf: Buffer): void {
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      setImmediate(this.#uncork);
    }
    this.#socket.write(buf);
  }

  readonly #uncork = (): void => {
    this.#corked = false;
    this.#socket.uncork();
  };

  #frame(type: number, flags: number, streamId: number, payload: Buffer): void {
    const length = payload.length;
    if (length <= COPY_PAYLOAD_BYTES) {
      const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
      writeFrameHeader(frame, 0, length, type, flags, streamId);
      payload.copy(frame, FRAME_HEADER_BYTES);
      this.#write(frame);
    } else {
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      writeFrameHeader(header, 0, length, type, flags, streamId);
      this.#write(header);
      this.#write(payload);
    }
  }

  /** RST_STREAM or WINDOW_UPDATE: a 4-byte payload. */
  #word(type: number, streamId: number, value: number): void {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 4);
    writeFrameHeader(frame, 0, 4, type, 0, streamId);
    frame.writeUInt32BE(value, FRAME_HEADER_BYTES);
    this.#write(frame);
  }

  #sendGoaway(code: number): void {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + 8);
    writeFrameHeader(frame, 0, 8, FrameType.GOAWAY, 0, 0);
    // The last stream id we processed: a client accepts no streams from the server (push is off).
    frame.writeUInt32BE(0, FRAME_HEADER_BYTES);
    frame.writeUInt32BE(code, FRAME_HEADER_BYTES + 4);
    this.#write(frame);
  }

  #encodeRequest(path: string, list: readonly string[]): Buffer {
    let bound = this.#requestPrefix.length + literalFieldBound(':path', path);
    for (let i = 0; i < list.length; i += 2) bound += literalFieldBound(list[i] as string, list[i + 1] as string);
    if (bound > scratch.length) scratch = Buffer.allocUnsafe(bound);
    const buf = scratch;
    let off = this.#requestPrefix.copy(buf, 0);
    off = writeLiteralField(buf, off, ':path', path);
    for (let i = 0; i < list.length; i += 2) off = writeLiteralField(buf, off, list[i] as string, list[i + 1] as string);
    return Buffer.from(buf.subarray(0, off));
  }

  #open(stream: H2ClientStream): void {
    const id = this.#nextId;
    this.#nextId += 2;
    stream.id = id;
    stream.sendWindow = this.#peerInitialWindow;
    this.#streams.set(id, stream);
    // The header block stays with the stream: a refused stream sends it again on another connection.
    const block = stream.headerBlock as Buffer;
    // A request without a body (a stream ended before it opened) still sends HEADERS without
    // END_STREAM: END_STREAM follows as an empty DATA frame, like node:http2 does for gRPC.
    if (block.length <= this.#peerMaxFrame) {
      this.#frame(FrameType.HEADERS, FrameFlag.END_HEADERS, id, block);
    } else {
      for (let pos = 0; pos < block.length; pos += this.#peerMaxFrame) {
        const next = Math.min(block.length, pos + this.#peerMaxFrame);
        const flags = next === block.length ? FrameFlag.END_HEADERS : 0;
        this.#frame(pos === 0 ? FrameType.HEADERS : FrameType.CONTINUATION, flags, id, block.subarray(pos, next));
      }
    }
    if (stream.queue.length > 0 || stream.endQueued) this.#flushStream(stream);
    if (this.#nextId > MAX_WINDOW_BYTES) this.#gone();
  }

  /** @internal StreamOwner */
  sendQueued(stream: H2ClientStream): void {
    if (stream.id !== 0) this.#flushStream(stream);
  }

  /** @internal StreamOwner */
  endStream(stream: H2ClientStream): void {
    if (stream.id !== 0) this.#flushStream(stream);
  }

  /** @internal StreamOwner */
  resetStream(stream: H2ClientStream, code: number): void {
    if (stream.id === 0) {
      const at = this.#waiting.indexOf(stream);
      if (at !== -1) this.#waiting.splice(at, 1);
    } else if (!this.#dead) {
      this.#word(FrameType.RST_STREAM, stream.id, code);
    }
    this.#closeStream(stream, code, undefined);
  }

  /** A stream error of the peer (§5.4.2): RST_STREAM with `code` (an answer); the stream closes with `reason` as its error. */
  #streamError(stream: H2ClientStream, code: number, reason: string): void {
    if (!this.#dead) {
      const payload = Buffer.allocUnsafe(4);
      payload.writeUInt32BE(code, 0);
      this.#answer(FrameType.RST_STREAM, 0, stream.id, payload);
    }
    this.#closeStream(stream, code, Object.assign(new Error(reason), { code: 'ERR_HTTP2_STREAM_ERROR' }));
  }

  /**
   * A frame the service's own frames call for (PING ACK, SETTINGS ACK, RST_STREAM for its errors). At most
   * {@link MAX_QUEUED_ANSWERS} may wait to be written: a service that keeps sending such frames while it does not
   * read fails the connection (ENHANCE_YOUR_CALM) instead of growing the daemon's memory. Returns false then.
   */
  #answer(type: number, flags: number, streamId: number, payload: Buffer): boolean {
    if (this.#answersQueued >= MAX_QUEUED_ANSWERS) {
      this.#connectionError(H2Error.ENHANCE_YOUR_CALM, `more than ${MAX_QUEUED_ANSWERS} control frames to answer while the service does not read`);
      return false;
    }
    this.#answersQueued++;
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
    writeFrameHeader(frame, 0, payload.length, type, flags, streamId);
    payload.copy(frame, FRAME_HEADER_BYTES);
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      setImmediate(this.#uncork);
    }
    this.#socket.write(frame, this.#answerWritten);
    return true;
  }

  readonly #answerWritten = (): void => {
    this.#answersQueued--;
  };

  /** @internal StreamOwner */
  resumeStream(stream: H2ClientStream): void {
    stream.paused = false;
    if (!stream.closed && !stream.remoteEnded && stream.recvUnacked >= this.#streamUpdateAt) {
      this.#word(FrameType.WINDOW_UPDATE, stream.id, stream.recvUnacked);
      stream.recvUnacked = 0;
    }
  }

  /** Sends what the windows, the frame size and the socket allow of the stream's queue, then END_STREAM. */
  #flushStream(stream: H2ClientStream): void {
    const queue = stream.queue;
    while (queue.length > 0) {
      if (this.#socket.writableLength > this.#socketHighWater || this.#sendWindow <= 0) {
        this.#blocked.add(stream);
        return;
      }
      const head = queue[0] as Buffer;
      const n = Math.min(head.length, this.#peerMaxFrame, stream.sendWindow, this.#sendWindow);
      if (n <= 0) return; // stream window: its WINDOW_UPDATE flushes again
      const whole = n === head.length;
      const last = whole && queue.length === 1 && stream.endQueued;
      this.#frame(FrameType.DATA, last ? FrameFlag.END_STREAM : 0, stream.id, whole ? head : head.subarray(0, n));
      stream.sendWindow -= n;
      this.#sendWindow -= n;
      stream.queued -= n;
      if (whole) queue.shift();
      else queue[0] = head.subarray(n);
      if (last) {
        stream.localEnded = true;
        this.#blocked.delete(stream);
        if (stream.remoteEnded) this.#closeStream(stream, H2Error.NO_ERROR, undefined);
        stream.drained();
        return;
      }
    }
    this.#blocked.delete(stream);
    if (stream.endQueued && !stream.localEnded) {
      this.#frame(FrameType.DATA, FrameFlag.END_STREAM, stream.id, EMPTY);
      stream.localEnded = true;
      if (stream.remoteEnded) this.#closeStream(stream, H2Error.NO_ERROR, undefined);
    }
    stream.drained();
  }

  #flushBlocked(): void {
    for (const stream of [...this.#blocked]) {
      this.#flushStream(stream);
      if (this.#sendWindow <= 0 || this.#socket.writableLength > this.#socketHighWater) return;
    }
  }

  #closeStream(stream: H2ClientStream, code: number, error: Error | undefined): void {
    if (stream.closed) return;
    stream.closed = true;
    if (stream.id !== 0) this.#streams.delete(stream.id);
    this.#blocked.delete(stream);
    if (this.#dataStream === stream) this.#dataStream = undefined;
    stream.queue.length = 0;
    stream.queued = 0;
    stream.events.onClose(code, error);
    stream.drained();
    while (this.#waiting.length > 0 && this.#streams.size < this.#peerMaxStreams && !this.#dead) this.#open(this.#waiting.shift() as H2ClientStream);
    if (this.#goingAway && this.#streams.size === 0 && this.#waiting.length === 0 && !this.#dead) this.#socket.end();
  }

  // --- connection state ---

  #onConnect(secure: boolean): void {
    if (secure && (this.#socket as tls.TLSSocket).alpnProtocol !== 'h2') {
      this.#socket.destroy(new Error('the service did not negotiate HTTP/2 (ALPN h2) over TLS'));
      return;
    }
    clearTimeout(this.#connectTimer);
    this.#connected = true;
    const ackTimeoutMs = this.#settingsAckTimeoutMs;
    if (ackTimeoutMs > 0) {
      this.#settingsTimer = setTimeout(() => this.#connectionError(H2Error.SETTINGS_TIMEOUT, `the service did not acknowledge SETTINGS within ${ackTimeoutMs} ms`), ackTimeoutMs);
      this.#settingsTimer.unref();
    }
    for (const listener of this.#readyListeners.splice(0)) listener(true);
  }

  #keepalive(): void {
    if (this.#dead) return;
    if (this.#awaitingPong) {
      this.#connectionError(H2Error.NO_ERROR, 'the service did not answer a keepalive PING');
      return;
    }
    this.#awaitingPong = true;
    this.#frame(FrameType.PING, 0, 0, Buffer.alloc(8));
  }

  #gone(): void {
    const onGone = this.onGone;
    this.onGone = undefined;
    onGone?.();
  }

  /** A connection error (RFC 9113 §5.4.1): GOAWAY with `code`, close, fail every stream. */
  #connectionError(code: number, reason: string): void {
    if (this.#dead) return;
    this.#parser.halt();
    this.#sendGoaway(code);
    this.#fail(code, Object.assign(new Error(`HTTP/2 connection error: ${reason}`), { code: 'ERR_HTTP2_PROTOCOL' }));
    this.#socket.end();
    setImmediate(() => this.#socket.destroy());
  }

  /** Marks the connection dead and closes every stream with `code` and `error`. */
  #fail(code: number, error: Error): void {
    if (this.#dead) return;
    this.#dead = true;
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#settingsTimer);
    clearInterval(this.#keepaliveTimer);
    for (const listener of this.#readyListeners.splice(0)) listener(false);
    this.#gone();
    const streams = [...this.#waiting, ...this.#streams.values()];
    this.#waiting.length = 0;
    for (const stream of streams) this.#closeStream(stream, code, error);
  }

  // --- FrameHandler: what the parser found ---

  /** @internal */
  onConnectionError(code: number, reason: string): void {
    this.#connectionError(code, reason);
  }

  /** @internal */
  onDataStart(streamId: number, frameBytes: number, flags: number): void {
    this.#dataFlags = flags;
    this.#dataStream = undefined;
    // The connection window is returned in batches whatever the stream does with the bytes.
    this.#recvUnacked += frameBytes;
    if (this.#recvUnacked >= this.#connectionUpdateAt) {
      this.#word(FrameType.WINDOW_UPDATE, 0, this.#recvUnacked);
      this.#recvUnacked = 0;
    }
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId >= this.#nextId || (streamId & 1) === 0) this.#connectionError(H2Error.PROTOCOL_ERROR, `DATA on idle stream ${streamId}`);
      return; // a stream we closed: its late frames are dropped (§5.1)
    }
    if (stream.remoteEnded) {
      this.#streamError(stream, H2Error.STREAM_CLOSED, 'the service sent DATA after the end of its stream');
      return;
    }
    stream.recvUnacked += frameBytes;
    if (stream.recvUnacked > this.#streamWindow) {
      this.#streamError(stream, H2Error.FLOW_CONTROL_ERROR, 'the service overran the stream window');
      return;
    }
    if (!stream.headersSeen) {
      this.#streamError(stream, H2Error.PROTOCOL_ERROR, 'the service sent DATA before its response headers');
      return;
    }
    this.#dataStream = stream;
    if (!stream.paused && (flags & FrameFlag.END_STREAM) === 0 && stream.recvUnacked >= this.#streamUpdateAt) {
      this.#word(FrameType.WINDOW_UPDATE, streamId, stream.recvUnacked);
      stream.recvUnacked = 0;
    }
  }

  /** @internal */
  onData(chunk: Buffer): void {
    const stream = this.#dataStream;
    if (stream === undefined || stream.closed) return;
    stream.dataBytes += chunk.length;
    if (stream.contentLength >= 0 && stream.dataBytes > stream.contentLength) {
      this.#streamError(stream, H2Error.PROTOCOL_ERROR, `the service sent more DATA than its content-length of ${stream.contentLength}`);
      return;
    }
    stream.events.onData(chunk);
  }

  /** @internal */
  onDataEnd(): void {
    const stream = this.#dataStream;
    this.#dataStream = undefined;
    if (stream === undefined || stream.closed || (this.#dataFlags & FrameFlag.END_STREAM) === 0) return;
    if (this.#shortOfContentLength(stream)) return;
    this.#remoteEnd(stream);
  }

  /** At the end of the stream: DATA below the response's content-length is a stream error (§8.1.1); true then. */
  #shortOfContentLength(stream: H2ClientStream): boolean {
    if (stream.contentLength < 0 || stream.dataBytes === stream.contentLength) return false;
    this.#streamError(stream, H2Error.PROTOCOL_ERROR, `the service ended its stream after ${stream.dataBytes} of the ${stream.contentLength} bytes of its content-length`);
    return true;
  }

  #remoteEnd(stream: H2ClientStream): void {
    stream.remoteEnded = true;
    stream.events.onEnd();
    if (stream.localEnded) this.#closeStream(stream, H2Error.NO_ERROR, undefined);
  }

  /** @internal */
  onHeaderBlock(streamId: number, flags: number, block: Buffer): void {
    const list: string[] = [];
    const failure = this.#decoder.decode(block, 0, block.length, list);
    if (failure === 'compression') {
      this.#connectionError(H2Error.COMPRESSION_ERROR, 'invalid HPACK header block');
      return;
    }
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId >= this.#nextId || (streamId & 1) === 0) this.#connectionError(H2Error.PROTOCOL_ERROR, `HEADERS on idle stream ${streamId}`);
      return;
    }
    if (failure === 'too-large') {
      this.#streamError(stream, H2Error.ENHANCE_YOUR_CALM, 'the service sent a header list above the limit');
      return;
    }
    const endStream = (flags & FrameFlag.END_STREAM) !== 0;
    if (stream.remoteEnded) {
      this.#streamError(stream, H2Error.STREAM_CLOSED, 'the service sent HEADERS after the end of its stream');
      return;
    }
    const invalid = checkResponseFields(list, stream.headersSeen);
    if (invalid !== undefined) {
      this.#streamError(stream, H2Error.PROTOCOL_ERROR, `the service sent an invalid ${stream.headersSeen ? 'trailer' : 'response header'}: ${invalid}`);
      return;
    }
    if (!stream.headersSeen) {
      // The service processes the request: it is not sent again elsewhere.
      if (stream.replayable) stream.noReplay();
      // Interim 1xx responses (§8.1) are skipped; gRPC services do not send them.
      if ((list[1] as string).charCodeAt(0) === 49 && !endStream) return;
      stream.headersSeen = true;
      stream.contentLength = contentLengthOf(list);
      if (stream.contentLength === -2) {
        this.#streamError(stream, H2Error.PROTOCOL_ERROR, 'the service sent an invalid response header: a content-length that is not one decimal number');
        return;
      }
    } else if (!endStream) {
      // Trailers must end the stream (§8.1).
      this.#streamError(stream, H2Error.PROTOCOL_ERROR, 'the service sent trailers without END_STREAM');
      return;
    }
    if (endStream && this.#shortOfContentLength(stream)) return;
    stream.events.onHeaders(list, endStream);
    if (endStream && !stream.closed) this.#remoteEnd(stream);
  }

  /** @internal */
  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    switch (type) {
      case FrameType.RST_STREAM: {
        if (streamId === 0) return this.#connectionError(H2Error.PROTOCOL_ERROR, 'RST_STREAM on stream 0');
        if (payload.length !== 4) return this.#connectionError(H2Error.FRAME_SIZE_ERROR, 'RST_STREAM payload is not 4 bytes');
        const stream = this.#streams.get(streamId);
        if (stream === undefined) {
          if (streamId >= this.#nextId) this.#connectionError(H2Error.PROTOCOL_ERROR, `RST_STREAM on idle stream ${streamId}`);
          return;
        }
        this.#closeStream(stream, payload.readUInt32BE(0), undefined);
        return;
      }
      case FrameType.SETTINGS:
        return this.#settings(flags, streamId, payload);
      case FrameType.PING: {
        if (streamId !== 0) return this.#connectionError(H2Error.PROTOCOL_ERROR, 'PING on a stream');
        if (payload.length !== 8) return this.#connectionError(H2Error.FRAME_SIZE_ERROR, 'PING payload is not 8 bytes');
        if ((flags & FrameFlag.ACK) !== 0) this.#awaitingPong = false;
        else this.#answer(FrameType.PING, FrameFlag.ACK, 0, payload);
        return;
      }
      case FrameType.GOAWAY: {
        if (streamId !== 0) return this.#connectionError(H2Error.PROTOCOL_ERROR, 'GOAWAY on a stream');
        if (payload.length < 8) return this.#connectionError(H2Error.FRAME_SIZE_ERROR, 'GOAWAY payload is shorter than 8 bytes');
        return this.#goaway(payload.readUInt32BE(0) & 0x7fff_ffff, payload.readUInt32BE(4));
      }
      case FrameType.WINDOW_UPDATE:
        return this.#windowUpdate(streamId, payload);
      case FrameType.PUSH_PROMISE:
        // We sent ENABLE_PUSH 0 (§6.6).
        return this.#connectionError(H2Error.PROTOCOL_ERROR, 'PUSH_PROMISE with push disabled');
      default:
      // PRIORITY (deprecated, §5.3.2) and unknown frame types (§4.1) are ignored.
    }
  }

  #settings(flags: number, streamId: number, payload: Buffer): void {
    if (streamId !== 0) return this.#connectionError(H2Error.PROTOCOL_ERROR, 'SETTINGS on a stream');
    if ((flags & FrameFlag.ACK) !== 0) {
      if (payload.length !== 0) return this.#connectionError(H2Error.FRAME_SIZE_ERROR, 'SETTINGS ACK with a payload');
      // We send SETTINGS once, at the start: any ACK is its ACK.
      clearTimeout(this.#settingsTimer);
      this.#settingsTimer = undefined;
      return;
    }
    if (payload.length % 6 !== 0) return this.#connectionError(H2Error.FRAME_SIZE_ERROR, 'SETTINGS payload is not a multiple of 6');
    for (let i = 0; i < payload.length; i += 6) {
      const id = payload.readUInt16BE(i);
      const value = payload.readUInt32BE(i + 2);
      switch (id) {
        case SettingId.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW_BYTES) return this.#connectionError(H2Error.FLOW_CONTROL_ERROR, 'INITIAL_WINDOW_SIZE above 2^31-1');
          const delta = value - this.#peerInitialWindow;
          this.#peerInitialWindow = value;
          // §6.9.2: the change applies to every open stream's window.
          for (const stream of this.#streams.values()) {
            stream.sendWindow += delta;
            if (stream.sendWindow > MAX_WINDOW_BYTES) return this.#connectionError(H2Error.FLOW_CONTROL_ERROR, 'a stream window passed 2^31-1');
          }
          break;
        }
        case SettingId.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME_BYTES || value > MAX_ALLOWED_FRAME_BYTES) return this.#connectionError(H2Error.PROTOCOL_ERROR, 'MAX_FRAME_SIZE out of range');
          this.#peerMaxFrame = value;
          break;
        case SettingId.MAX_CONCURRENT_STREAMS:
          this.#peerMaxStreams = value;
          break;
        case SettingId.ENABLE_PUSH:
          if (value > 1) return this.#connectionError(H2Error.PROTOCOL_ERROR, 'ENABLE_PUSH is not 0 or 1');
          break;
        default:
        // HEADER_TABLE_SIZE: our encoder never uses the dynamic table. MAX_HEADER_LIST_SIZE: advisory. Unknown: ignored (§6.5.2).
      }
    }
    if (!this.#answer(FrameType.SETTINGS, FrameFlag.ACK, 0, EMPTY)) return;
    while (this.#waiting.length > 0 && this.#streams.size < this.#peerMaxStreams) this.#open(this.#waiting.shift() as H2ClientStream);
    for (const stream of [...this.#streams.values()]) if (stream.queue.length > 0 || (stream.endQueued && !stream.localEnded)) this.#flushStream(stream);
  }

  #windowUpdate(streamId: number, payload: Buffer): void {
    if (payload.length !== 4) return this.#connectionError(H2Error.FRAME_SIZE_ERROR, 'WINDOW_UPDATE payload is not 4 bytes');
    const increment = payload.readUInt32BE(0) & 0x7fff_ffff;
    if (streamId === 0) {
      if (increment === 0) return this.#connectionError(H2Error.PROTOCOL_ERROR, 'WINDOW_UPDATE of 0');
      this.#sendWindow += increment;
      if (this.#sendWindow > MAX_WINDOW_BYTES) return this.#connectionError(H2Error.FLOW_CONTROL_ERROR, 'connection window passed 2^31-1');
      this.#flushBlocked();
      return;
    }
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId >= this.#nextId) this.#connectionError(H2Error.PROTOCOL_ERROR, `WINDOW_UPDATE on idle stream ${streamId}`);
      return;
    }
    if (increment === 0) return this.#streamError(stream, H2Error.PROTOCOL_ERROR, 'the service sent a stream WINDOW_UPDATE of 0');
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW_BYTES) return this.#streamError(stream, H2Error.FLOW_CONTROL_ERROR, 'the service passed the stream window over 2^31-1');
    if (stream.queue.length > 0) this.#flushStream(stream);
  }

  #goaway(lastStreamId: number, code: number): void {
    this.#goingAway = true;
    this.#gone();
    // Streams the server never processed are refused: safe to retry elsewhere (§6.8).
    const refused = [...this.#waiting];
    this.#waiting.length = 0;
    for (const stream of this.#streams.values()) if (stream.id > lastStreamId) refused.push(stream);
    const error = Object.assign(new Error(`the service sent GOAWAY (HTTP/2 code ${code})`), { code: 'ERR_HTTP2_GOAWAY_SESSION' });
    for (const stream of refused) {
      if (stream.id !== 0 && !this.#dead) this.#word(FrameType.RST_STREAM, stream.id, H2Error.CANCEL);
      this.#closeStream(stream, H2Error.REFUSED_STREAM, error);
    }
    if (this.#streams.size === 0) this.#socket.end();
  }
}
