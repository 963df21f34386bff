// The reply of an estimate method: `pricing.PriceInCogs { uint64 price = 1; }` (Go `pricing/pricing.proto`).
// Read by hand because the value is a full uint64 (protobufjs without `long` rounds above 2^53).

/** Result of {@link decodePriceInCogs}. */
export type PriceInCogsResult = { readonly ok: true; readonly value: bigint } | { readonly ok: false; readonly error: string };

const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * Decodes a `PriceInCogs` message: field 1 (varint, uint64) is the price in cogs; other fields are skipped as
 * protobuf says, a repeated field 1 keeps the last value, an absent one is 0 (proto3 default). Returns an
 * error text (never throws) for truncated or malformed input.
 */
export function decodePriceInCogs(bytes: Uint8Array): PriceInCogsResult {
  let pos = 0;
  let price = 0n;
  const varint = (): bigint | undefined => {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= bytes.length) return undefined;
      const byte = bytes[pos++] as number;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  };
  while (pos < bytes.length) {
    const tag = varint();
    if (tag === undefined) return { ok: false, error: 'PriceInCogs: truncated field tag' };
    const field = tag >> 3n;
    const wire = Number(tag & 7n);
    if (field === 0n) return { ok: false, error: 'PriceInCogs: field number 0' };
    if (wire === 0) {
      const value = varint();
      if (value === undefined) return { ok: false, error: 'PriceInCogs: truncated varint' };
      if (field === 1n) {
        if (value > MAX_UINT64) return { ok: false, error: 'PriceInCogs: price is larger than a uint64' };
        price = value;
      }
    } else if (field === 1n) {
      return { ok: false, error: `PriceInCogs: field 1 (price) has wire type ${wire}, expected a varint` };
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > bytes.length) return { ok: false, error: 'PriceInCogs: truncated fixed-size field' };
    } else if (wire === 2) {
      const length = varint();
      if (length === undefined || BigInt(pos) + length > BigInt(bytes.length)) return { ok: false, error: 'PriceInCogs: truncated length-delimited field' };
      pos += Number(length);
    } else {
      return { ok: false, error: `PriceInCogs: unsupported wire type ${wire}` };
    }
  }
  return { ok: true, value: price };
}
