/**
 * A scripted HTTP/2 server for tests of the client connection: it accepts TCP connections on
 * 127.0.0.1, skips the client preface, records every frame the client sends (with the index of its
 * connection), and sends whatever frames a test tells it to on the latest connection (or a given one).
 * It does no HTTP/2 on its own (no SETTINGS ACK, no flow control).
 * Test-only: production code never imports `testing/`.
 */
import net from 'node:net';
import { once } from 'node:events';
import { FrameParser } from '../frame-parser.ts';
import { CLIENT_PREFACE, FrameType, writeFrameHeader } from '../frame-constants.ts';
import { HpackDecoder } from '../hpack-decoder.ts';
import { writeIndexedField, writeLiteralField } from '../hpack-encoder.ts';

export interface SeenFrame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
  /** Decoded header list for HEADERS. */
  readonly headers?: string[];
  /** Index of the connection it came on (0 = the first accepted). */
  readonly connection: number;
}

export class RawH2Peer {
  readonly server: net.Server;
  readonly frames: SeenFrame[] = [];
  /** The latest accepted connection. */
  socket: net.Socket | undefined;
  /** Every accepted connection, in order. */
  readonly sockets: net.Socket[] = [];
  #waiters: { match: (frame: SeenFrame) => boolean; from: number; resolve: (frame: SeenFrame) => void }[] = [];
  #connected: ((socket: net.Socket) => void)[] = [];

  private constructor(server: net.Server) {
    this.server = server;
  }

  static async start(): Promise<RawH2Peer> {
    const server = net.createServer();
    const peer = new RawH2Peer(server);
    server.on('connection', (socket) => peer.#accept(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return peer;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  #accept(socket: net.Socket): void {
    this.socket = socket;
    const connection = this.sockets.push(socket) - 1;
    socket.on('error', () => {});
    const decoder = new HpackDecoder();
    let prefaceLeft = CLIENT_PREFACE.length;
    let dataParts: Buffer[] = [];
    let dataHead: { streamId: number; flags: number } = { streamId: 0, flags: 0 };
    const parser = new FrameParser({
      onDataStart: (streamId, _bytes, flags) => {
        dataHead = { streamId, flags };
        dataParts = [];
      },
      onData: (chunk) => dataParts.push(Buffer.from(chunk)),
      onDataEnd: () => this.#seen({ type: FrameType.DATA, flags: dataHead.flags, streamId: dataHead.streamId, payload: Buffer.concat(dataParts), connection }),
      onHeaderBlock: (streamId, flags, block) => {
        const headers: string[] = [];
        decoder.decode(block, 0, block.length, headers);
        this.#seen({ type: FrameType.HEADERS, flags, streamId, payload: Buffer.from(block), headers, connection });
      },
      onFrame: (type, flags, streamId, payload) => this.#seen({ type, flags, streamId, payload: Buffer.from(payload), connection }),
      onConnectionError: (code, reason) => {
        throw new Error(`client sent a bad frame: ${code} ${reason}`);
      },
    });
    socket.on('data', (chunk: Buffer) => {
      let rest = chunk;
      if (prefaceLeft > 0) {
        const n = Math.min(prefaceLeft, rest.length);
        prefaceLeft -= n;
        rest = rest.subarray(n);
      }
      if (rest.length > 0) parser.push(rest);
    });
    for (const listener of this.#connected.splice(0)) listener(socket);
  }

  /** Resolves with the accepted socket. */
  connection(): Promise<net.Socket> {
    if (this.socket !== undefined) return Promise.resolve(this.socket);
    return new Promise((resolve) => this.#connected.push(resolve));
  }

  /** Resolves with the connection of that index (0 = the first) once it was accepted. */
  async nthConnection(index: number): Promise<net.Socket> {
    while (this.sockets.length <= index) await new Promise<net.Socket>((resolve) => this.#connected.push(resolve));
    return this.sockets[index] as net.Socket;
  }

  #seen(frame: SeenFrame): void {
    this.frames.push(frame);
    const index = this.frames.length - 1;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (index < waiter.from || !waiter.match(frame)) return true;
      waiter.resolve(frame);
      return false;
    });
  }

  /** The first frame (at or after index `from` of {@link frames}) that matches. */
  waitFor(match: (frame: SeenFrame) => boolean, from = 0): Promise<SeenFrame> {
    for (let i = from; i < this.frames.length; i++) if (match(this.frames[i] as SeenFrame)) return Promise.resolve(this.frames[i] as SeenFrame);
    return new Promise((resolve) => this.#waiters.push({ match, from, resolve }));
  }

  /** A frame on the latest connection, or on `socket`. */
  send(type: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0), socket = this.socket): void {
    const frame = Buffer.alloc(9 + payload.length);
    writeFrameHeader(frame, 0, payload.length, type, flags, streamId);
    payload.copy(frame, 9);
    (socket as net.Socket).write(frame);
  }

  /** Raw bytes, e.g. a deliberately malformed frame. */
  sendRaw(bytes: Buffer): void {
    (this.socket as net.Socket).write(bytes);
  }

  /** A header block with `:status` (indexed when 200) and literal fields. */
  static headerBlock(status: string | undefined, list: readonly string[]): Buffer {
    const buf = Buffer.alloc(4096);
    let off = 0;
    if (status === '200') off = writeIndexedField(buf, off, 8);
    else if (status !== undefined) off = writeLiteralField(buf, off, ':status', status);
    for (let i = 0; i < list.length; i += 2) off = writeLiteralField(buf, off, list[i] as string, list[i + 1] as string);
    return Buffer.from(buf.subarray(0, off));
  }

  /** PING the client and wait for its ACK: everything the client sent before the ACK has arrived. */
  async roundTrip(): Promise<void> {
    const tag = Buffer.alloc(8);
    tag.writeDoubleBE(Math.random());
    const from = this.frames.length;
    this.send(FrameType.PING, 0, 0, tag);
    await this.waitFor((f) => f.type === FrameType.PING && (f.flags & 1) === 1 && f.payload.equals(tag), from);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
