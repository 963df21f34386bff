import { readFile } from 'node:fs/promises';
import { SnetError } from '../../errors/index.ts';
import type { Logger } from '../../shared/index.ts';
import type { ChainClient } from '../chain-client.ts';
import { fetchMetadataContent, type MetadataOptions } from './fetch-metadata.ts';
import type { MetadataLocation } from './metadata-uri.ts';
import { parseOrgMetadata, type OrgGroup, type OrgMetadata } from './org-metadata.ts';
import { parseServiceMetadata, type ServiceGroup, type ServiceMetadata } from './service-metadata.ts';

/** Where a loaded document came from. */
export type MetadataSource = { readonly kind: 'registry'; readonly location: MetadataLocation } | { readonly kind: 'file'; readonly path: string };

/** Dependencies of the loaders: the Registry reads of a chain client (not needed with a metadata file). */
export interface MetadataLoaderDeps {
  readonly logger: Logger;
  readonly chain?: Pick<ChainClient, 'getOrgRegistration' | 'getServiceRegistration'>;
}

/**
 * Loads service metadata: from `options.serviceMetadataFile` when set, else Registry
 * `getServiceRegistrationById` → IPFS/Filecoin → CID check → parse. Throws `REGISTRY_NOT_FOUND`,
 * `METADATA_FETCH_FAILED`, `METADATA_CID_MISMATCH`, `METADATA_INVALID` or a chain error.
 */
export async function loadServiceMetadata(
  deps: MetadataLoaderDeps,
  ids: { readonly orgId: string; readonly serviceId: string },
  options: MetadataOptions,
): Promise<{ readonly metadata: ServiceMetadata; readonly source: MetadataSource }> {
  const label = `service metadata of ${ids.orgId}/${ids.serviceId}`;
  if (options.serviceMetadataFile !== undefined) {
    const bytes = await readMetadataFile(options.serviceMetadataFile, label);
    return { metadata: parseServiceMetadata(bytes, `${label} (${options.serviceMetadataFile})`), source: { kind: 'file', path: options.serviceMetadataFile } };
  }
  const registration = await requireChain(deps, label).getServiceRegistration(ids.orgId, ids.serviceId);
  if (registration === undefined) {
    throw new SnetError('REGISTRY_NOT_FOUND', `service "${ids.serviceId}" of organization "${ids.orgId}" is not registered in the Registry`, {
      hint: 'Check organization_id, service_id and blockchain_network_selected / registry_address_key.',
      details: ids,
    });
  }
  const location = requireLocation(registration.metadataLocation, label);
  const bytes = await fetchMetadataContent(location, options);
  deps.logger.info({ orgId: ids.orgId, serviceId: ids.serviceId, uri: location.uri }, 'service metadata loaded');
  return { metadata: parseServiceMetadata(bytes, `${label} (${location.uri})`), source: { kind: 'registry', location } };
}

/** Loads organization metadata like {@link loadServiceMetadata} (file `options.orgMetadataFile` or Registry → IPFS). */
export async function loadOrgMetadata(
  deps: MetadataLoaderDeps,
  ids: { readonly orgId: string },
  options: MetadataOptions,
): Promise<{ readonly metadata: OrgMetadata; readonly source: MetadataSource }> {
  const label = `organization metadata of ${ids.orgId}`;
  if (options.orgMetadataFile !== undefined) {
    const bytes = await readMetadataFile(options.orgMetadataFile, label);
    return { metadata: parseOrgMetadata(bytes, `${label} (${options.orgMetadataFile})`), source: { kind: 'file', path: options.orgMetadataFile } };
  }
  const registration = await requireChain(deps, label).getOrgRegistration(ids.orgId);
  if (registration === undefined) {
    throw new SnetError('REGISTRY_NOT_FOUND', `organization "${ids.orgId}" is not registered in the Registry`, {
      hint: 'Check organization_id and blockchain_network_selected / registry_address_key.',
      details: ids,
    });
  }
  const location = requireLocation(registration.metadataLocation, label);
  const bytes = await fetchMetadataContent(location, options);
  deps.logger.info({ orgId: ids.orgId, uri: location.uri }, 'organization metadata loaded');
  return { metadata: parseOrgMetadata(bytes, `${label} (${location.uri})`), source: { kind: 'registry', location } };
}

/**
 * The group named `groupName` (`daemon_group_name`); throws `METADATA_INVALID` listing the names that exist
 * (Go: "group name <g> in config is invalid, there was no group found with this name in the metadata").
 */
export function findGroup<G extends ServiceGroup | OrgGroup>(groups: readonly G[], groupName: string, label: string): G {
  const group = groups.find((g) => g.groupName === groupName);
  if (group === undefined) {
    throw new SnetError('METADATA_INVALID', `group name "${groupName}" in config is invalid, there was no group found with this name in the ${label}`, {
      hint: `Set daemon_group_name to one of: ${groups.map((g) => g.groupName).join(', ')}.`,
      details: { groupName, available: groups.map((g) => g.groupName) },
    });
  }
  return group;
}

function requireChain(deps: MetadataLoaderDeps, label: string): NonNullable<MetadataLoaderDeps['chain']> {
  if (deps.chain === undefined) throw new SnetError('INTERNAL', `no chain client to read the ${label} from the Registry`);
  return deps.chain;
}

function requireLocation(location: MetadataLocation | undefined, label: string): MetadataLocation {
  if (location === undefined) {
    throw new SnetError('METADATA_INVALID', `the Registry holds no metadata URI for the ${label}`, {
      hint: 'Publish the metadata again with snet-cli.',
    });
  }
  return location;
}

async function readMetadataFile(path: string, label: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new SnetError('METADATA_FETCH_FAILED', `cannot read the ${label} file ${path}`, {
      hint: 'Check service_metadata_file / org_metadata_file.',
      cause,
    });
  }
}
