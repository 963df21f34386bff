import { SnetError } from '../../errors/index.ts';

/**
 * The gRPC length-prefixed message ("envelope"): 1 flag byte, a 4-byte big-endian length, then
 * the message. Flag bit 0 = compressed with the call's `grpc-encoding`; flag 0x80 marks the
 * gRPC-Web trailer frame (gRPC PROTOCOL-HTTP2.md, PROTOCOL-WEB.md).
 */
export interface Envelope {
  readonly flags: number;
  readonly data: Uint8Array;
}

/** Flag bit: the message is compressed. */
export const flagCompressed = 0x01;
/** Flag bit: gRPC-Web trailers frame. */
export const flagTrailers = 0x80;
/** Size of the envelope prefix, in bytes. */
export const envelopePrefixBytes = 5;

type Result<T> = { ok: true; value: T } | { ok: false; error: SnetError };

/** The 5-byte prefix for a message of `length` bytes. */
export function encodeEnvelopePrefix(flags: number, length: number): Buffer {
  const prefix = Buffer.allocUnsafe(envelopePrefixBytes);
  prefix[0] = flags;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

/** A whole envelope in one buffer (one copy of `data`; hot paths write prefix and data separately). */
export function encodeEnvelope(flags: number, data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(envelopePrefixBytes + data.byteLength);
  out[0] = flags;
  out.writeUInt32BE(data.byteLength, 1);
  out.set(data, envelopePrefixBytes);
  return out;
}

/** What a frame may carry, checked as the prefix arrives. */
export interface FrameRules {
  /** Largest message accepted, in bytes (max_message_size_in_mb). */
  readonly maxMessageBytes: number;
  /** True when the call declared a `grpc-encoding`, so the compressed flag is allowed. */
  readonly compressionDeclared: boolean;
  /** Which side sends the frames; names the error ("request" / "response"). */
  readonly direction: 'request' | 'response';
}

function checkPrefix(flags: number, length: number, rules: FrameRules): SnetError | undefined {
  if (length > rules.maxMessageBytes) {
    return new SnetError('REQUEST_TOO_LARGE', `${rules.direction} message of ${length} bytes is larger than the limit of ${rules.maxMessageBytes} bytes`, {
      hint: 'Send smaller messages or raise max_message_size_in_mb.',
      details: { length, limit: rules.maxMessageBytes },
    });
  }
  if ((flags & ~flagCompressed) !== 0) {
    return new SnetError('REQUEST_MALFORMED', `${rules.direction} frame has unknown flags 0x${flags.toString(16)}`);
  }
  if ((flags & flagCompressed) !== 0 && !rules.compressionDeclared) {
    return new SnetError('REQUEST_MALFORMED', `${rules.direction} message is marked compressed but no grpc-encoding was declared`);
  }
  return undefined;
}

/**
 * Watches frame boundaries in a byte stream that is forwarded as is, without buffering or copying
 * it: only the 5-byte prefixes are read, to enforce {@link FrameRules} before a large message is
 * passed on. `scan` returns an error at the first bad prefix; `end` reports a truncated frame.
 */
export interface FrameScanner {
  scan(chunk: Uint8Array): SnetError | undefined;
  end(): SnetError | undefined;
}

/** Creates a {@link FrameScanner}. */
export function createFrameScanner(rules: FrameRules): FrameScanner {
  return new FrameScannerImpl(rules);
}

class FrameScannerImpl implements FrameScanner {
  readonly #rules: FrameRules;
  /** Prefix bytes seen of the frame being read (0–4), its flags and its length so far. */
  #prefixFill = 0;
  #flags = 0;
  #length = 0;
  #payloadLeft = 0;

  constructor(rules: FrameRules) {
    this.#rules = rules;
  }

  scan(chunk: Uint8Array): SnetError | undefined {
    const length = chunk.byteLength;
    let i = 0;
    while (i < length) {
      if (this.#payloadLeft > 0) {
        const take = Math.min(this.#payloadLeft, length - i);
        this.#payloadLeft -= take;
        i += take;
        continue;
      }
      const byte = chunk[i++] as number;
      if (this.#prefixFill === 0) {
        this.#flags = byte;
        this.#length = 0;
      } else {
        // Multiplication, not shifts: a length ≥ 2^31 stays positive.
        this.#length = this.#length * 256 + byte;
      }
      if (++this.#prefixFill === envelopePrefixBytes) {
        this.#prefixFill = 0;
        const error = checkPrefix(this.#flags, this.#length, this.#rules);
        if (error !== undefined) return error;
        this.#payloadLeft = this.#length;
      }
    }
    return undefined;
  }

  end(): SnetError | undefined {
    if (this.#prefixFill === 0 && this.#payloadLeft === 0) return undefined;
    return new SnetError('REQUEST_MALFORMED', `${this.#rules.direction} ended in the middle of a message frame (truncated body)`);
  }
}

/**
 * Splits a byte stream into whole envelopes, buffered across chunks (connect-es `envelope.ts`
 * idea). The declared length is checked against the limit before anything is buffered for it.
 * A message inside one chunk is returned as a view into that chunk (no copy).
 */
export interface EnvelopeDecoder {
  /** Feeds bytes; returns the envelopes completed by them, or the first rule violation. */
  push(chunk: Uint8Array): Result<Envelope[]>;
  /** Call at end of input; an error when a frame is incomplete. */
  end(): Result<void>;
}

/** Creates an {@link EnvelopeDecoder}. */
export function createEnvelopeDecoder(rules: FrameRules): EnvelopeDecoder {
  return new EnvelopeDecoderImpl(rules);
}

class EnvelopeDecoderImpl implements EnvelopeDecoder {
  readonly #rules: FrameRules;
  #pending: Uint8Array = new Uint8Array(0);

  constructor(rules: FrameRules) {
    this.#rules = rules;
  }

  push(chunk: Uint8Array): Result<Envelope[]> {
    let buffer = this.#pending.byteLength === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const out: Envelope[] = [];
    while (buffer.byteLength >= envelopePrefixBytes) {
      const flags = buffer[0] as number;
      const length = ((((buffer[1] as number) << 24) >>> 0) + ((buffer[2] as number) << 16) + ((buffer[3] as number) << 8) + (buffer[4] as number));
      const error = checkPrefix(flags, length, this.#rules);
      if (error !== undefined) return { ok: false, error };
      if (buffer.byteLength < envelopePrefixBytes + length) break;
      out.push({ flags, data: buffer.subarray(envelopePrefixBytes, envelopePrefixBytes + length) });
      buffer = buffer.subarray(envelopePrefixBytes + length);
    }
    this.#pending = buffer;
    return { ok: true, value: out };
  }

  end(): Result<void> {
    if (this.#pending.byteLength === 0) return { ok: true, value: undefined };
    return {
      ok: false,
      error: new SnetError('REQUEST_MALFORMED', `${this.#rules.direction} ended in the middle of a message frame (truncated body)`),
    };
  }
}
