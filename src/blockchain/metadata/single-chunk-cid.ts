// The CID of a file small enough to be one chunk, as `ipfs add` / helia make it without raw leaves, computed
// directly: verify-cid.ts uses it so that checking metadata (always one chunk) does not load the UnixFS
// importer (~100 modules, ~0.15 s of CPU at start-up).
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';

const DAG_PB = 0x70;

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}

/**
 * PBNode { Data: UnixFS { Type: File, Data: content (absent when empty), filesize } } with no links, in the
 * dag-pb and UnixFS protobuf encodings: the single leaf an importer makes the root of a one-chunk file.
 */
function singleLeafNode(content: Uint8Array): Uint8Array {
  const head = [0x08, 0x02, ...(content.length === 0 ? [] : [0x12, ...varint(content.length)])];
  const tail = [0x18, ...varint(content.length)];
  const unixfsLength = head.length + content.length + tail.length;
  const prefix = [0x0a, ...varint(unixfsLength), ...head];
  const node = new Uint8Array(prefix.length + content.length + tail.length);
  node.set(prefix);
  node.set(content, prefix.length);
  node.set(tail, prefix.length + content.length);
  return node;
}

/** The dag-pb CID (v0 or v1) of `content` as one chunk; only meaningful when `content` fits in one chunk. */
export async function singleChunkCid(content: Uint8Array, version: 0 | 1): Promise<CID> {
  const digest = await sha256.digest(singleLeafNode(content));
  return version === 0 ? CID.createV0(digest) : CID.createV1(DAG_PB, digest);
}
