import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { SnetError } from '../../errors/index.ts';
import { fetchMetadataContent, type MetadataOptions } from './fetch-metadata.ts';
import { parseMetadataUri, type MetadataLocation } from './metadata-uri.ts';
import type { ServiceMetadata } from './service-metadata.ts';

// tar-stream loads when a tarball is read (dynamic pricing, translated services), not with the blockchain domain.
const tarStream = (): Promise<typeof import('tar-stream')> => import('tar-stream');

/** One `.proto` file of a service's API. */
export interface ServiceProtoFile {
  /** Path inside the tarball. */
  readonly name: string;
  /** UTF-8 text. */
  readonly content: string;
}

/** Largest proto tarball accepted. */
const MAX_TAR_BYTES = 16 * 1024 * 1024;

/**
 * The location of a service's proto tarball: `service_api_source`, else the legacy `model_ipfs_hash` (a bare CID
 * on IPFS), as the reference reads them (Go `blockchain/service_metadata.go`). `undefined` when neither is set.
 */
export function serviceProtosLocation(metadata: Pick<ServiceMetadata, 'serviceApiSource' | 'modelIpfsHash'>): MetadataLocation | undefined {
  if (metadata.serviceApiSource !== undefined) return metadata.serviceApiSource;
  return metadata.modelIpfsHash === undefined ? undefined : parseMetadataUri(metadata.modelIpfsHash);
}

/**
 * Fetches the service's proto tarball (snet-cli publishes a tar of the `.proto` files; gzip is accepted too)
 * through the metadata fetch (kubo `cat` / lighthouse, CID-verified unless turned off) and returns its `.proto`
 * files. Throws `METADATA_INVALID` when the metadata names no tarball or the archive cannot be read, and the
 * fetch's `METADATA_FETCH_FAILED` / `METADATA_CID_MISMATCH`.
 */
export async function loadServiceProtos(
  metadata: Pick<ServiceMetadata, 'serviceApiSource' | 'modelIpfsHash'>,
  options: MetadataOptions,
): Promise<{ readonly files: readonly ServiceProtoFile[]; readonly location: MetadataLocation }> {
  const location = serviceProtosLocation(metadata);
  if (location === undefined) {
    throw new SnetError('METADATA_INVALID', 'the service metadata names no proto tarball (service_api_source or model_ipfs_hash)', {
      hint: 'Publish the service protos with snet-cli (snet service metadata-init / publish sets service_api_source).',
    });
  }
  const bytes = await fetchMetadataContent(location, { ...options, maxBytes: Math.max(options.maxBytes ?? 0, MAX_TAR_BYTES) });
  return { files: await untarProtos(bytes, location.uri), location };
}

/**
 * The `.proto` files of a tar (or tar.gz) archive, in archive order; other entries are skipped. Throws
 * `METADATA_INVALID` naming `what` when the bytes are not a readable archive.
 */
export async function untarProtos(bytes: Uint8Array, what: string): Promise<ServiceProtoFile[]> {
  const files: ServiceProtoFile[] = [];
  try {
    const tar = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
    const entries = (await tarStream()).extract();
    Readable.from([Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength)]).pipe(entries);
    for await (const entry of entries) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
      const name = entry.header.name;
      if (entry.header.type === 'file' && name.endsWith('.proto')) files.push({ name, content: Buffer.concat(chunks).toString('utf8') });
    }
  } catch (cause) {
    throw new SnetError('METADATA_INVALID', `the proto tarball ${what} is not a readable tar archive: ${cause instanceof Error ? cause.message : String(cause)}`, {
      hint: 'Publish the service protos again with snet-cli (a tar of the .proto files).',
      cause,
    });
  }
  return files;
}
