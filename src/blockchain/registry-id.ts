import { bytesToHex, hexToBytes, type Hex } from 'viem';

/**
 * Encodes an organization or service id the way the Registry stores it: the UTF-8 bytes, right-padded
 * with zeros (or truncated) to 32 bytes (Go `blockchain/utils.go StringToBytes32`, snet-cli `type_converter("bytes32")`).
 */
export function idToBytes32(id: string): Hex {
  const bytes = new Uint8Array(32);
  bytes.set(new TextEncoder().encode(id).subarray(0, 32));
  return bytesToHex(bytes);
}

/** Decodes a Registry bytes32 id back to text, dropping the zero padding. */
export function bytes32ToId(value: Hex): string {
  const bytes = hexToBytes(value);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
