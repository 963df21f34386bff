import { hexToBytes, type Hex } from 'viem';

/** Where a metadata document lives, as read from a Registry `metadataURI`. */
export interface MetadataLocation {
  /** `ipfs` → kubo RPC `cat`; `filecoin` → lighthouse path gateway. A bare CID counts as `ipfs`. */
  readonly scheme: 'ipfs' | 'filecoin';
  readonly cid: string;
  /** The URI as text with its NUL padding removed, for messages. */
  readonly uri: string;
}

/**
 * Parses a Registry metadata URI (`ipfs://<cid>`, `filecoin://<cid>` or a bare CID, as bytes or text).
 * snet-cli NUL-pads the URI to a multiple of 32 bytes; like the Go daemon
 * (`blockchain/ipfs_utils.go` `RemoveSpecialCharactersfromHash`) every character outside `[A-Za-z0-9=]`
 * is dropped from the CID part. Returns undefined when nothing CID-like is left.
 */
export function parseMetadataUri(value: Uint8Array | string): MetadataLocation | undefined {
  // A Registry read gives 0x-hex bytes; a URI typed by a person is text.
  const text = (typeof value === 'string' ? (value.startsWith('0x') ? new TextDecoder().decode(hexToBytes(value as Hex)) : value) : new TextDecoder().decode(value)).replace(/\0+$/u, '');
  let scheme: MetadataLocation['scheme'] = 'ipfs';
  let rest = text;
  if (text.startsWith('filecoin://')) {
    scheme = 'filecoin';
    rest = text.slice('filecoin://'.length);
  } else if (text.startsWith('ipfs://')) {
    rest = text.slice('ipfs://'.length);
  }
  const cid = rest.replace(/[^A-Za-z0-9=]/gu, '');
  if (cid === '') return undefined;
  return { scheme, cid, uri: text };
}

/** Encodes a metadata URI for the Registry exactly like snet-cli (`hash_to_bytesuri`): ASCII, NUL-padded to the next multiple of 32 bytes. */
export function encodeMetadataUri(uri: string): Uint8Array {
  const ascii = new TextEncoder().encode(uri);
  const out = new Uint8Array(32 * (Math.floor(ascii.length / 32) + 1));
  out.set(ascii);
  return out;
}
