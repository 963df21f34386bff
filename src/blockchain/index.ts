// Public surface of the blockchain domain: chain client (viem), networks, contracts, metadata, signatures.
export {
  createChainClient,
  classifyChainError,
  type ChainClient,
  type ChainClientDeps,
  type ChainOptions,
  type ChainChannel,
  type OrgRegistration,
  type ServiceRegistration,
} from './chain-client.ts';
export { decodeChainEvent, type ChainEvent, type ChainEventKind, type EventPosition, type EventWatcher, type WatchEventsOptions } from './event-watcher.ts';
export { resolveNetwork, lookupPackageAddress, NETWORK_NAMES, type NetworkName, type NetworkOverrides, type ResolvedNetwork, type ContractDeployment } from './networks.ts';
export { providerAuthHeaders, redactRpcUrl } from './provider-auth.ts';
export { mpeAbi, registryAbi } from './contracts/abi.ts';
export { loadContractArtifact, readContractPackageJson, type ContractArtifact, type ContractName } from './contracts/artifacts.ts';
export { idToBytes32, bytes32ToId } from './registry-id.ts';
export { parseMetadataUri, encodeMetadataUri, type MetadataLocation } from './metadata/metadata-uri.ts';
export { verifyCid, type CidCheck } from './metadata/verify-cid.ts';
export { fetchMetadataContent, assertCid, type MetadataOptions } from './metadata/fetch-metadata.ts';
export { parseServiceMetadata, type ServiceMetadata, type ServiceGroup, type PricingEntry, type FixedPricing, type MethodPricing } from './metadata/service-metadata.ts';
export { parseOrgMetadata, type OrgMetadata, type OrgGroup, type GroupStorageClient } from './metadata/org-metadata.ts';
export type { GroupId } from './metadata/fields.ts';
export { parseJsonExact } from './metadata/metadata-json.ts';
export { parseGoDurationMs } from './metadata/go-duration.ts';
export { loadServiceMetadata, loadOrgMetadata, findGroup, type MetadataLoaderDeps, type MetadataSource } from './metadata/load-metadata.ts';
export { watchMetadata, type WatchMetadataOptions } from './metadata/watch-metadata.ts';
export { loadServiceProtos, serviceProtosLocation, untarProtos, type ServiceProtoFile } from './metadata/service-protos.ts';
export * from './signatures/index.ts';
