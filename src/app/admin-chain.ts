import { createChainClient, resolveNetwork, type ChainClient } from '../blockchain/index.ts';
import type { DaemonConfig } from '../config/index.ts';
import type { Logger } from '../shared/index.ts';

/**
 * A chain client for the configuration service's block numbers (the daemon's ±5-block check, and the block
 * `snetd admin` signs): the network and RPC endpoint of the configuration, no contracts read.
 */
export function createAdminChainClient(config: DaemonConfig, logger: Logger): ChainClient {
  const rpcHttpUrl = config.ethereum_json_rpc_http_endpoint;
  const registryAddress = config.registry_address_key;
  const network = resolveNetwork(config.blockchain_network_selected, {
    ...(rpcHttpUrl === undefined || rpcHttpUrl === '' ? {} : { rpcHttpUrl }),
    ...(registryAddress === undefined || registryAddress === '' ? {} : { registryAddress }),
  });
  return createChainClient(
    { logger },
    {
      rpcHttpUrl: network.rpcHttpUrl,
      registryAddress: network.registryAddress,
      ...(config.blockchain_provider_api_key === '' ? {} : { providerApiKey: config.blockchain_provider_api_key }),
    },
  );
}
