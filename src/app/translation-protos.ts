// The service protos a translating upstream (jsonrpc, http, process) reads: loaded from the service metadata's
// proto tarball at start-up, compiled once, and swapped whole when a reloaded metadata names another tarball.
import {
  createChainClient,
  loadServiceMetadata,
  loadServiceProtos,
  resolveNetwork,
  serviceProtosLocation,
  watchMetadata,
  type ChainClient,
  type MetadataOptions,
  type ServiceMetadata,
} from '../blockchain/index.ts';
import type { DaemonConfig } from '../config/index.ts';
import type { Logger } from '../shared/index.ts';
import { compileProtos, type CompiledProtos } from '../upstream/index.ts';

/** The compiled protos in force; `current()` is read per call (one field read). */
export interface LiveProtos {
  readonly current: () => CompiledProtos | undefined;
  close(): Promise<void>;
}

function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Loads the service metadata (Registry → IPFS, or `service_metadata_file`), fetches and compiles its protos, and,
 * with `payment_channel_storage_client.hot_reload` (and metadata from the Registry), recompiles them when `ServiceMetadataModified` names another
 * tarball (a reload whose protos do not compile keeps the previous ones). `required` (the http type): a metadata
 * without protos stops the start-up; otherwise it leaves `current()` undefined. The payment layer reads the same
 * metadata; this reader keeps its own chain client so the payment code stays untouched.
 */
export async function loadTranslationProtos(config: DaemonConfig, deps: { logger: Logger }, required: boolean): Promise<LiveProtos> {
  const logger = deps.logger.child({ component: 'service-protos' });
  const serviceMetadataFile = optional(config.service_metadata_file);
  const metadataOptions: MetadataOptions = {
    ipfsEndpoint: config.ipfs_endpoint,
    lighthouseEndpoint: config.lighthouse_endpoint,
    ipfsTimeoutMs: config.ipfs_timeout * 1000,
    verifyCid: config.ipfs_verify_cid,
    ...(serviceMetadataFile === undefined ? {} : { serviceMetadataFile }),
  };
  let chain: ChainClient | undefined;
  const closeChain = async (): Promise<void> => {
    await chain?.close();
  };
  try {
    if (serviceMetadataFile === undefined) {
      const rpcHttpUrl = optional(config.ethereum_json_rpc_http_endpoint);
      const registryAddress = optional(config.registry_address_key);
      const network = resolveNetwork(config.blockchain_network_selected, {
        ...(rpcHttpUrl === undefined ? {} : { rpcHttpUrl }),
        ...(registryAddress === undefined ? {} : { registryAddress }),
      });
      chain = createChainClient(
        { logger },
        { rpcHttpUrl: network.rpcHttpUrl, registryAddress: network.registryAddress, ...(config.blockchain_provider_api_key === '' ? {} : { providerApiKey: config.blockchain_provider_api_key }) },
      );
    }
    const ids = { orgId: config.organization_id, serviceId: config.service_id };
    const { metadata } = await loadServiceMetadata({ logger, ...(chain === undefined ? {} : { chain }) }, ids, metadataOptions);
    let loadedUri = serviceProtosLocation(metadata)?.uri;
    let current = loadedUri === undefined && !required ? undefined : await compileFrom(metadata, metadataOptions, logger);
    if (current === undefined) logger.info({}, 'the service metadata names no protos: JSON messages only, any method name is passed on');

    let watcher: { stop(): Promise<void> } | undefined;
    if (chain !== undefined && config.payment_channel_storage_client.hot_reload) {
      watcher = watchMetadata(
        { logger, chain },
        {
          ...ids,
          metadata: metadataOptions,
          onServiceMetadata: async (next: ServiceMetadata) => {
            const uri = serviceProtosLocation(next)?.uri;
            // Content-addressed: the same URI is the same protos.
            if (uri === loadedUri) return;
            if (uri === undefined) {
              logger.error({}, 'reloaded service metadata names no protos; keeping the previous ones');
              return;
            }
            try {
              current = await compileFrom(next, metadataOptions, logger);
              loadedUri = uri;
            } catch (err) {
              logger.error({ err }, 'reloaded service metadata: its protos do not compile; keeping the previous ones');
            }
          },
        },
      );
    }
    return {
      current: () => current,
      close: async () => {
        await watcher?.stop();
        await closeChain();
      },
    };
  } catch (err) {
    await closeChain();
    throw err;
  }
}

async function compileFrom(metadata: ServiceMetadata, options: MetadataOptions, logger: Logger): Promise<CompiledProtos> {
  const { files, location } = await loadServiceProtos(metadata, options);
  const protos = compileProtos(files);
  logger.info({ protos: location.uri, files: protos.files, methods: protos.methodPaths.length }, 'service protos compiled');
  return protos;
}
