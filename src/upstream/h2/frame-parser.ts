import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, FrameFlag, FrameType, H2Error } from './frame-constants.ts';

/** What the parser hands on. DATA is streamed: one `onDataStart`, zero or more `onData`, one `onDataEnd`. */
export interface FrameHandler {
  /**
   * A DATA frame begins. `frameBytes` is the whole payload length including padding (what flow
   * control counts, RFC 9113 §6.9.1); the unpadded payload follows through `onData`.
   */
  onDataStart(streamId: number, frameBytes: number, flags: number): void;
  /**
   * Part of a DATA payload: a view into the pushed chunk (no copy). The parser never writes into a pushed chunk
   * or a buffer it handed out, so the view stays intact as long as the caller does not reuse the chunks it pushes.
   */
  onData(chunk: Buffer): void;
  onDataEnd(): void;
  /** A complete header block (HEADERS + CONTINUATION joined, padding and priority removed). */
  onHeaderBlock(streamId: number, flags: number, block: Buffer): void;
  /** Any other frame, whole; `payload` is a view valid only during the call. Unknown types are dropped. */
  onFrame(type: number, flags: number, streamId: number, payload: Buffer): void;
  /** A connection error (RFC 9113 §5.4.1): the parser stops; the connection must send GOAWAY and close. */
  onConnectionError(code: number, reason: string): void;
}

/** Limits of {@link FrameParser}. */
export interface FrameParserLimits {
  /** SETTINGS_MAX_FRAME_SIZE we advertised. @default 16384 */
  readonly maxFrameBytes?: number;
  /** Largest header block (compressed) across HEADERS + CONTINUATION. @default 65535 */
  readonly maxHeaderBlockBytes?: number;
  /** Most CONTINUATION frames after one HEADERS (CONTINUATION flood, CVE-2024-27316 family). @default 64 */
  readonly maxContinuationFrames?: number;
}

/**
 * Incremental HTTP/2 frame parser (RFC 9113 §4): takes socket chunks of any size (a frame split
 * across chunks, several frames in one chunk). DATA payloads stream through as views of the chunk;
 * only a partial frame header or a partial non-DATA frame is copied. Checks frame sizes, padding,
 * and that a header block is not interleaved with other frames (§6.10).
 */
export class FrameParser {
  readonly #handler: FrameHandler;
  readonly #maxFrameBytes: number;
  readonly #maxHeaderBlockBytes: number;
  readonly #maxContinuations: number;
  /** Bytes of an incomplete frame header, or of an incomplete non-streamed frame. */
  #pending: Buffer | undefined;
  /** Unpadded DATA payload bytes still to stream. */
  #dataLeft = 0;
  #headerParts: Buffer[] | undefined;
  #headerStream = 0;
  #headerFlags = 0;
  #headerBytes = 0;
  #continuations = 0;
  #failed = false;

  constructor(handler: FrameHandler, limits: FrameParserLimits = {}) {
    this.#handler = handler;
    this.#maxFrameBytes = limits.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#maxHeaderBlockBytes = limits.maxHeaderBlockBytes ?? 65_535;
    this.#maxContinuations = limits.maxContinuationFrames ?? 64;
  }

  /** True once a connection error was reported; later chunks are ignored. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Stops parsing (the connection failed for a reason of its own); later chunks are ignored. */
  halt(): void {
    this.#failed = true;
    this.#pending = undefined;
  }

