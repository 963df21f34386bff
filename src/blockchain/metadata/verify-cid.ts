import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { singleChunkCid } from './single-chunk-cid.ts';

const DAG_PB = 0x70;

/** Result of {@link verifyCid}. */
export type CidCheck =
  | { readonly ok: true; readonly layout: string }
  | { readonly ok: false; readonly reason: 'mismatch'; readonly computed: string }
  | { readonly ok: false; readonly reason: 'unsupported' | 'invalid'; readonly detail: string };

/**
 * Import settings that real tools use, tried in order until one reproduces the CID. For files up to one
 * chunk (256 KiB — all metadata in practice) they collapse to "dag-pb leaf" or "raw leaf".
 */
const LAYOUTS: readonly { readonly name: string; readonly version: 0 | 1; readonly rawLeaves: boolean; readonly chunkBytes: number; readonly links: number }[] = [
  { name: 'kubo ipfs add (CIDv0, 256 KiB chunks, 174 links)', version: 0, rawLeaves: false, chunkBytes: 262_144, links: 174 },
  { name: 'helia (CIDv0, 1 MiB chunks, 1024 links)', version: 0, rawLeaves: false, chunkBytes: 1_048_576, links: 1024 },
  { name: 'js-ipfs importer (CIDv0, 256 KiB chunks, 1024 links)', version: 0, rawLeaves: false, chunkBytes: 262_144, links: 1024 },
  { name: 'kubo ipfs add --cid-version=1 (raw leaves, 256 KiB, 174 links)', version: 1, rawLeaves: true, chunkBytes: 262_144, links: 174 },
  { name: 'helia / kubo unixfs-v1-2025 (raw leaves, 1 MiB, 1024 links)', version: 1, rawLeaves: true, chunkBytes: 1_048_576, links: 1024 },
  { name: 'js-ipfs importer (CIDv1, raw leaves, 256 KiB, 1024 links)', version: 1, rawLeaves: true, chunkBytes: 262_144, links: 1024 },
  { name: 'CIDv1 dag-pb leaves (256 KiB, 174 links)', version: 1, rawLeaves: false, chunkBytes: 262_144, links: 174 },
  { name: 'CIDv1 dag-pb leaves (1 MiB, 1024 links)', version: 1, rawLeaves: false, chunkBytes: 1_048_576, links: 1024 },
];

/** Files up to this size are one chunk in every layout above. */
const SINGLE_CHUNK_BYTES = Math.min(...LAYOUTS.map((layout) => layout.chunkBytes));

// The importer only needs somewhere to put blocks; we only want the root CID.
const discardBlocks = { put: (cid: CID): Promise<CID> => Promise.resolve(cid) };

/**
 * Checks that `content` is what `cidText` addresses, by re-importing the bytes as a UnixFS file the way
 * `ipfs add` / helia do (CIDv0 and CIDv1, dag-pb single- and multi-block files, raw leaves) or, for a raw
 * CID, by hashing them. Supports sha2-256 CIDs with the dag-pb or raw codec; others are `unsupported`.
 */
export async function verifyCid(cidText: string, content: Uint8Array): Promise<CidCheck> {
  let cid: CID;
  try {
    cid = CID.parse(cidText);
  } catch (err) {
    return { ok: false, reason: 'invalid', detail: err instanceof Error ? err.message : String(err) };
  }
  if (cid.multihash.code !== sha256.code) {
    return { ok: false, reason: 'unsupported', detail: `hash function 0x${cid.multihash.code.toString(16)} (only sha2-256 is checked)` };
  }
  if (cid.code === raw.code) {
    const computed = CID.createV1(raw.code, await sha256.digest(content));
    return computed.equals(cid) ? { ok: true, layout: 'raw block' } : { ok: false, reason: 'mismatch', computed: computed.toString() };
  }
  if (cid.code !== DAG_PB) return { ok: false, reason: 'unsupported', detail: `codec 0x${cid.code.toString(16)} (only dag-pb and raw are checked)` };
  // A file of one chunk (every metadata file in practice) is one dag-pb leaf in every layout: checked without
  // the importer, whose ~100 modules cost ~0.15 s of CPU at start-up. Anything else takes the full path.
  if (content.length <= SINGLE_CHUNK_BYTES) {
    const leaf = await singleChunkCid(content, cid.version);
    const layout = LAYOUTS.find((entry) => entry.version === cid.version && !entry.rawLeaves);
    if (leaf.equals(cid) && layout !== undefined) return { ok: true, layout: layout.name };
  }
  const [{ importBytes }, { fixedSize }, { balanced }] = await Promise.all([import('ipfs-unixfs-importer'), import('ipfs-unixfs-importer/chunker'), import('ipfs-unixfs-importer/layout')]);
  let first: string | undefined;
  for (const layout of LAYOUTS) {
    if (layout.version !== cid.version) continue;
    const { cid: computed } = await importBytes(content, discardBlocks, {
      cidVersion: layout.version,
      rawLeaves: layout.rawLeaves,
      chunker: fixedSize({ chunkSize: layout.chunkBytes }),
      layout: balanced({ maxChildrenPerNode: layout.links }),
    });
    if (computed.equals(cid)) return { ok: true, layout: layout.name };
    first ??= computed.toString();
  }
  return { ok: false, reason: 'mismatch', computed: first ?? '' };
}
