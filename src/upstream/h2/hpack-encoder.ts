import { staticTable } from './hpack-tables.ts';

/**
 * HPACK encoding for the request side (RFC 7541): indexed static entries and literals without
 * indexing, no Huffman, never the peer's dynamic table. The peer's SETTINGS_HEADER_TABLE_SIZE is
 * therefore irrelevant, and nothing we send can desynchronise its decoder.
 */

/** First static-table index of each name (§2.3.1), for literal fields with an indexed name. */
const staticNameIndex = new Map<string, number>();
for (let i = staticTable.length - 1; i >= 1; i--) staticNameIndex.set((staticTable[i] as readonly [string, string])[0], i);

/** Writes a §5.1 integer with `prefixBits` and the first byte's high `flags`; returns the new offset. */
export function writeHpackInteger(buf: Buffer, offset: number, value: number, prefixBits: number, flags: number): number {
  const max = (1 << prefixBits) - 1;
  let off = offset;
  if (value < max) {
    buf[off++] = flags | value;
    return off;
  }
  buf[off++] = flags | max;
  let rest = value - max;
  while (rest >= 128) {
    buf[off++] = (rest & 0x7f) | 0x80;
    rest = Math.floor(rest / 128);
  }
  buf[off++] = rest;
  return off;
}

function writeString(buf: Buffer, offset: number, text: string): number {
  const off = writeHpackInteger(buf, offset, text.length, 7, 0);
  return off + buf.write(text, off, 'latin1');
}

/** A literal field without indexing (§6.2.2), with the static name index when there is one. */
export function writeLiteralField(buf: Buffer, offset: number, name: string, value: string): number {
  const index = staticNameIndex.get(name);
  let off: number;
  if (index !== undefined) {
    off = writeHpackInteger(buf, offset, index, 4, 0);
  } else {
    buf[offset] = 0;
    off = writeString(buf, offset + 1, name);
  }
  return writeString(buf, off, value);
}

/** An indexed field (§6.1), e.g. 3 = `:method POST`, 6 = `:scheme http`, 7 = `:scheme https`. */
export function writeIndexedField(buf: Buffer, offset: number, index: number): number {
  return writeHpackInteger(buf, offset, index, 7, 0x80);
}

/** Upper bound of the bytes {@link writeLiteralField} writes (two 5-byte length integers + 1). */
export function literalFieldBound(name: string, value: string): number {
  return name.length + value.length + 12;
}
