// The client side of the configuration service, for `snetd admin`: signs each request with the
// administrator's key (M11: "_" + RPC name ‖ uint256(current block)) and calls the daemon over gRPC.
import * as grpc from '@grpc/grpc-js';
import { buildConfigurationMessage, signMessage, type ChainClient, type ConfigurationMethod } from '../blockchain/index.ts';
import { createAdminChainClient } from './admin-chain.ts';
import type { DaemonConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import { configurationMethodPath, configurationTypes } from '../services/index.ts';
import { createSilentLogger } from '../shared/index.ts';

/** A decoded reply of the configuration service (camelCase fields; enums as names). */
export type AdminReply = Record<string, unknown>;

/** Signs and sends configuration-service requests to one daemon. */
export interface AdminClient {
  call(method: ConfigurationMethod, updates?: Readonly<Record<string, string>>): Promise<AdminReply>;
  close(): Promise<void>;
}

/** What {@link createAdminClient} needs. */
export interface AdminClientOptions {
  /** `host:port` of the daemon. */
  readonly target: string;
  /** Call over TLS (trusting Node's CA store plus NODE_EXTRA_CA_CERTS). */
  readonly tls: boolean;
  /**
   * The name the daemon's certificate is checked against when it is not the target's host: the automatic
   * certificate is issued for auto_ssl_domain, while the local daemon is called by its address.
   */
  readonly serverName?: string | undefined;
  /** The administrator's private key (hex). */
  readonly privateKey: string;
  /** The block to sign; `undefined` = read it from the chain the config names (blockchain on) or 0 (off). */
  readonly block: bigint | undefined;
  /** Used for the chain's block number when `block` is undefined. */
  readonly config: DaemonConfig;
}

/** Creates an {@link AdminClient}. */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const nameOptions = options.tls && options.serverName !== undefined ? { 'grpc.ssl_target_name_override': options.serverName, 'grpc.default_authority': options.serverName } : {};
  const client = new grpc.Client(options.target, options.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(), nameOptions);
  let chain: ChainClient | undefined;
  const currentBlock = async (): Promise<bigint> => {
    if (options.block !== undefined) return options.block;
    const config = options.config;
    if (!config.blockchain_enabled) return 0n;
    chain ??= createAdminChainClient(config, createSilentLogger());
    return chain.getBlockNumber();
  };
  return {
    async call(method, updates) {
      const block = await currentBlock();
      const signature = signMessage(options.privateKey, buildConfigurationMessage({ method, currentBlock: block }));
      const request: Record<string, unknown> = { auth: { signature, currentBlock: block.toString() } };
      if (updates !== undefined) request['updatedConfiguration'] = updates;
      const requestType = method === 'UpdateConfiguration' ? configurationTypes.UpdateRequest : configurationTypes.EmptyRequest;
      const replyType = method === 'GetConfiguration' || method === 'UpdateConfiguration' ? configurationTypes.ConfigurationResponse : configurationTypes.StatusResponse;
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          configurationMethodPath(method),
          (value: Record<string, unknown>) => Buffer.from(requestType.encode(requestType.fromObject(value)).finish()),
          (bytes: Buffer) => replyType.toObject(replyType.decode(bytes), { longs: String, enums: String, defaults: true, arrays: true, objects: true }),
          request,
          new grpc.Metadata(),
          { deadline: Date.now() + 30_000 },
          (error, reply) => {
            if (error === null) resolve(reply ?? {});
            else reject(new SnetError('ADMIN_REQUEST_FAILED', `${method} failed: ${grpc.status[error.code] ?? error.code}: ${error.details}`, { hint: 'check the daemon address, the key file and authentication_addresses' }));
          },
        );
      });
    },
    async close() {
      client.close();
      await chain?.close();
    },
  };
}
