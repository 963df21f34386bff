// Public surface of the local development network (`snetd dev`) and the pieces the test harness reuses.
export { DEV_MNEMONIC, DEV_ROLES, devAccount, type DevAccount } from './accounts.ts';
export { startChainProcess, type ChainProcess, type ChainProcessOptions } from './chain-process.ts';
export { startIpfsServer, type IpfsServer, type IpfsServerOptions } from './ipfs-server.ts';
export { createDevClients, type DevClients } from './dev-clients.ts';
export { deployContracts, LEGACY_LOCAL_ADDRESSES, type DevContracts } from './deploy.ts';
export { createDevActions, publishBytes, publishJson, type DevActions, type OpenChannelArgs } from './dev-actions.ts';
export { buildOrgMetadata, buildServiceMetadata, devGroupId, type DevOrgMetadataArgs, type DevServiceMetadataArgs } from './dev-metadata.ts';
export { startDevNetwork, type DevNetwork, type DevNetworkOptions, type DevNetworkAccount } from './start-dev-network.ts';
export { startExampleService, EXAMPLE_SERVICE_PROTO, EXAMPLE_SERVICE_METHODS, type ExampleService } from './example-service/example-service.ts';
export { tarFiles } from './tar-files.ts';
export { DEV_SERVICE_TYPES, startTranslatedExample, type DevServiceType, type TranslatedExample } from './example-service/translated-examples.ts';
