import { SnetError } from '../../errors/index.ts';
import { redactRpcUrl } from '../provider-auth.ts';
import type { MetadataLocation } from './metadata-uri.ts';
import { verifyCid } from './verify-cid.ts';

/** Where and how metadata documents are fetched. `app/` fills it from the config. */
export interface MetadataOptions {
  /** Kubo RPC API base (`ipfs_endpoint`); `ipfs://` URIs are read with `POST <base>/api/v0/cat?arg=<cid>`. */
  readonly ipfsEndpoint: string;
  /** Path gateway prefix for `filecoin://` URIs (`lighthouse_endpoint`). @default "https://gateway.lighthouse.storage/ipfs/" */
  readonly lighthouseEndpoint?: string;
  /** Per-request timeout (`ipfs_timeout` × 1000). @default 30000 */
  readonly ipfsTimeoutMs?: number;
  /**
   * Recompute the CID from the bytes and reject a mismatch (docs/differences.md). Turn off only for gateways
   * known to transform content. @default true
   */
  readonly verifyCid?: boolean;
  /** Refuse larger documents. @default 8 MiB */
  readonly maxBytes?: number;
  /** Read the service metadata from this JSON file instead of Registry + IPFS (`service_metadata_file`). */
  readonly serviceMetadataFile?: string;
  /** Read the org metadata from this JSON file instead of Registry + IPFS (`org_metadata_file`). */
  readonly orgMetadataFile?: string;
}

const DEFAULT_LIGHTHOUSE = 'https://gateway.lighthouse.storage/ipfs/';

/**
 * Fetches the bytes a metadata URI points to and (unless `verifyCid: false`) checks them against the CID.
 * Throws `METADATA_FETCH_FAILED` (network, HTTP status, size) or `METADATA_CID_MISMATCH` naming both CIDs.
 */
export async function fetchMetadataContent(location: MetadataLocation, options: MetadataOptions): Promise<Uint8Array> {
  const timeoutMs = options.ipfsTimeoutMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  let url: string;
  let method: 'GET' | 'POST';
  if (location.scheme === 'filecoin') {
    url = `${options.lighthouseEndpoint ?? DEFAULT_LIGHTHOUSE}${location.cid}`;
    method = 'GET';
  } else {
    url = `${options.ipfsEndpoint.replace(/\/+$/u, '')}/api/v0/cat?arg=${encodeURIComponent(location.cid)}`;
    method = 'POST';
  }
  const where = redactRpcUrl(url);
  let bytes: Uint8Array;
  try {
    const response = await fetch(url, { method, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) {
      const body = (await response.text()).slice(0, 200);
      throw new SnetError('METADATA_FETCH_FAILED', `fetching ${location.uri} from ${where} failed: HTTP ${response.status} ${body}`, {
        hint: location.scheme === 'filecoin' ? 'Check lighthouse_endpoint.' : 'Check ipfs_endpoint (a kubo RPC API; it must accept POST /api/v0/cat).',
        details: { cid: location.cid, status: response.status },
      });
    }
    bytes = await readLimited(response, maxBytes, location.uri);
  } catch (cause) {
    if (cause instanceof SnetError) throw cause;
    throw new SnetError('METADATA_FETCH_FAILED', `fetching ${location.uri} from ${where} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      hint: `Check that the endpoint is reachable within ipfs_timeout (${timeoutMs} ms).`,
      cause,
      details: { cid: location.cid },
    });
  }
  if (options.verifyCid !== false) await assertCid(location.cid, bytes, location.uri);
  return bytes;
}

/** Throws `METADATA_CID_MISMATCH` unless `bytes` hash to `cid`. */
export async function assertCid(cid: string, bytes: Uint8Array, what: string): Promise<void> {
  const check = await verifyCid(cid, bytes);
  if (check.ok) return;
  const hint = 'Use a trustworthy IPFS endpoint. For a gateway known to transform content, set CID verification off.';
  if (check.reason === 'mismatch') {
    throw new SnetError('METADATA_CID_MISMATCH', `content of ${what} does not match its CID: expected ${cid}, the content hashes to ${check.computed}`, {
      hint,
      details: { expected: cid, computed: check.computed },
    });
  }
  throw new SnetError('METADATA_CID_MISMATCH', `cannot verify ${what} against CID ${cid}: ${check.detail}`, { hint, details: { expected: cid } });
}

async function readLimited(response: Response, maxBytes: number, what: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (response.body === null) return new Uint8Array();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new SnetError('METADATA_FETCH_FAILED', `${what} is larger than ${maxBytes} bytes`, { hint: 'Metadata documents are small JSON files; check the URI.' });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
