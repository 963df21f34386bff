import { staticTable } from './hpack-tables.ts';
import { decodeHuffman } from './hpack-huffman.ts';

const STATIC_ENTRIES = staticTable.length - 1; // 61
/** Per-entry overhead in table and header-list sizes (RFC 7541 §4.1, RFC 9113 §6.5.2). */
const ENTRY_OVERHEAD = 32;

/** Why {@link HpackDecoder.decode} failed: a COMPRESSION_ERROR, or a list above the size limit. */
export type HpackDecodeError = 'compression' | 'too-large';

/**
 * HPACK header-block decoder (RFC 7541): indexed fields, the three literal kinds, the dynamic
 * table with eviction, size updates (bounded by the size we advertise) and Huffman strings. Names
 * and values come out as latin1 strings, as node:http2 gives them. One decoder per connection:
 * its table state spans header blocks, so any error must end the connection.
 */
export class HpackDecoder {
  /** Dynamic table, oldest first (the newest entry is index 62). */
  readonly #names: string[] = [];
  readonly #values: string[] = [];
  #size = 0;
  #maxSize: number;
  readonly #advertisedMaxSize: number;
  readonly #maxListBytes: number;
  #pos = 0;

  /**
   * @param maxTableBytes SETTINGS_HEADER_TABLE_SIZE we advertise. @default 4096
   * @param maxListBytes largest decoded header list (names + values + 32 per field). @default 65535
   */
  constructor(maxTableBytes = 4096, maxListBytes = 65_535) {
    this.#maxSize = maxTableBytes;
    this.#advertisedMaxSize = maxTableBytes;
    this.#maxListBytes = maxListBytes;
  }

  /** Current dynamic table size in RFC 7541 §4.1 bytes. @internal */
  get tableBytes(): number {
    return this.#size;
  }

  /** The dynamic table, newest first, as [name, value] pairs. @internal */
  tableEntries(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = this.#names.length - 1; i >= 0; i--) out.push([this.#names[i] as string, this.#values[i] as string]);
    return out;
  }

  /**
   * Decodes the header block `buf[start, end)` and appends `name, value, …` to `out`. Returns
   * `undefined` on success; `'too-large'` when the list passed the limit (the table is still in
   * step, `out` is incomplete); `'compression'` on a COMPRESSION_ERROR (the table is lost).
   */
  decode(buf: Buffer, start: number, end: number, out: string[]): HpackDecodeError | undefined {
    this.#pos = start;
    let listBytes = 0;
    let fieldSeen = false;
    // Above the limit the block is still decoded to the end (the dynamic table must stay in step
    // with the peer's encoder), but no more fields are kept: the caller can fail just the stream.
    let tooLarge = false;
    while (this.#pos < end) {
      const b = buf[this.#pos] as number;
      if ((b & 0x80) !== 0) {
        const index = this.#integer(buf, end, 7);
        if (index <= 0 || index > STATIC_ENTRIES + this.#names.length) return 'compression';
        const name = this.#name(index);
        const value = this.#value(index);
        listBytes += name.length + value.length + ENTRY_OVERHEAD;
        if (listBytes > this.#maxListBytes) tooLarge = true;
        else out.push(name, value);
        fieldSeen = true;
      } else if ((b & 0xe0) === 0x20) {
        // §4.2: a size update must come first in a block and stay within what we advertised.
        const size = this.#integer(buf, end, 5);
        if (fieldSeen || size < 0 || size > this.#advertisedMaxSize) return 'compression';
        this.#maxSize = size;
        this.#evict(0);
      } else {
        const incremental = (b & 0xc0) === 0x40;
        const index = this.#integer(buf, end, incremental ? 6 : 4);
        if (index < 0 || index > STATIC_ENTRIES + this.#names.length) return 'compression';
        const name = index === 0 ? this.#string(buf, end) : this.#name(index);
        if (name === undefined) return 'compression';
        const value = this.#string(buf, end);
        if (value === undefined) return 'compression';
        listBytes += name.length + value.length + ENTRY_OVERHEAD;
        if (incremental) this.#insert(name, value);
        if (listBytes > this.#maxListBytes) tooLarge = true;
        else out.push(name, value);
        fieldSeen = true;
      }
    }
    return tooLarge ? 'too-large' : undefined;
  }

  #insert(name: string, value: string): void {
    const entryBytes = name.length + value.length + ENTRY_OVERHEAD;
    // §4.4: an entry larger than the table empties it and is not added.
    this.#evict(entryBytes);
    if (entryBytes > this.#maxSize) return;
    this.#names.push(name);
    this.#values.push(value);
    this.#size += entryBytes;
  }

  /** Evicts oldest entries until `room` more bytes fit. */
  #evict(room: number): void {
    while (this.#size + room > this.#maxSize && this.#names.length > 0) {
      this.#size -= (this.#names.shift() as string).length + (this.#values.shift() as string).length + ENTRY_OVERHEAD;
    }
  }

  /** §5.1 integer with an N-bit prefix; -1 when truncated or above 2^28 (far past any valid size). */
  #integer(buf: Buffer, end: number, prefixBits: number): number {
    const max = (1 << prefixBits) - 1;
    let value = (buf[this.#pos++] as number) & max;
    if (value < max) return value;
    let shift = 0;
    for (;;) {
      if (this.#pos >= end || shift > 21) return -1;
      const b = buf[this.#pos++] as number;
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return value;
    }
  }

  /** §5.2 string literal. */
  #string(buf: Buffer, end: number): string | undefined {
    if (this.#pos >= end) return undefined;
    const huffman = ((buf[this.#pos] as number) & 0x80) !== 0;
    const length = this.#integer(buf, end, 7);
    if (length < 0 || this.#pos + length > end) return undefined;
    const start = this.#pos;
    this.#pos += length;
    return huffman ? decodeHuffman(buf, start, start + length) : buf.toString('latin1', start, start + length);
  }

  #name(index: number): string {
    if (index <= STATIC_ENTRIES) return (staticTable[index] as readonly [string, string])[0];
    return this.#names[this.#names.length - (index - STATIC_ENTRIES)] as string;
  }

  #value(index: number): string {
    if (index <= STATIC_ENTRIES) return (staticTable[index] as readonly [string, string])[1];
    return this.#values[this.#values.length - (index - STATIC_ENTRIES)] as string;
  }
}
