import { SnetError } from '../errors/index.ts';
import type { LocalRecord } from './local-store.ts';

// On-disk layout of one LMDB value (format 1), chosen so that a version and a lock expiry travel
// atomically with the bytes they describe:
//   byte 0      format (1)
//   byte 1      flags: bit 0 = leased (a lock; bytes 10..17 hold its expiry)
//   bytes 2..9  version, uint64 big-endian (store-wide revision of the write)
//   bytes 10..17 expiry in epoch ms, uint64 big-endian (only when leased)
//   rest        the value bytes
const formatVersion = 1;
const leasedFlag = 0x01;
const plainHeaderBytes = 10;
const leasedHeaderBytes = 18;

/** Serialises a record for LMDB (see the layout above). @internal */
export function encodeLmdbRecord(record: LocalRecord): Buffer {
  const leased = record.expiresAtMs !== undefined;
  const header = leased ? leasedHeaderBytes : plainHeaderBytes;
  const out = Buffer.allocUnsafe(header + record.value.byteLength);
  out[0] = formatVersion;
  out[1] = leased ? leasedFlag : 0;
  out.writeBigUInt64BE(record.version, 2);
  if (record.expiresAtMs !== undefined) out.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(record.expiresAtMs))), 10);
  out.set(record.value, header);
  return out;
}

/** Parses a record written by {@link encodeLmdbRecord}; throws STORAGE_CORRUPT on anything else. @internal */
export function decodeLmdbRecord(key: string, raw: Uint8Array): LocalRecord {
  const record = decodeLmdbRecordView(key, raw, raw.byteLength);
  return { value: new Uint8Array(record.value), version: record.version, expiresAtMs: record.expiresAtMs };
}

/**
 * {@link decodeLmdbRecord} of the first `length` bytes of `raw` without copying the value: it is a view into
 * `raw` (for lmdb-js's reused read buffer, valid only until the next read). @internal
 */
export function decodeLmdbRecordView(key: string, raw: Uint8Array, length: number): LocalRecord {
  const corrupt = (why: string): SnetError =>
    new SnetError('STORAGE_CORRUPT', `LMDB record of key "${key}" is unreadable: ${why}`, {
      hint: 'The database was not written by this version of snetd-ts; restore it from an export or a backup.',
      details: { key },
    });
  if (length < plainHeaderBytes) throw corrupt(`only ${length} bytes`);
  if (raw[0] !== formatVersion) throw corrupt(`unknown format ${String(raw[0])}`);
  const flags = raw[1] ?? 0;
  if ((flags & ~leasedFlag) !== 0) throw corrupt(`unknown flags ${flags}`);
  const version = readUint64BE(raw, 2);
  if ((flags & leasedFlag) === 0) {
    return { value: raw.subarray(plainHeaderBytes, length), version, expiresAtMs: undefined };
  }
  if (length < leasedHeaderBytes) throw corrupt('truncated lock record');
  return { value: raw.subarray(leasedHeaderBytes, length), version, expiresAtMs: Number(readUint64BE(raw, 10)) };
}

function readUint64BE(bytes: Uint8Array, at: number): bigint {
  const hi = (((bytes[at] as number) << 24) | ((bytes[at + 1] as number) << 16) | ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number)) >>> 0;
  const lo = (((bytes[at + 4] as number) << 24) | ((bytes[at + 5] as number) << 16) | ((bytes[at + 6] as number) << 8) | (bytes[at + 7] as number)) >>> 0;
  return hi === 0 ? BigInt(lo) : (BigInt(hi) << 32n) | BigInt(lo);
}