  /** Feeds one received chunk. */
  push(input: Buffer): void {
    if (this.#failed) return;
    let chunk = input;
    if (this.#pending !== undefined) {
      // Complete the pending frame with as few bytes of the chunk as needed; the rest is parsed in place.
      let pending = this.#pending;
      for (;;) {
        const need = this.#bytesNeeded(pending);
        if (pending.length >= need) break;
        const take = Math.min(need - pending.length, chunk.length);
        if (take === 0) {
          this.#pending = pending;
          return;
        }
        pending = Buffer.concat([pending, chunk.subarray(0, take)]);
        chunk = chunk.subarray(take);
      }
      this.#pending = undefined;
      const used = this.#parse(pending);
      if (this.#failed) return;
      // A pending unpadded DATA header starts streaming: the payload is in `chunk`.
      if (used < pending.length) this.#pending = Buffer.from(pending.subarray(used));
      if (chunk.length === 0) return;
    }
    const used = this.#parse(chunk);
    if (!this.#failed && used < chunk.length) this.#pending = Buffer.from(chunk.subarray(used));
  }

  /** How many bytes `pending` must hold before it can be parsed: a header, or a whole buffered frame. */
  #bytesNeeded(pending: Buffer): number {
    if (pending.length < FRAME_HEADER_BYTES) return FRAME_HEADER_BYTES;
    const type = pending[3] as number;
    const flags = pending[4] as number;
    if (type === FrameType.DATA && (flags & FrameFlag.PADDED) === 0) return FRAME_HEADER_BYTES;
    return FRAME_HEADER_BYTES + (((pending[0] as number) << 16) | ((pending[1] as number) << 8) | (pending[2] as number));
  }

  /** Parses whole frames from `buf`; returns the offset of the first byte it could not use yet. */
  #parse(buf: Buffer): number {
    let pos = 0;
    const end = buf.length;
    while (pos < end && !this.#failed) {
      if (this.#dataLeft > 0) {
        const n = Math.min(this.#dataLeft, end - pos);
        this.#dataLeft -= n;
        this.#handler.onData(buf.subarray(pos, pos + n));
        pos += n;
        if (this.#dataLeft === 0 && !this.#failed) this.#handler.onDataEnd();
        continue;
      }
      if (end - pos < FRAME_HEADER_BYTES) break;
      const length = ((buf[pos] as number) << 16) | ((buf[pos + 1] as number) << 8) | (buf[pos + 2] as number);
      const type = buf[pos + 3] as number;
      const flags = buf[pos + 4] as number;
      const streamId = buf.readUInt32BE(pos + 5) & 0x7fff_ffff;
      if (length > this.#maxFrameBytes) {
        this.#fail(H2Error.FRAME_SIZE_ERROR, `frame of ${length} bytes exceeds the advertised maximum ${this.#maxFrameBytes}`);
        break;
      }
      if (this.#headerParts !== undefined && type !== FrameType.CONTINUATION) {
        this.#fail(H2Error.PROTOCOL_ERROR, 'a frame interleaved a header block');
        break;
      }
      if (type === FrameType.DATA && (flags & FrameFlag.PADDED) === 0) {
        if (streamId === 0) {
          this.#fail(H2Error.PROTOCOL_ERROR, 'DATA on stream 0');
          break;
        }
        pos += FRAME_HEADER_BYTES;
        this.#dataLeft = length;
        this.#handler.onDataStart(streamId, length, flags);
        if (length === 0 && !this.#failed) this.#handler.onDataEnd();
        continue;
      }
      if (end - pos < FRAME_HEADER_BYTES + length) break;
      const start = pos + FRAME_HEADER_BYTES;
      pos = start + length;
      this.#frame(type, flags, streamId, buf.subarray(start, pos));
    }
    return pos;
  }

  #frame(type: number, flags: number, streamId: number, payload: Buffer): void {
    switch (type) {
      case FrameType.DATA: {
        // Padded DATA arrives whole (§6.1).
        if (streamId === 0) return this.#fail(H2Error.PROTOCOL_ERROR, 'DATA on stream 0');
        const padding = payload.length === 0 ? -1 : (payload[0] as number);
        if (padding < 0 || padding >= payload.length) return this.#fail(H2Error.PROTOCOL_ERROR, 'DATA padding exceeds the frame');
        this.#handler.onDataStart(streamId, payload.length, flags);
        if (this.#failed) return;
        const body = payload.subarray(1, payload.length - padding);
        if (body.length > 0) this.#handler.onData(body);
        if (!this.#failed) this.#handler.onDataEnd();
        return;
      }
      case FrameType.HEADERS: {
        if (streamId === 0) return this.#fail(H2Error.PROTOCOL_ERROR, 'HEADERS on stream 0');
        let start = 0;
        let stop = payload.length;
        if ((flags & FrameFlag.PADDED) !== 0) {
          if (payload.length === 0) return this.#fail(H2Error.PROTOCOL_ERROR, 'HEADERS padding exceeds the frame');
          stop -= payload[0] as number;
          start = 1;
        }
        if ((flags & FrameFlag.PRIORITY) !== 0) start += 5;
        if (start > stop) return this.#fail(H2Error.PROTOCOL_ERROR, 'HEADERS padding exceeds the frame');
        const block = payload.subarray(start, stop);
        if ((flags & FrameFlag.END_HEADERS) !== 0) return this.#handler.onHeaderBlock(streamId, flags, block);
        this.#headerParts = [Buffer.from(block)];
        this.#headerStream = streamId;
        this.#headerFlags = flags;
        this.#headerBytes = block.length;
        this.#continuations = 0;
        if (this.#headerBytes > this.#maxHeaderBlockBytes) this.#fail(H2Error.ENHANCE_YOUR_CALM, 'header block too large');
        return;
      }
      case FrameType.CONTINUATION: {
        const parts = this.#headerParts;
        if (parts === undefined || streamId !== this.#headerStream) return this.#fail(H2Error.PROTOCOL_ERROR, 'CONTINUATION without an open header block');
        this.#headerBytes += payload.length;
        if (++this.#continuations > this.#maxContinuations || this.#headerBytes > this.#maxHeaderBlockBytes) {
          return this.#fail(H2Error.ENHANCE_YOUR_CALM, 'header block too large or split into too many CONTINUATION frames');
        }
        parts.push(Buffer.from(payload));
        if ((flags & FrameFlag.END_HEADERS) === 0) return;
        this.#headerParts = undefined;
        return this.#handler.onHeaderBlock(streamId, this.#headerFlags, Buffer.concat(parts, this.#headerBytes));
      }
      default:
        this.#handler.onFrame(type, flags, streamId, payload);
    }
  }

  #fail(code: number, reason: string): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#pending = undefined;
    this.#handler.onConnectionError(code, reason);
  }
}
