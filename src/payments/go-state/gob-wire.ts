import { SnetError } from '../../errors/index.ts';

// The primitive encodings of Go's encoding/gob (Go `encoding/gob/doc.go`, "Encoding details"): unsigned
// integers in a self-delimiting form, signed integers folded onto them, byte counts before strings and
// byte slices. Everything above (messages, type definitions, structs) is built from these.

/** Thrown for any byte sequence that is not a gob stream this codec understands (STORAGE_GO_FORMAT_INVALID). */
export function gobError(detail: string): SnetError {
  return new SnetError('STORAGE_GO_FORMAT_INVALID', `gob value is unreadable: ${detail}`, {
    hint: 'The key does not hold a value written by the Go daemon (escrow storage, encoding/gob); inspect it with etcdctl.',
  });
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();

/** Reads gob primitives from `bytes`; every read is bounds-checked and throws {@link gobError}. */
export class GobReader {
  readonly bytes: Uint8Array;
  offset: number;
  /** Reads stop here (the end of the current message). */
  limit: number;

  constructor(bytes: Uint8Array, offset = 0, limit = bytes.length) {
    this.bytes = bytes;
    this.offset = offset;
    this.limit = limit;
  }

  get remaining(): number {
    return this.limit - this.offset;
  }

  private byte(): number {
    if (this.offset >= this.limit) throw gobError(`unexpected end of data at byte ${this.offset}`);
    return this.bytes[this.offset++] as number;
  }

  /** A gob unsigned integer (up to 2^64 − 1). */
  uintBig(): bigint {
    const first = this.byte();
    if (first < 0x80) return BigInt(first);
    const count = 256 - first;
    if (count > 8) throw gobError(`unsigned integer of ${count} bytes at byte ${this.offset - 1}`);
    let value = 0n;
    for (let i = 0; i < count; i++) value = (value << 8n) | BigInt(this.byte());
    return value;
  }

  /** A gob unsigned integer that must fit a JS number (counts, lengths, field deltas, type ids). */
  uint(): number {
    const first = this.bytes[this.offset];
    if (first !== undefined && this.offset < this.limit) {
      if (first < 0x80) {
        this.offset++;
        return first;
      }
      // Up to 6 bytes fit a JS number exactly: no BigInt for byte values, lengths and type ids.
      const count = 256 - first;
      if (count <= 6 && this.offset + count < this.limit) {
        let value = 0;
        for (let i = 1; i <= count; i++) value = value * 256 + (this.bytes[this.offset + i] as number);
        this.offset += 1 + count;
        return value;
      }
    }
    const value = this.uintBig();
    if (value > MAX_SAFE) throw gobError(`count ${value} is out of range`);
    return Number(value);
  }

  /** A gob signed integer (int64): the low bit of the unsigned form is the complement flag. */
  intBig(): bigint {
    const u = this.uintBig();
    return (u & 1n) === 1n ? ~(u >> 1n) : u >> 1n;
  }

  /** A gob signed integer that must fit a JS number (type ids). */
  int(): number {
    const value = this.intBig();
    if (value > MAX_SAFE || value < -MAX_SAFE) throw gobError(`integer ${value} is out of range`);
    return Number(value);
  }

  /** `count` raw bytes (a view, not a copy). */
  take(count: number): Uint8Array {
    if (count > this.remaining) throw gobError(`${count} bytes announced at byte ${this.offset}, ${this.remaining} left`);
    const out = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return out;
  }

  /** A byte count followed by that many bytes (gob `[]byte`, GobEncoder data). */
  byteSlice(): Uint8Array {
    return this.take(this.uint());
  }

  /** A byte count followed by UTF-8 text (gob `string`). */
  string(): string {
    const raw = this.byteSlice();
    try {
      return strictUtf8.decode(raw);
    } catch {
      throw gobError('a string is not valid UTF-8');
    }
  }
}

/** Appends gob primitives to a growing buffer. */
export class GobWriter {
  private buffer: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.buffer = new Uint8Array(capacity);
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const next = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  /** Appends raw bytes. */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** A gob unsigned integer: one byte below 128, else the negated byte count and the big-endian bytes. */
  uint(value: number | bigint): void {
    if (typeof value === 'number' && value >= 0 && value <= 0xffffffff && Number.isInteger(value)) {
      // Small counts, field deltas and byte values: no BigInt on the common path.
      if (value < 0x80) {
        this.reserve(1);
        this.buffer[this.length++] = value;
        return;
      }
      const count = value > 0xffffff ? 4 : value > 0xffff ? 3 : value > 0xff ? 2 : 1;
      this.reserve(1 + count);
      this.buffer[this.length++] = 256 - count;
      for (let shift = (count - 1) * 8; shift >= 0; shift -= 8) this.buffer[this.length++] = Math.floor(value / 2 ** shift) & 0xff;
      return;
    }
    let v = BigInt(value);
    if (v < 0n || v > UINT64_MAX) throw gobError(`unsigned integer ${v} does not fit 64 bits`);
    if (v < 0x80n) {
      this.uint(Number(v));
      return;
    }
    const digits: number[] = [];
    while (v > 0n) {
      digits.unshift(Number(v & 0xffn));
      v >>= 8n;
    }
    this.reserve(1 + digits.length);
    this.buffer[this.length++] = 256 - digits.length;
    for (const d of digits) this.buffer[this.length++] = d;
  }

  /** A gob signed integer (int64). */
  int(value: number | bigint): void {
    const v = BigInt(value);
    if (v < INT64_MIN || v > INT64_MAX) throw gobError(`integer ${v} does not fit Go's int64`);
    this.uint(v < 0n ? (~v << 1n) | 1n : v << 1n);
  }

  /** A byte count and the bytes. */
  byteSlice(bytes: Uint8Array): void {
    this.uint(bytes.length);
    this.raw(bytes);
  }

  /** A byte count and the UTF-8 bytes of `text`. */
  string(text: string): void {
    this.byteSlice(utf8.encode(text));
  }

  /** The bytes written so far (a copy). */
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  /** The bytes written so far, without copying (valid until the next write or {@link GobWriter.reset}). */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** Forgets what was written, keeping the buffer for reuse. */
  reset(): void {
    this.length = 0;
  }
}

/** Go's `big.Int` GobEncode form: one byte `version 1 << 1 | sign`, then the magnitude big-endian (0: no bytes). */
export function encodeBigIntGob(value: bigint): Uint8Array {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const hex = magnitude === 0n ? '' : magnitude.toString(16);
  const out = Buffer.from(`0${(1 << 1) | (negative ? 1 : 0)}${hex.length % 2 === 1 ? '0' : ''}${hex}`, 'hex');
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Inverse of {@link encodeBigIntGob}; an empty buffer is 0, as Go's `Int.GobDecode` reads it. */
export function decodeBigIntGob(data: Uint8Array): bigint {
  if (data.length === 0) return 0n;
  const head = data[0] as number;
  if (head >> 1 !== 1) throw gobError(`big.Int encoding version ${head >> 1} is not 1`);
  const magnitude = data.length === 1 ? 0n : BigInt(`0x${Buffer.from(data.buffer, data.byteOffset + 1, data.length - 1).toString('hex')}`);
  return (head & 1) === 1 ? -magnitude : magnitude;
}
