// Public surface of the blockchain domain: chain client (viem), networks, contracts, metadata.
export { mpeAbi, registryAbi } from './contracts/abi.ts';
export { loadContractArtifact, readContractPackageJson, type ContractArtifact, type ContractName } from './contracts/artifacts.ts';
export { idToBytes32, bytes32ToId } from './registry-id.ts';
export { parseMetadataUri, encodeMetadataUri, type MetadataLocation } from './metadata/metadata-uri.ts';
export * from './signatures/index.ts';
